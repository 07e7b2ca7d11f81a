"""The fallback .po compiler gives the same translations as GNU msgfmt."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

from dondoc.core.pocompile import mo_bytes, parse

CATALOGUE = Path(__file__).resolve().parents[3] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_parse_handles_plurals_context_continuations_and_fuzzy() -> None:
    text = '''msgid ""
msgstr ""
"Plural-Forms: nplurals=1; plural=0;\\n"

#, python-format
msgid "%(n)d task"
msgid_plural "%(n)d tasks"
msgstr[0] "%(n)d nhiệm vụ"

msgctxt "menu"
msgid "Units"
msgstr "Đơn vị"

msgid ""
"A long "
"message"
msgstr ""
"Một thông "
"điệp dài"

#, fuzzy
msgid "Guessed"
msgstr "Đoán"

msgid "Untranslated"
msgstr ""
'''
    messages = parse(text)
    assert messages["%(n)d task\0%(n)d tasks"] == "%(n)d nhiệm vụ"
    assert messages["menu\x04Units"] == "Đơn vị"
    assert messages["A long message"] == "Một thông điệp dài"
    assert "Guessed" not in messages
    assert "Untranslated" not in messages
    assert "Plural-Forms" in messages[""]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext not installed")
def test_the_project_catalogue_compiles_like_msgfmt(tmp_path: Path) -> None:
    ours = tmp_path / "ours.mo"
    ours.write_bytes(mo_bytes(parse(CATALOGUE.read_text(encoding="utf-8"))))
    theirs = tmp_path / "theirs.mo"
    subprocess.run(["msgfmt", "-o", str(theirs), str(CATALOGUE)], check=True)  # noqa: S607
    with ours.open("rb") as a, theirs.open("rb") as b:
        mine, gnu = gettext.GNUTranslations(a), gettext.GNUTranslations(b)
    # msgfmt drops the POT-Creation-Date line of the header; every message is the same.
    mine_messages = {k: v for k, v in mine._catalog.items() if k != ""}
    gnu_messages = {k: v for k, v in gnu._catalog.items() if k != ""}
    assert mine_messages == gnu_messages
    assert len(mine_messages) > 500
    assert mine.gettext("Unit tree") == "Cây đơn vị"
