"""Fail when a UI string has no translation in an interface language: re-extract messages and
compare with each committed locale/<code>/LC_MESSAGES/django.po. The languages are
settings.LANGUAGES except English, the language the strings are written in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"


def languages() -> list[tuple[str, str]]:
    """(code, English name) of every interface language that needs a translation file."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings
    from django.utils import translation

    django.setup()
    with translation.override(SOURCE_LANGUAGE):
        return [(code, str(name)) for code, name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def po_path(root: Path, code: str) -> Path:
    return root / "locale" / code / "LC_MESSAGES" / "django.po"


def entries(text: str) -> dict[str, str]:
    """msgid -> msgstr for every non-obsolete entry (plural forms joined; fuzzy ones empty)."""
    result = {}
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block
        if block.lstrip().startswith("#~"):
            continue
        ids = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if not ids:
            continue
        msgid = "".join(re.findall(r'"(.*)"', ids.group(1)))
        if msgid:
            # A fuzzy entry is gettext's guess from a similar string: it counts as untranslated.
            # An entry counts as translated only when every plural form is.
            forms = ["".join(re.findall(r'"(.*)"', s)) for s in strs]
            result[msgid] = "" if fuzzy or not all(forms) else "".join(forms)
    return result


def main() -> int:
    wanted = languages()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "*.sqlite3*", "node_modules"))
        locales = [arg for code, _name in wanted for arg in ("-l", code)]
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", *locales, "--ignore=tests", "--ignore=bench", "-v", "0"],
            cwd=copy,
            check=True,
        )
        fresh = {code: entries(po_path(copy, code).read_text()) for code, _name in wanted}
    failed = False
    for code, name in wanted:
        po = po_path(ROOT, code)
        committed = entries(po.read_text()) if po.exists() else {}
        missing = sorted(set(fresh[code]) - {k for k, v in committed.items() if v})
        if missing:
            failed = True
            print(f"{len(missing)} UI strings have no {name} ({code}) translation in {po.relative_to(ROOT)}:")
            for msgid in missing:
                print(f"  {msgid!r}")
        else:
            print(f"{name} ({code}) translations complete: {len(fresh[code])} strings.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
