"""Rates shown to people: one rounding rule everywhere (half up, as Vietnamese reports do).

Python's ``round`` rounds half to even (``round(62.5) == 62``); a report read aloud in a
meeting must say 63 %, and the page, the export and the API must say the same number. The
rule itself is :func:`dondoc.progress.engine.rate_percent`; this is its name for callers
that choose the number of decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from dondoc.progress.engine import rate_percent


def percent(rate: float | None, places: int = 1) -> Decimal | None:
    """``rate`` (0…1) as a percentage rounded half up to ``places`` decimals; ``None`` stays."""
    if places == 1:
        return rate_percent(rate)
    if rate is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(repr(float(rate))) * 100).quantize(exponent, rounding=ROUND_HALF_UP)
