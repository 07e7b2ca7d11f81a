"""The one search of every list: each word of the query, accents and case ignored."""

from __future__ import annotations

from conftest import Org
from dondoc.core.text import SEARCH_WORDS, containing_words
from dondoc.organization.models import Unit


def _codes(query: str | None, **options: int) -> set[str]:
    return set(containing_words(Unit.objects.all(), query, **options)
               .values_list("code", flat=True))


def test_every_word_must_match_whatever_the_accents(org: Org) -> None:
    assert _codes("đà nẵng") == {"CATP"}
    assert _codes("DA   NANG") == {"CATP"}  # no accents, capitals, extra spaces
    assert {"CATP", "OTHER"} <= _codes("cong an") == _codes("CÔNG AN")
    assert _codes("công an quảng") == {"OTHER"}
    assert _codes("nẵng quảng") == set()  # both words, in no single unit


def test_an_empty_query_keeps_every_row_and_a_long_one_is_bounded(org: Org) -> None:
    every = set(Unit.objects.values_list("code", flat=True))
    assert _codes("") == every and _codes(None) == every
    long = "công an " + " ".join(["nẵng"] * (SEARCH_WORDS - 2)) + " khongcotu"
    assert _codes(long) == {"CATP"}  # the words after the first SEARCH_WORDS are ignored
    assert _codes("công an khongcotu", most=2) == _codes("cong an") != set()
