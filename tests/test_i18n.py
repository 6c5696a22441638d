"""Every user-facing string is translated, and the compiled catalogue matches its source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "reception" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle)


def test_every_extracted_string_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with open(pot, "rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    translated = {message.id: message.string for message in _po() if message.id}
    missing = sorted(message for message in wanted if not translated.get(message))
    assert missing == [], "run pybabel update and translate these"


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    source = {m.id: m.string for m in _po() if m.id and m.string and not m.fuzzy}
    assert compiled == source, "run pybabel compile -d reception/translations"


def test_pages_have_no_untranslated_english(client, db):
    for path in ("/", "/kiosk/", "/login"):
        html = client.get(path).get_data(as_text=True)
        for english in ("Take a ticket", "Staff login", "Touch the department", "Log in"):
            assert english not in html, (path, english)
