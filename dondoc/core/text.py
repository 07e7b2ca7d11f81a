"""Text helpers for Vietnamese: folding for diacritic-insensitive search and matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Return ``text`` lower-cased, without diacritics, ``đ`` → ``d``, spaces collapsed.

    ``fold("Đôn  đốc")`` is ``"don doc"``: the form stored in search columns and used to
    compare what users type with what is stored, whatever the accents.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
