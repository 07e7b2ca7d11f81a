"""Reading a day typed by a person: dd/mm/yyyy and the spellings people use for it.

Accepted: ``30/06/2026``, ``30/6/2026``, ``30.06.2026``, ``30-06-2026``, ``30 06 2026``,
``30062026`` (phone number pads have no "/") and ISO ``2026-06-30`` (links, the API).
Day first, always: the agency writes dates that way, in Vietnamese and in English.
"""

from __future__ import annotations

import datetime as dt
import re

from dondoc.core import limits

_DAY_FIRST = re.compile(r"(\d{1,2})([/.\- ])(\d{1,2})\2(\d{4})")
_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class DayOutOfRange(ValueError):
    """A well-formed date outside ``limits.MIN_DAY`` … ``limits.MAX_DAY``."""


def parse_day(value: str | None) -> dt.date | None:
    """The day ``value`` names; ``None`` when it is empty; ``ValueError`` when it names none
    (:class:`DayOutOfRange` when outside the range the date arithmetic supports)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.group(1), match.group(3), match.group(4)
    elif match := _DIGITS.fullmatch(text):
        day, month, year = match.groups()
    elif match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise ValueError(text)
    day_named = dt.date(int(year), int(month), int(day))  # ValueError for 31/02 and the like
    if not limits.day_in_range(day_named):
        raise DayOutOfRange(text)
    return day_named
