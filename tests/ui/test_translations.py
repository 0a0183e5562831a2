"""The French catalogue covers every message of the UI, and the compiled .mo matches the .po."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import control_room

ROOT = Path(control_room.__file__).parent
FRENCH = ROOT / "translations" / "fr" / "LC_MESSAGES"
METHODS = [("**/ui/**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}


def _messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, options_map=OPTIONS, keywords={"_": None, "gettext": None, "N_": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_french_translation():
    with open(FRENCH / "messages.po", "rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_messages_in_code() - translated)
    assert not missing, f"run pybabel extract/update (see translations/babel.cfg) and translate: {missing}"


def test_the_compiled_catalogue_is_up_to_date():
    with open(FRENCH / "messages.po", "rb") as po, open(FRENCH / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}
