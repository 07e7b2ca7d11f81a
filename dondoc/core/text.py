"""Text helpers for Vietnamese: folding for diacritic-insensitive search and matching."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

_Row = TypeVar("_Row", bound="Model")
_SPACES = re.compile(r"\s+")


# Dropped when folding: combining marks (the diacritics, after NFD) and format characters
# (zero-width spaces and joiners, direction marks and embeddings, soft hyphens, BOM),
# which are invisible on screen and would make equal-looking words differ.
_DROPPED_CATEGORIES = frozenset({"Mn", "Cf"})


def fold(text: str | None) -> str:
    """Return ``text`` lower-cased, without diacritics, ``đ`` → ``d``, spaces collapsed.

    ``fold("Đôn  đốc")`` is ``"don doc"``: the form stored in search columns and used to
    compare what users type with what is stored, whatever the accents. Compatibility
    forms are unified first (NFKC: full-width ``Ｃａｎｈ`` is ``canh``, ``ﬁ`` is ``fi``), and
    invisible characters (zero-width, direction marks) are dropped.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed
                       if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    return _SPACES.sub(" ", stripped).strip().lower()


SEARCH_WORDS = 10  # words of a query that are matched (a pasted paragraph is not 1,000 LIKEs)


def containing_words(rows: QuerySet[_Row], query: str | None, *,
                     most: int = SEARCH_WORDS) -> QuerySet[_Row]:
    """``rows`` whose folded ``search_text`` column holds every word of ``query`` (its
    first ``most`` words), whatever the accents and case: the one search of every list."""
    for word in fold(query).split()[:most]:
        rows = rows.filter(search_text__contains=word)
    return rows
