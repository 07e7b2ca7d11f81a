"""The range of values a request may carry: ids that fit a 64-bit key, dates the date
arithmetic can work with. Values outside are the caller's error (400/422), never a crash."""

from __future__ import annotations

import datetime as dt

# The largest primary key every supported database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1
# The dates a request may ask about: wide enough for any real plan or history, narrow
# enough that the status engine's arithmetic (periods, "due within N days") never leaves
# Python's date range (years 1 to 9999).
MIN_DAY = dt.date(1900, 1, 1)
MAX_DAY = dt.date(2999, 12, 31)


def id_in_range(value: int) -> bool:
    """Whether ``value`` can be a row id (or any 64-bit number a filter compares with)."""
    return -MAX_ID - 1 <= value <= MAX_ID


def day_in_range(day: dt.date) -> bool:
    return MIN_DAY <= day <= MAX_DAY


# The longest free text (descriptions, reports, reasons, notes), the same on the pages and
# in the API; short text fields take their length from the model in both.
LONG_TEXT_MAX = 20_000
# Evidence files in one progress report or completion request, on the pages and the API.
MAX_FILES_PER_SUBMISSION = 10
