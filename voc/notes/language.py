"""Which language a short note is in: English, Spanish or Galician.

A naive-Bayes classifier over whole words and character n-grams (1 to 4 characters, each word
padded with a space so that beginnings and endings count). Its count tables,
``data/language_profiles.json``, are built offline by ``bench/language_profiles.py`` from
Banking77 and DSTC11 (English), the Multilingual TOD Spanish data and Spanish and Galician notes
written for this project (sources and licences in ``data/SOURCE.md``). Each language's estimate is
mixed with the pooled one, so the language with the least text (Galician) does not win on what
it has never seen.

Spanish against Galician: words and spellings only Galician has ("x" for Spanish "j"/"g", "nh",
``GL_ONLY_WORDS``) add ``GL_BONUS`` to Galician, those only Spanish has ("j", "ue",
``ES_ONLY_WORDS``) ``ES_BONUS`` to Spanish; without any Galician-only evidence Galician must lead
by ``GL_WITHOUT_EVIDENCE``. A near-tie goes to ``default`` when that is Spanish or Galician, else
to Spanish. English against the other two within ``NEAR_TIE`` goes to ``default`` when that is
one of the two. Redaction placeholders ("[NAME]"), digits and ``NEUTRAL`` words ("ok", "PIN",
"app") are not evidence: a note with nothing else gives ``default``.

Measured by ``bench/language.py`` (December 2026, ``default="en"``) on text never trained on:
short (≤ 6 words) hand-written notes, Spanish 94.1 % (was 85.3 % with the word-list scorer this
replaced), Galician 98.1 % (64.6 %), English 100 % (98.1 %); Galician yardstick 96.7 % (88.3 %);
held-out Banking77 and DSTC11 English 100 % (100 %), held-out TOD Spanish 100 % (95.5 %),
yardstick Spanish 99.0 % (100 %). About 55 µs a call on a note of ten words (8 µs before); the
tables (~240 KiB) are read once, on first use (~50 ms). Constants chosen on a tuning split, see
``bench/language.py --tuning`` and "Language detection on short notes" in ``bench/README.md``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

LANGS = ("en", "es", "gl")
DATA_FILE = Path(__file__).resolve().parent / "data" / "language_profiles.json"

_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*\]")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
# Words that say nothing about the language of a note (acronyms, brands, "ok").
NEUTRAL = frozenset(
    {"ok", "okay", "okey", "pin", "app", "apps", "sms", "iban", "dni", "nie", "cvv", "atm", "pdf", "bizum", "url", "id"}
)
# Spellings and words only Galician has, against Spanish (used to break es/gl near-ties).
_GL_SPELLING = re.compile(r"nh|x[aeiouáéíóú]|[aeiou]x|ñ[aeiouáéíóú]?$")
GL_ONLY_WORDS = frozenset(
    {
        *("non", "xa", "unha", "unhas", "moi", "moito", "moita", "grazas", "tamén", "aínda", "tampouco", "ou"),
        *("ao", "aos", "coa", "coas", "co", "cos", "polo", "pola", "polos", "polas", "do", "das", "na", "nas"),
        *("dun", "dunha", "nun", "nunha", "cun", "cunha", "hai", "hoxe", "onte", "mañá", "agora", "cando", "onde"),
        *("teñen", "quere", "queren", "pode", "poden", "é", "sen", "ata", "até", "dende", "ningún", "ningunha"),
        *("ninguén", "lle", "lles", "vostede", "súa", "seu", "nós", "ben", "máis", "as"),
    }
)

# ... and Spanish-only ones: "j", "ue" not after q/g ("puede", "cuenta" against "pode", "conta").
_ES_SPELLING = re.compile(r"j|(?<![qg])ue")
ES_ONLY_WORDS = frozenset(
    {
        *("el", "la", "los", "las", "y", "del", "muy", "ya", "una", "pero", "hay", "le", "les", "lo", "sin", "hoy"),
        *("ayer", "mañana", "tiene", "quiere", "gracias", "todavía", "también", "ahora", "cuando", "donde", "nadie"),
        *("hasta", "desde", "mucho", "mucha", "muchas", "muchos", "bien", "más", "nuevo", "nueva", "hijo", "hija"),
        *("hacer", "hecho", "dinero", "cuenta", "tarjeta", "llamó", "llama", "llamar", "llegó", "llegado", "sí"),
    }
)

# Common words of each language: the word-list scorer this model replaced was built on them;
# kept because ``voc.notes.similarity`` uses them as stop words.
EN_WORDS = {
    "the",
    "and",
    "to",
    "my",
    "is",
    "i",
    "you",
    "it",
    "not",
    "have",
    "has",
    "was",
    "of",
    "for",
    "on",
    "with",
    "this",
    "that",
    "can",
    "be",
    "are",
    "do",
    "does",
    "did",
    "would",
    "please",
    "why",
    "how",
    "what",
    "when",
    "where",
    "there",
    "they",
    "your",
    "me",
    "we",
    "our",
    "an",
    "at",
    "from",
    "want",
    "card",
    "account",
    "money",
    "thank",
    "thanks",
    "been",
    "will",
    "just",
    "still",
    "get",
    "got",
}
ES_WORDS = {
    "el",
    "la",
    "los",
    "las",
    "de",
    "del",
    "que",
    "y",
    "en",
    "un",
    "una",
    "por",
    "para",
    "con",
    "no",
    "es",
    "mi",
    "me",
    "se",
    "lo",
    "le",
    "su",
    "sus",
    "al",
    "más",
    "pero",
    "ya",
    "muy",
    "está",
    "están",
    "tiene",
    "tengo",
    "quiere",
    "quiero",
    "gracias",
    "mucho",
    "también",
    "cuando",
    "ahora",
    "hoy",
    "ayer",
    "dinero",
    "tarjeta",
    "cuenta",
    "banco",
    "llamó",
    "llama",
    "porque",
    "hay",
    "nos",
    "sin",
    "sobre",
    "este",
    "esta",
    "esto",
}
GL_WORDS = {
    "o",
    "os",
    "as",
    "da",
    "do",
    "das",
    "dos",
    "non",
    "e",
    "en",
    "un",
    "unha",
    "por",
    "para",
    "coa",
    "co",
    "cun",
    "cunha",
    "nunha",
    "polo",
    "pola",
    "ao",
    "aos",
    "é",
    "está",
    "moi",
    "xa",
    "ten",
    "teño",
    "quere",
    "quero",
    "grazas",
    "moito",
    "tamén",
    "cando",
    "agora",
    "hoxe",
    "onte",
    "diñeiro",
    "tarxeta",
    "conta",
    "banco",
    "chamou",
    "chama",
    "porque",
    "hai",
    "nós",
    "sen",
    "sobre",
    "este",
    "esta",
    "isto",
    "vostede",
    "súa",
    "seu",
    "ela",
    "eles",
    "dende",
    "desde",
    "ata",
    "aínda",
    "xente",
    "traballo",
    "mañá",
}
ORDER_WEIGHTS = (3.0, 0.5, 1.0, 1.0, 1.0)  # whole word, then 1- to 4-grams
ALPHA = 0.5  # additive smoothing of the pooled estimate
LAMBDA = 0.95  # weight of a language's own estimate against the pooled one
GL_BONUS = 20.0  # nats added to Galician for each word with Galician-only spelling or in GL_ONLY_WORDS
ES_BONUS = 20.0  # the same for Spanish-only words and spellings
GL_WITHOUT_EVIDENCE = 10.0  # the gap Galician needs over Spanish when nothing Galician-only is in the note
NEAR_TIE = 2.0  # log-likelihood gap (nats) under which two languages count as tied


def words(text: str) -> list[str]:
    """The lower-cased words of a note that can be evidence: placeholders, digits and neutral words out."""
    text = _PLACEHOLDER.sub(" ", text).lower()
    return [w for w in _WORD.findall(text) if w not in NEUTRAL]


def features(text: str) -> list[str]:
    """What the classifier counts: ``"w:<word>"`` for each word and its padded 1- to 4-grams."""
    out = []
    for w in words(text):
        out.append("w:" + w)
        padded = f" {w} "
        for n in range(1, 5):
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1) if padded[i : i + n] != " ")
    return out


def _order(feat: str) -> int:
    return 0 if feat.startswith("w:") else len(feat)


@cache
def _model() -> tuple[dict[str, tuple[float, float, float]], tuple[tuple[float, float, float], ...]]:
    """Per feature, the weighted log-probability in each language; per order, that of an unseen feature.

    Each language's estimate is mixed with the pooled estimate of all three (Jelinek-Mercer,
    weight ``1 - LAMBDA``): a feature a language has never shown costs the same in every
    language, so the language with the least training text (Galician) does not win notes by
    having seen little.
    """
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    totals = data["totals"]
    pooled_total = [sum(totals[lang][o] for lang in LANGS) for o in range(5)]
    vocab = [sum(data["distinct"][lang][o] for lang in LANGS) + 1 for o in range(5)]

    def mix(counts: list[int], o: int) -> tuple[float, float, float]:
        pooled = (sum(counts) + ALPHA) / (pooled_total[o] + ALPHA * vocab[o])
        w = ORDER_WEIGHTS[o]
        return tuple(  # type: ignore[return-value]
            w * math.log(LAMBDA * counts[li] / totals[lang][o] + (1 - LAMBDA) * pooled) for li, lang in enumerate(LANGS)
        )

    unseen = tuple(mix([0, 0, 0], o) for o in range(5))
    table = {feat: mix(counts, _order(feat)) for feat, counts in data["features"].items()}
    return table, unseen


def scores(text: str) -> dict[str, float] | None:
    """Log-likelihood of the note's features in each language; ``None`` when there are none."""
    feats = features(text)
    if not feats:
        return None
    table, unseen = _model()
    en = es = gl = 0.0
    for feat in feats:
        row = table.get(feat) or unseen[_order(feat)]
        en += row[0]
        es += row[1]
        gl += row[2]
    return {"en": en, "es": es, "gl": gl}


def galician_evidence(text: str) -> int:
    """How many words of the note have a spelling or are a word that Galician has and Spanish has not."""
    return sum(1 for w in words(text) if w in GL_ONLY_WORDS or _GL_SPELLING.search(w))


def spanish_evidence(text: str) -> int:
    """How many words of the note have a spelling or are a word that Spanish has and Galician has not."""
    return sum(1 for w in words(text) if w in ES_ONLY_WORDS or _ES_SPELLING.search(w))


def detect_language(text: str, *, default: str = "en") -> str:
    """``"en"``, ``"es"`` or ``"gl"``; ``default`` when the text gives no evidence."""
    s = scores(text)
    if s is None:
        return default
    best = max(LANGS, key=s.__getitem__)
    if default in LANGS and default != best and s[default] > s[best] - NEAR_TIE and "en" in (best, default):
        return default  # English against Spanish or Galician, too close to call
    if best == "en":
        return best
    # Spanish or Galician: the Galician training text is small, so its own words and spellings
    # get a bonus on top of the n-grams; a near-tie goes to the default, else to Spanish.
    evidence = galician_evidence(text)
    gap = s["gl"] - s["es"] + GL_BONUS * evidence - ES_BONUS * spanish_evidence(text)
    if gap > (NEAR_TIE if evidence else GL_WITHOUT_EVIDENCE):
        return "gl"
    if gap < -NEAR_TIE:
        return "es"
    if default in ("es", "gl"):
        return default
    return "gl" if evidence else "es"
