"""Which language a short note is in: English, Spanish or Galician.

Scored on function words and spellings that tell the three apart; Galician and Spanish share
much, so words only Galician uses weigh more. Pure code: text in, a code out.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-záéíóúüñç']+")
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")

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
# Words only one of the three languages uses weigh more; Galician's most, as it shares so
# much with Spanish that its few own words are the best evidence.
_ONLY = {
    "en": EN_WORDS - ES_WORDS - GL_WORDS,
    "es": ES_WORDS - GL_WORDS - EN_WORDS,
    "gl": GL_WORDS - ES_WORDS - EN_WORDS - {"o", "os", "as", "e", "é"},
}
_ALL = {"en": EN_WORDS, "es": ES_WORDS, "gl": GL_WORDS}
_BONUS = {"en": 2, "es": 2, "gl": 3}


def detect_language(text: str, *, default: str = "en") -> str:
    """``"en"``, ``"es"`` or ``"gl"``; ``default`` when the text gives no evidence or a tie."""
    text = _PLACEHOLDER.sub(" ", text)
    words = _WORD.findall(text.lower())
    if not words:
        return default
    scores = {
        code: sum(w in _ALL[code] for w in words) + _BONUS[code] * sum(w in _ONLY[code] for w in words) for code in _ALL
    }
    scores["es"] += sum(ch in "ñ¿¡" for ch in text)
    scores["gl"] += 2 * sum(w.startswith("x") or "nh" in w for w in words if len(w) > 3 and w not in EN_WORDS)
    best = max(scores.values())
    if best == 0:
        return default
    leaders = [code for code, score in scores.items() if score == best]
    return default if default in leaders else leaders[0]
