"""The browser form of a submission: read the posted fields, lay the form out for a page.

Input names: ``f-<field>`` for a field (several values for a multiple choice),
``t-<table>-<row>-<column>`` for a table cell, ``n-<table>`` for the number of free rows
shown and ``del-<table>-<row>`` to remove a free row. Free rows are added by a submit
button (``add-<table>``) that posts the form back, so it works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext_lazy

from dondoc.surveys.definition import MAX_FREE_ROWS, Field, FormDefinition, Problem

BLANK_FREE_ROWS = 2  # empty rows offered under a free-row table
ADD_ROWS = 3  # rows added by the "add rows" button


def _vi() -> bool:
    return (get_language() or "vi").startswith("vi")


def display_value(f: Field, value: Any) -> Any:
    """A stored answer as it is typed in the form (numbers Vietnamese-style in vi)."""
    if value is None:
        return [] if f.type == "multichoice" else ""
    if f.type == "decimal":
        text = str(value)
        return text.replace(".", ",") if _vi() else text
    if f.type == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if f.type == "boolean":
        return "yes" if value is True else "no" if value is False else str(value)
    if f.type == "multichoice":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if f.type == "file":
        return value
    return str(value)


def entry_from_answers(defn: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values from stored answers."""
    entry: dict[str, Any] = {}
    for f in defn.fields:
        value = answers.get(f.key)
        if f.type != "table":
            entry[f.key] = display_value(f, value)
            continue
        rows = value if isinstance(value, list) else []
        entry[f.key] = [
            {**({"row": r["row"]} if "row" in r else {}),
             **{c.key: display_value(c, r.get(c.key)) for c in f.columns}}
            for r in rows if isinstance(r, Mapping)]
    return entry


def _free_row_count(f: Field, data: Mapping[str, Any], default: int) -> int:
    text = str(data.get(f"n-{f.key}", "") or "")
    count = int(text) if text.isdigit() and len(text) < 5 else default
    return max(0, min(count, f.max_rows or MAX_FREE_ROWS))


def entry_from_post(defn: FormDefinition, post: Any) -> dict[str, Any]:
    """The form's values as posted (``post`` is a QueryDict): free rows marked for removal
    are dropped; the file fields are left to the view."""
    entry: dict[str, Any] = {}
    for f in defn.fields:
        if f.type == "file":
            continue
        if f.type == "multichoice":
            entry[f.key] = [v for v in post.getlist(f"f-{f.key}") if v]
        elif f.type != "table":
            entry[f.key] = post.get(f"f-{f.key}", "")
        elif f.has_fixed_rows:
            entry[f.key] = [
                {"row": row.key, **{c.key: _cell(post, f, index, c) for c in f.columns}}
                for index, row in enumerate(f.rows)]
        else:
            count = _free_row_count(f, post, 0)
            entry[f.key] = [
                {c.key: _cell(post, f, index, c) for c in f.columns}
                for index in range(count) if not post.get(f"del-{f.key}-{index}")]
    return entry


def _cell(post: Any, table: Field, index: int, column: Field) -> Any:
    name = f"t-{table.key}-{index}-{column.key}"
    if column.type == "multichoice":
        return [v for v in post.getlist(name) if v]
    return post.get(name, "")


def raw_for_cleaning(defn: FormDefinition, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The values to give ``clean_answers``: blank free rows and the row keys kept as they
    are, "yes"/"no" choices of a boolean left for the cleaner to read."""
    return {key: value for key, value in entry.items() if defn.has_field(key)}


# Laying the form out --------------------------------------------------------------------


@dataclass
class Notes:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        (self.errors if problem.severity == "error" else self.warnings).append(problem.message)


@dataclass
class Input:
    """One input (a field or a table cell)."""

    name: str
    id: str
    type: str
    value: Any
    choices: list[tuple[str, str]]
    required: bool
    notes: Notes
    label: str = ""
    places: int | None = None
    unit: str = ""  # a table cell's measure ("chiếc"), shown next to its label on a phone

    @property
    def values(self) -> list[str]:
        return self.value if isinstance(self.value, list) else []

    @property
    def display(self) -> str:
        """The value as read-only text."""
        if self.type in ("choice", "multichoice"):
            chosen = self.values if self.type == "multichoice" else [self.value]
            labels = dict(self.choices)
            return ", ".join(labels.get(v, v) for v in chosen if v)
        if self.type == "boolean":
            return {"yes": str(YES), "no": str(NO)}.get(self.value, self.value or "")
        if self.type == "file":
            return self.value.get("name", "") if isinstance(self.value, dict) else ""
        return str(self.value or "")

    @property
    def is_number(self) -> bool:
        return self.type in ("integer", "decimal")


@dataclass
class Row:
    index: int
    label: str
    cells: list[Input]
    notes: Notes


@dataclass
class Table:
    fixed: bool
    columns: list[Field]
    rows: list[Row]
    count: int
    can_add: bool
    lang: str

    def column_labels(self) -> list[tuple[str, str, bool]]:
        return [(c.label(self.lang), c.unit(self.lang), c.required) for c in self.columns]


@dataclass
class FieldView:
    key: str
    type: str
    label: str
    help: str
    unit: str
    required: bool
    input: Input | None
    table: Table | None
    notes: Notes


@dataclass
class SectionView:
    key: str
    title: str
    help: str
    fields: list[FieldView]


@dataclass
class Layout:
    sections: list[SectionView]
    notes: Notes  # problems not tied to a field
    summary: list[tuple[str, str, str]]  # (anchor id, label, message), errors first

    @property
    def has_errors(self) -> bool:
        return bool(self.notes.errors) or any(
            f.notes.errors or (f.input and f.input.notes.errors)
            or (f.table and any(r.notes.errors or any(c.notes.errors for c in r.cells)
                                for r in f.table.rows))
            for s in self.sections for f in s.fields)


YES, NO = gettext_lazy("Yes"), gettext_lazy("No")


def _yes_no() -> list[tuple[str, str]]:
    return [("yes", str(YES)), ("no", str(NO))]


def _choices(f: Field, lang: str) -> list[tuple[str, str]]:
    if f.type == "boolean":
        return _yes_no()
    return [(c.value, c.label(lang)) for c in f.choices]


def layout(defn: FormDefinition, entry: Mapping[str, Any], problems: Iterable[Problem], *,
           extra_rows: Mapping[str, int] | None = None, blank_rows: int = BLANK_FREE_ROWS,
           ) -> Layout:
    """The form's sections with every input, its value and its messages."""
    lang = (get_language() or "vi").split("-")[0]
    by_place: dict[tuple[str, int | None, str | None], Notes] = defaultdict(Notes)
    general = Notes()
    summary_errors: list[tuple[str, str, str]] = []
    summary_warnings: list[tuple[str, str, str]] = []
    for problem in problems:
        if not problem.field or not defn.has_field(problem.field):
            general.add(problem)
            target = ("form-top", str(defn.title(lang)), problem.message)
        else:
            by_place[(problem.field, problem.row, problem.column)].add(problem)
            f = defn.field(problem.field)
            label = f.label(lang)
            anchor = f"f-{f.key}"
            if problem.row is not None:
                anchor = f"row-{f.key}-{problem.row}"
                if f.has_fixed_rows and 0 <= problem.row < len(f.rows):
                    label = f"{label} — {f.rows[problem.row].label(lang)}"
                else:
                    label = f"{label} — #{problem.row + 1}"
                if problem.column:
                    anchor = f"t-{f.key}-{problem.row}-{problem.column}"
            if problem.column and f.type == "table" and any(
                    c.key == problem.column for c in f.columns):
                label = f"{label} — {f.column(problem.column).label(lang)}"
            target = (anchor, label, problem.message)
        (summary_errors if problem.severity == "error" else summary_warnings).append(target)
    sections: list[SectionView] = []
    for section in defn.sections:
        views: list[FieldView] = []
        for f in section.fields:
            notes = by_place[(f.key, None, None)]
            view = FieldView(key=f.key, type=f.type, label=f.label(lang), help=f.help(lang),
                             unit=f.unit(lang), required=f.required, input=None, table=None,
                             notes=notes)
            if f.type == "table":
                view.table = _table(f, entry.get(f.key) or [], by_place, lang,
                                    (extra_rows or {}).get(f.key, 0), blank_rows)
            else:
                view.input = Input(name=f"f-{f.key}", id=f"f-{f.key}", type=f.type,
                                   value=entry.get(f.key, [] if f.type == "multichoice"
                                                   else ""),
                                   choices=_choices(f, lang), required=f.required,
                                   notes=notes, label=f.label(lang), places=f.places)
            views.append(view)
        sections.append(SectionView(section.key, section.title(lang), section.help(lang),
                                    views))
    return Layout(sections=sections, notes=general,
                  summary=summary_errors + summary_warnings)


def _table(f: Field, rows: list[Mapping[str, Any]],
           by_place: Mapping[tuple[str, int | None, str | None], Notes], lang: str,
           extra: int, blank_rows: int) -> Table:
    views: list[Row] = []
    if f.has_fixed_rows:
        by_key = {r.get("row"): r for r in rows}
        pairs: list[tuple[str, Mapping[str, Any]]] = [
            (row.label(lang), by_key.get(row.key, {})) for row in f.rows]
    else:
        limit = f.max_rows or MAX_FREE_ROWS
        count = min(len(rows) + blank_rows + extra, limit)
        count = max(count, f.min_rows or 0, len(rows))
        pairs = [("", rows[i] if i < len(rows) else {}) for i in range(count)]
    for index, (label, values) in enumerate(pairs):
        cells = [Input(name=f"t-{f.key}-{index}-{c.key}", id=f"t-{f.key}-{index}-{c.key}",
                       type=c.type, value=values.get(c.key, [] if c.type == "multichoice"
                                                     else ""),
                       choices=_choices(c, lang), required=c.required,
                       notes=by_place.get((f.key, index, c.key), Notes()), label=c.label(lang),
                       places=c.places, unit=c.unit(lang))
                 for c in f.columns]
        views.append(Row(index=index, label=label, cells=cells,
                         notes=by_place.get((f.key, index, None), Notes())))
    return Table(fixed=f.has_fixed_rows, columns=f.columns, rows=views, count=len(views),
                 can_add=not f.has_fixed_rows and len(views) < (f.max_rows or MAX_FREE_ROWS),
                 lang=lang)
