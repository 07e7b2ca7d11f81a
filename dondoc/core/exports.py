"""Exported cells that spreadsheet programs must not evaluate (OWASP "CSV injection").

dondoc's one export is the task list as .xlsx, written with typed string cells
(``write_string``, ``strings_to_formulas=False``): Excel and LibreOffice never evaluate
them, so their text stays exactly as typed — a leading "- " is common in Vietnamese task
text. A format without cell types (CSV, TSV) must pass every text cell through
:func:`formula_safe` instead.
"""

from __future__ import annotations

# The characters that make a spreadsheet read a cell as a formula (or, for tab and
# carriage return, can hide one in the next cell), as OWASP lists them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """``text`` for an untyped cell: an apostrophe in front of anything a spreadsheet
    could take for a formula, so it is shown as typed and never run."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
