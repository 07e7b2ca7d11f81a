"""Load a unit list (CSV or XLSX) into the unit tree: ``dondoc import-units FILE``.

Headers, in any order and in English or Vietnamese: ``code, name, short_name,
parent_code, kind, groups, scope_root``. Only code and name are required. A parent may
come later in the file. The import is idempotent on the code: an existing unit gets its
names updated, and its parent or kind only with ``update_structure`` (audited moves).
:func:`plan_units` checks everything and changes nothing; :func:`apply_units` saves a
plan without errors, all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from dondoc.core.text import fold
from dondoc.imports import services as import_services
from dondoc.imports.models import UnitGroup
from dondoc.organization import services as unit_services
from dondoc.organization.models import Unit, UnitKind

__all__ = ["UnitPlan", "UnitRow", "apply_units", "plan_units", "read_table"]

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "code": ("code", "ma", "ma don vi", "ma dv", "ky hieu"),
    "name": ("name", "ten", "ten don vi", "ten day du", "ten co quan", "don vi"),
    "short_name": ("short_name", "short name", "ten viet tat", "ten ngan", "ten goi tat"),
    "parent_code": ("parent_code", "parent", "parent code", "ma don vi cap tren", "ma cap tren",
                    "don vi cap tren", "cap tren", "truc thuoc"),
    "kind": ("kind", "loai", "loai don vi"),
    "groups": ("groups", "group", "nhom", "nhom don vi", "thuoc nhom"),
    "scope_root": ("scope_root", "scope root", "goc pham vi", "la goc pham vi", "pham vi rieng"),
}
_HEADER_OF: Final = {fold(name).replace("_", " "): key for key, names in HEADERS.items()
                     for name in names}
_TRUE: Final = {"1", "x", "true", "yes", "y", "co", "c", "dung"}
_FALSE: Final = {"0", "", "false", "no", "n", "khong", "k", "sai"}
_GROUP_SEPARATORS = re.compile(r"[|;\n]")
MAX_UNITS: Final = 50_000


@dataclass
class UnitRow:
    """One line of the unit list and what importing it does."""

    line: int
    code: str
    name: str = ""
    short_name: str = ""
    parent_code: str = ""
    kind: str = ""
    groups: list[str] = field(default_factory=list)
    scope_root: bool | None = None
    action: str = ""  # create | update | unchanged
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class UnitPlan:
    rows: list[UnitRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file level
    update_structure: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)


def read_table(name: str, data: bytes) -> list[list[str]]:
    """The cells of a CSV (comma, semicolon or tab; UTF-8 with or without BOM) or of the
    first sheet of an XLSX, as text."""
    if name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [["" if v is None else str(v).strip() for v in row]
                    for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    text = data.decode("utf-8-sig")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _kinds() -> dict[str, str]:
    """Folded code or label (English and Vietnamese) → kind."""
    kinds: dict[str, str] = {}
    for kind in UnitKind:
        kinds[fold(kind.value)] = kind.value
        for language in ("en", "vi"):
            with translation.override(language):
                kinds[fold(str(kind.label))] = kind.value
    return kinds


def _scope_root_field() -> bool:
    return any(f.name == "is_scope_root" for f in Unit._meta.get_fields())


def plan_units(table: list[list[str]], *, update_structure: bool = False) -> UnitPlan:
    """Check a unit table against the database; nothing is saved."""
    plan = UnitPlan(update_structure=update_structure)
    rows = [row for row in table if any(cell for cell in row)]
    if not rows:
        plan.errors.append("The file is empty.")
        return plan
    header = [_HEADER_OF.get(" ".join(fold(cell).replace("_", " ").split())) for cell in rows[0]]
    unknown = [cell for cell, key in zip(rows[0], header, strict=True) if cell and key is None]
    for key in ("code", "name"):
        if key not in header:
            plan.errors.append(f"No “{key}” column: the first row must name the columns "
                               f"(code, name, short_name, parent_code, kind, groups, "
                               f"scope_root).")
    if unknown:
        plan.errors.append("Unknown column(s): " + ", ".join(unknown))
    if plan.errors:
        return plan
    if len(rows) - 1 > MAX_UNITS:
        plan.errors.append(f"More than {MAX_UNITS} units: split the file.")
        return plan
    kinds = _kinds()
    has_scope_field = _scope_root_field()
    codes = [row[header.index("code")].strip() if len(row) > header.index("code") else ""
             for row in rows[1:]]
    existing = {unit.code.upper(): unit for unit in Unit.objects.filter(
        code__in=[c for c in codes if c]).select_related(None)}
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows[1:], start=2):
        values = {key: (cells[i].strip() if i < len(cells) else "")
                  for i, key in enumerate(header) if key}
        row = UnitRow(line=offset, code=values.get("code", ""), name=values.get("name", ""),
                      short_name=values.get("short_name", ""),
                      parent_code=values.get("parent_code", ""))
        plan.rows.append(row)
        if not row.code:
            row.errors.append("code is missing")
        else:
            try:
                Unit.code_validator(row.code)
            except ValidationError:
                row.errors.append(f"code {row.code!r}: letters, digits, . _ - only")
            if len(row.code) > 20:
                row.errors.append("code longer than 20 characters")
            if row.code.upper() in seen:
                row.errors.append(f"code {row.code} already on line {seen[row.code.upper()]}")
            seen.setdefault(row.code.upper(), offset)
        if not row.name:
            row.errors.append("name is missing")
        kind_text = values.get("kind", "")
        if kind_text:
            row.kind = kinds.get(fold(kind_text), "")
            if not row.kind:
                row.errors.append(f"unknown kind {kind_text!r} (use one of: "
                                  + ", ".join(kind.value for kind in UnitKind) + ")")
        row.groups = [g.strip() for g in _GROUP_SEPARATORS.split(values.get("groups", ""))
                      if g.strip()]
        flag = fold(values.get("scope_root", ""))
        if flag in _TRUE:
            row.scope_root = True
        elif flag in _FALSE:
            row.scope_root = False if flag else None
        else:
            row.errors.append(f"scope_root {values['scope_root']!r}: use 1/0, x or empty")
        if row.scope_root is not None and not has_scope_field:
            row.notes.append("scope_root ignored: set by administrators")

    in_file = {row.code.upper(): row for row in plan.rows if row.code}
    for row in plan.rows:
        parent = row.parent_code.upper()
        if parent and parent not in in_file and parent not in existing and not \
                Unit.objects.filter(code__iexact=parent).exists():
            row.errors.append(f"parent {row.parent_code} is neither in the file nor a unit")
        if parent and parent == row.code.upper():
            row.errors.append("a unit cannot be its own parent")
        unit = existing.get(row.code.upper())
        if unit is None:
            row.action = "create"
            row.kind = row.kind or (UnitKind.DEPARTMENT if parent else UnitKind.AGENCY)
            continue
        row.action = "unchanged"
        if (row.name, row.short_name) != (unit.name, unit.short_name):
            row.action = "update"
        current_parent = Unit.objects.get_parent(unit)
        moved = bool(parent) and (current_parent is None
                                  or current_parent.code.upper() != parent)
        rekind = bool(row.kind) and row.kind != unit.kind
        if (moved or rekind) and not update_structure:
            row.notes.append("parent/kind differ from the database: kept (use "
                             "--update-structure to change them)")
        elif moved or rekind:
            row.action = "update"
            row.notes.append("structure: " + ", ".join(
                part for part, on in (("moved", moved), ("kind", rekind)) if on))
        if row.groups:
            row.action = "update" if row.action == "unchanged" else row.action
    _check_cycles(plan, in_file)
    return plan


def _check_cycles(plan: UnitPlan, in_file: dict[str, UnitRow]) -> None:
    for row in plan.rows:
        seen = {row.code.upper()}
        parent = row.parent_code.upper()
        while parent in in_file:
            if parent in seen:
                row.errors.append("the parents of the file form a loop")
                break
            seen.add(parent)
            parent = in_file[parent].parent_code.upper()


@transaction.atomic
def apply_units(*, actor: Any, plan: UnitPlan) -> dict[str, int]:
    """Save a plan without errors: parents first, each write audited. Returns counts."""
    if plan.has_errors:
        raise ValidationError("The unit list has errors: nothing saved.")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "moved": 0}
    by_code: dict[str, Unit] = {}
    pending = list(plan.rows)
    has_scope_field = _scope_root_field()
    while pending:
        progressed = False
        for row in list(pending):
            parent_code = row.parent_code.upper()
            parent: Unit | None = None
            if parent_code:
                parent = by_code.get(parent_code) or Unit.objects.filter(
                    code__iexact=parent_code).first()
                if parent is None or (parent_code in {r.code.upper() for r in pending}
                                      and parent_code not in by_code):
                    continue  # its parent comes later in the file
            pending.remove(row)
            progressed = True
            by_code[row.code.upper()] = _apply_row(actor, row, parent, plan, counts,
                                                   has_scope_field)
        if not progressed:
            raise ValidationError("The parents of the file form a loop.")
    _apply_groups(actor, plan, by_code)
    return counts


def _apply_row(actor: Any, row: UnitRow, parent: Unit | None, plan: UnitPlan,
               counts: dict[str, int], has_scope_field: bool) -> Unit:
    unit = Unit.objects.filter(code__iexact=row.code).first()
    extra: dict[str, Any] = {}
    if has_scope_field and row.scope_root is not None:
        extra["is_scope_root"] = row.scope_root
    if unit is None:
        counts["created"] += 1
        return unit_services.unit_create(actor=actor, parent=parent, code=row.code,
                                         name=row.name, short_name=row.short_name,
                                         kind=row.kind, **extra)
    fields: dict[str, Any] = {}
    if (row.name, row.short_name) != (unit.name, unit.short_name):
        fields.update(name=row.name, short_name=row.short_name)
    if plan.update_structure and row.kind and row.kind != unit.kind:
        fields["kind"] = row.kind
    if extra and getattr(unit, "is_scope_root", None) != extra["is_scope_root"]:
        fields.update(extra)
    if fields:
        unit = unit_services.unit_update(actor=actor, unit=unit, expected_version=unit.version,
                                         **fields)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    current = Unit.objects.get_parent(unit)
    if plan.update_structure and parent is not None and (current is None
                                                         or current.pk != parent.pk):
        unit = unit_services.unit_move(actor=actor, unit=unit, new_parent=parent)
        counts["moved"] += 1
    return unit


def _apply_groups(actor: Any, plan: UnitPlan, by_code: dict[str, Unit]) -> None:
    wanted: dict[str, list[Unit]] = {}
    for row in plan.rows:
        for name in row.groups:
            wanted.setdefault(name, []).append(by_code[row.code.upper()])
    if not wanted:
        return
    groups = {group.name: group for group in UnitGroup.objects.filter(name__in=wanted)}
    for name, members in wanted.items():
        group = groups.get(name)
        if group is None:
            group = import_services.unit_group_save(actor=actor, name=name, units=members)
        else:
            import_services.unit_group_add_members(actor=actor, group=group, units=members)
