"""E-mail addresses, as typed and as written out ("ana dot r at example dot com")."""

from __future__ import annotations

import re

from voc.redaction.spans import Claims

# ---------------------------------------------------------------------------------------------- e-mail

# Found from each "@": walk back over the local part, then match forwards from its start.
_EMAIL_LOCAL = frozenset("._%+-_")  # besides letters and digits, any script
_EMAIL = re.compile(
    r"[\w%+\-][\w.%+\-]{0,63}"  # local part (accents allowed: people type them)
    r"@"
    r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}"  # labels of the domain
    r"[^\W\d_]{2,24}"  # top-level domain
    r"(?![\w\-]|\.[^\W_])"
)


def _is_local_char(ch: str) -> bool:
    return ch in _EMAIL_LOCAL or ch.isalnum()


def find_emails(text: str, claims: Claims) -> None:
    at = text.find("@")
    while at != -1:
        if not at or not _is_local_char(text[at - 1]):
            at = text.find("@", at + 1)
            continue
        start = at
        while start > 0 and at - start < 64 and _is_local_char(text[start - 1]):
            start -= 1
        while start < at and text[start] == ".":
            start += 1
        m = _EMAIL.match(text, start)
        if m and m.start() < at < m.end() and claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end(), "EMAIL")
            at = text.find("@", m.end())
        else:
            at = text.find("@", at + 1)


# Written-out addresses. "at" is one of the commonest English words ("I was at the branch"), so a
# plain " at " counts only when the domain is spelt out too ("example dot com") or the part before it
# looks like a user name ("jane.perez at example.com"), and the domain ends in a known top-level
# domain; "(at)", "[at]", "arroba" and "@" count with any dots, still before a known TLD.
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT_MARK = re.compile(
    rf"\s*{_OPEN}\s*(?:at|arroba)\s*{_CLOSE}\s*"  # (at) [at] {{at}} (arroba)
    r"|\s+arroba\s+|\s*@\s*"  # explicit
    r"|\s+(at)\s+",  # plain: group 1
    re.IGNORECASE,
)
_SPOKEN_DOT = rf"\s+(?:dot|punto)\s+|\s*{_OPEN}\s*(?:dot|punto)\s*{_CLOSE}\s*"
_DOMAIN_DOT = re.compile(rf"({_SPOKEN_DOT})|\s?\.\s?", re.IGNORECASE)
_DOMAIN_LABEL = re.compile(r"[^\W_][\w\-]{0,62}")
# The local part read backwards from the mark: words joined by dots, dashes, underscores or a written
# "dot"/"punto" (reversed: "tod", "otnup").
_LOCAL_BACKWARDS = re.compile(
    rf"[\w%+\-.]{{1,64}}+(?:(?:\s+(?:tod|otnup)\s+|\s*{_CLOSE}\s*(?:tod|otnup)\s*{_OPEN}\s*)[\w%+\-.]{{1,64}}+){{0,5}}+",
    re.IGNORECASE,
)
_TLDS = frozenset({
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "io", "co", "uk", "es",
    "gal", "cat", "eus", "eu", "de", "fr", "it", "pt", "ie", "nl", "be", "ch", "at", "lu", "se", "no", "dk",
    "fi", "pl", "cz", "gr", "ro", "hu", "mx", "ar", "cl", "pe", "uy", "ve", "ec", "bo", "py", "br", "us", "ca",
    "au", "nz", "in", "me", "tv", "app", "dev", "online", "xyz", "email", "site", "shop", "store", "tech",
    "cloud", "ai",
})  # fmt: skip
# A plain " at " after one of these is English, not an address: "email them at work dot com" keeps "them".
_NOT_A_LOCAL_PART = frozenset({
    "i", "me", "you", "he", "him", "she", "her", "it", "we", "us", "they", "them", "is", "was", "are", "were",
    "be", "been", "am", "here", "there", "home", "work", "back", "up", "out", "off", "in", "on", "one", "all",
    "this", "that", "arrived", "arrive", "stay", "stayed", "look", "looked", "email", "mail", "write",
    "contact", "reach",
})  # fmt: skip


# A local part that cannot be an English word: it holds a dot, an underscore or a digit.
_USERNAME = re.compile(r"[._0-9]")


def find_written_emails(text: str, claims: Claims) -> None:
    for mark in _AT_MARK.finditer(text):
        plain = mark.group(1) is not None
        # The domain: labels joined by dots, written or not; the longest stretch ending in a known TLD.
        pos = mark.end()
        label = _DOMAIN_LABEL.match(text, pos)
        if not label:
            continue
        end = None
        spoken = False
        spoken_at_end = False
        pos = label.end()
        for _ in range(8):
            dot = _DOMAIN_DOT.match(text, pos)
            label = dot and _DOMAIN_LABEL.match(text, dot.end())
            if not dot or not label:
                break
            spoken = spoken or dot.group(1) is not None
            if label[0].lower() in _TLDS and (text[label.end() : label.end() + 1] not in ("-", "_")):
                end, spoken_at_end = label.end(), spoken
            pos = label.end()
        if end is None:
            continue
        before = text[max(0, mark.start() - 400) : mark.start()][::-1]
        local = _LOCAL_BACKWARDS.match(before)
        if not local:
            continue
        start = mark.start() - len(local[0])
        while start < mark.start() and text[start] in ".-":
            start += 1
        if start == mark.start():
            continue
        if start and (text[start - 1].isalnum() or text[start - 1] == "@"):
            continue  # the "local part" is the tail of something longer (an address caught already)
        local_part = text[start : mark.start()]
        if plain and (local_part.lower() in _NOT_A_LOCAL_PART or not (spoken_at_end or _USERNAME.search(local_part))):
            continue  # "bought it at amazon.com": an English "at"; "jane.perez at example.com": an address
        if claims.free(start, end):
            claims.take(start, end, "EMAIL")
