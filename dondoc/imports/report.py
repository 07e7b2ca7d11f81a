"""The preview of an import as plain data: the ``--json`` output of ``dondoc import-tasks``
(its shape is a public interface, documented in docs/import.md) and the document
defaults ``--new-document`` derives from a number."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from dondoc.core.text import fold
from dondoc.imports.importing import KIND_GROUP, KIND_OUTPUT, KIND_TASK, ImportPreview, ParsedRow
from dondoc.plans.models import DocumentKind

__all__ = ["default_code_prefix", "default_kind", "preview_json"]


def preview_json(preview: ImportPreview, codes: Mapping[int, str], *,
                 saved: bool) -> dict[str, Any]:
    """``{"summary": {...}, "rows": [...]}`` with unit codes (``codes``: unit id → code)."""
    errors = [issue for issue in preview.file_issues if issue.level == "error"]
    rows = [_row(row, codes) for row in preview.rows]
    return {
        "summary": {
            "groups": len(preview.groups),
            "tasks": len(preview.tasks),
            "outputs": len(preview.outputs),
            "flags": preview.flag_count,
            "errors": len(errors) + sum(len(row.errors) for row in preview.rows),
            "saved": saved,
        },
        "file": [{"code": issue.code, "level": issue.level, "message": issue.message}
                 for issue in preview.file_issues],
        "rows": rows,
    }


def _row(row: ParsedRow, codes: Mapping[int, str]) -> dict[str, Any]:
    saved_kind = row.kind in (KIND_TASK, KIND_OUTPUT)
    deadline = None
    if saved_kind and row.deadline is not None:
        deadline = {
            "kind": row.deadline.kind,
            "due": row.deadline.due.isoformat() if row.deadline.due else None,
            "start": row.deadline.start.isoformat() if row.deadline.start else None,
            "text": row.deadline_text,
        }
    return {
        "row": row.row_number,
        "kind": row.kind,
        "number": row.number,
        "title": row.title,
        "group": (row.group_number or None) if row.kind != KIND_GROUP else None,
        "lead": codes.get(row.lead_unit_id) if saved_kind and row.lead_unit_id else None,
        "coordinators": [codes[i] for i in row.coordinating_unit_ids if i in codes]
        if saved_kind else [],
        "deadline": deadline,
        "parent_row": row.parent_row,
        "flags": [{"code": issue.code, "message": issue.message}
                  for issue in (row.flags if saved_kind else row.issues)
                  if issue.level != "error"],
        "errors": [{"code": issue.code, "message": issue.message} for issue in row.errors],
    }


def unit_ids(preview: ImportPreview) -> Iterable[int]:
    for row in preview.rows:
        if row.lead_unit_id is not None:
            yield row.lead_unit_id
        yield from row.coordinating_unit_ids


# "…/NQ-CP" → resolution, "QĐ" → decision, "KH" → plan …
_KIND_OF_ABBREVIATION: Final = {
    "NQ": DocumentKind.RESOLUTION, "CT": DocumentKind.DIRECTIVE, "KL": DocumentKind.CONCLUSION,
    "KH": DocumentKind.PLAN, "CTR": DocumentKind.PROGRAMME, "CTHD": DocumentKind.PROGRAMME,
    "DA": DocumentKind.PROJECT, "TB": DocumentKind.NOTICE, "QD": DocumentKind.DECISION,
}
_NUMBER = re.compile(r"\d+")
_ABBREVIATION = re.compile(r"[A-Z]+")


def _abbreviation(number: str) -> str:
    """The kind letters of a Vietnamese document number: "29/NQ-CP" → "NQ",
    "118-KH/ĐUCA" → "KH", "1234/QĐ-TTg" → "QD"."""
    folded = fold(number).upper()
    for word in _ABBREVIATION.findall(folded):
        if word in _KIND_OF_ABBREVIATION:
            return word
    return ""


def default_kind(number: str) -> str:
    return str(_KIND_OF_ABBREVIATION.get(_abbreviation(number), DocumentKind.OTHER))


def default_code_prefix(number: str, taken: Iterable[str]) -> str:
    """"29/NQ-CP" → "NQ29" (then "NQ29-2", … when taken)."""
    digits = _NUMBER.search(number)
    letters = _abbreviation(number) or "VB"
    base = f"{letters}{digits.group() if digits else ''}"[:16]
    used = {prefix.upper() for prefix in taken}
    prefix, counter = base, 1
    while prefix in used:
        counter += 1
        prefix = f"{base}-{counter}"
    return prefix
