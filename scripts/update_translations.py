#!/usr/bin/env python3
"""Extract interface strings and merge them into the English catalogue, then compile it.

Source strings are Indonesian (the default locale). ``app/translations/en/LC_MESSAGES/messages.po``
is the English catalogue; new strings appear there untranslated and
``tests/test_i18n.py`` fails until someone translates them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TR = ROOT / "app" / "translations"
BIN = Path(sys.executable).parent


def main() -> None:
    pot = TR / "messages.pot"
    subprocess.run(
        [
            str(BIN / "pybabel"),
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
    )
    po = TR / "en" / "LC_MESSAGES" / "messages.po"
    if po.exists():
        subprocess.run(
            [
                str(BIN / "pybabel"),
                "--quiet",
                "update",
                "--no-fuzzy-matching",
                "--ignore-obsolete",
                "-i",
                str(pot),
                "-d",
                str(TR),
                "-l",
                "en",
            ],
            check=True,
        )
    else:
        subprocess.run(
            [str(BIN / "pybabel"), "--quiet", "init", "-i", str(pot), "-d", str(TR), "-l", "en"],
            check=True,
        )
    subprocess.run([str(BIN / "pybabel"), "--quiet", "compile", "-d", str(TR)], check=True)


if __name__ == "__main__":
    main()
