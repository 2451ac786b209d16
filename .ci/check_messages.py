"""Fail when a UI string has no Spanish translation: re-extract messages and compare."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"


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
            result[msgid] = "" if fuzzy else "".join("".join(re.findall(r'"(.*)"', s)) for s in strs)
    return result


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "*.sqlite3*", "node_modules"))
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "es", "--ignore=tests", "--ignore=bench", "-v", "0"],
            cwd=copy,
            check=True,
        )
        fresh = entries((copy / PO.relative_to(ROOT)).read_text())
    committed = entries(PO.read_text())
    missing = sorted(set(fresh) - {k for k, v in committed.items() if v})
    if missing:
        print(f"{len(missing)} UI strings have no Spanish translation in {PO.relative_to(ROOT)}:")
        for msgid in missing:
            print(f"  {msgid!r}")
        return 1
    print(f"Spanish translations complete: {len(fresh)} strings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
