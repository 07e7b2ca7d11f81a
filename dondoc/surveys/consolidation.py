"""Consolidation of a survey campaign: one item of the form across units, up the unit tree.

For one item of the form — a number field, a table column summed over its rows, one cell
of a fixed-row table, or a choice / multiple-choice / yes-no field (or table column) —
every unit that had to answer is listed with the units above it up to their common
ancestor; each parent carries its subtree's figures (sum, average, minimum, maximum and
answering units; or the count of each choice). Next to it: a chart and the units whose
answer is missing.

A number combines as its field's ``aggregate`` says (``definition.combine``): an average
or a rate is never added up — a parent's figure is the mean over the units that gave a
value (their number is shown), and a free-row table's "all rows" figure the mean of its
rows; a fixed-row table's average column has no "all rows" item at all (see
``Field.combines_rows``).

Only accepted submissions count, unless the reader includes those submitted and not yet
accepted (the page says so). The work takes a bounded number of queries whatever the
size of the campaign: the units that answer, the units between them and their common
ancestor, and the submissions with the one answer needed (the database extracts it from
the answers JSON); everything else is done in Python, once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db.models.fields.json import KeyTextTransform
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.surveys import definition as defs
from dondoc.surveys.models import Campaign, SubmissionStatus

NUMBER, CHOICES = "number", "choices"
CHART_BARS = 40
ACCEPTED = SubmissionStatus.ACCEPTED.value
SUBMITTED = SubmissionStatus.SUBMITTED.value
YES, NO = "true", "false"


# The items of a form -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """Something of the form that can be consolidated. ``key`` is a field key, a table
    column (``"table.column"``: the sum over the table's rows) or a cell of a fixed-row
    table (``"table.row.column"``)."""

    key: str
    label: str
    kind: str  # NUMBER or CHOICES
    places: int = 0
    aggregate: str = defs.DEFAULT_AGGREGATE

    @property
    def is_summed(self) -> bool:
        return self.aggregate == "sum"

    @property
    def answer_key(self) -> str:
        """The key of the answers dict that holds the item."""
        return self.key.split(".", 1)[0]


@dataclass(frozen=True)
class ItemGroup:
    title: str
    items: list[Item]


@lru_cache(maxsize=64)
def _parsed(form_id: int, version_key: str, raw: str) -> defs.FormDefinition:
    return defs.parse_definition(json.loads(raw))


def definition_of(campaign: Campaign) -> defs.FormDefinition:
    """The campaign's form, parsed once per process (a form used by a campaign never
    changes: a change is a new version, another row)."""
    form = campaign.form
    return _parsed(form.pk, f"{form.key}:{form.version}",
                   json.dumps(form.definition, sort_keys=True))


def _places(f: defs.Field) -> int:
    return (f.places or 2) if f.type == "decimal" else 0


# The label of a table column's "all rows" item, by how its rows combine.
_ROWS_LABELS: dict[str, Callable[[], str]] = {
    "sum": lambda: _("%(column)s (all rows)"),
    "average": lambda: _("%(column)s (average of the rows)"),
    "min": lambda: _("%(column)s (smallest of the rows)"),
    "max": lambda: _("%(column)s (largest of the rows)"),
}


def items_of(defn: defs.FormDefinition, lang: str | None = None) -> list[ItemGroup]:
    """The consolidatable items of the form, by section, in the form's order."""
    groups: list[ItemGroup] = []
    for section in defn.sections:
        items: list[Item] = []
        for f in section.fields:
            if f.is_numeric:
                items.append(Item(f.key, f.label(lang), NUMBER, _places(f), f.aggregate))
            elif f.type in ("choice", "multichoice", "boolean"):
                items.append(Item(f.key, f.label(lang), CHOICES))
            elif f.type == "table":
                for column in f.columns:
                    label = f"{f.label(lang)} — {column.label(lang)}"
                    if f.combines_rows(column):
                        total = _ROWS_LABELS[column.aggregate]() % {"column": label}
                        items.append(Item(f"{f.key}.{column.key}", total, NUMBER,
                                          _places(column), column.aggregate))
                    elif column.type in ("choice", "multichoice", "boolean"):
                        items.append(Item(f"{f.key}.{column.key}", label, CHOICES))
                for row in f.rows:
                    for column in f.columns:
                        if column.is_numeric:
                            items.append(Item(
                                f"{f.key}.{row.key}.{column.key}",
                                f"{f.label(lang)} — {row.label(lang)} — {column.label(lang)}",
                                NUMBER, _places(column), column.aggregate))
        if items:
            groups.append(ItemGroup(section.title(lang), items))
    return groups


def not_summed(defn: defs.FormDefinition, lang: str | None = None) -> list[tuple[str, str]]:
    """(label, aggregate) of the numbers of the form that are not added up (averages,
    rates, minimum, maximum), fields and table columns, in the form's order."""
    found: list[tuple[str, str]] = []
    for f in defn.fields:
        if f.is_numeric and not f.is_summed:
            found.append((f.label(lang), f.aggregate))
        for column in f.columns:
            if column.is_numeric and not column.is_summed:
                found.append((f"{f.label(lang)} — {column.label(lang)}", column.aggregate))
    return found


def find_item(defn: defs.FormDefinition, key: str, lang: str | None = None) -> Item | None:
    for group in items_of(defn, lang):
        for item in group.items:
            if item.key == key:
                return item
    return None


def choices_of(defn: defs.FormDefinition, item: Item,
               lang: str | None = None) -> list[tuple[str, str]]:
    """(value, label) of a CHOICES item, yes/no for a yes-no field."""
    f = defn.field(".".join(item.key.split(".")[:2]))
    if f.type == "boolean":
        return [(YES, _("Yes")), (NO, _("No"))]
    return [(choice.value, choice.label(lang)) for choice in f.choices]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


NumberGetter = Callable[[Mapping[str, Any]], Decimal | None]


def numeric_getter(defn: defs.FormDefinition, key: str) -> NumberGetter | None:
    """A function reading the number ``key`` names from an answers dict — a number
    field, ``"table.column"`` (the rows combined as the column says, like
    ``definition.numeric_total``; None for a column without an all-rows figure) or
    ``"table.row.column"`` (a fixed row's cell) — or None when the form has no such
    number. The field is looked up once, not once a unit."""
    parts = key.split(".")
    if len(parts) > 3:
        return None
    try:
        f = defn.field(key if len(parts) == 1 else f"{parts[0]}.{parts[-1]}")
    except KeyError:
        return None
    if not f.is_numeric:
        return None
    if len(parts) == 1:
        return lambda answers: _decimal(answers.get(key))
    table_key, column_key = parts[0], parts[-1]
    if len(parts) == 3:
        row_key = parts[1]
        table = defn.field(table_key)
        if not any(row.key == row_key for row in table.rows):
            return None
        try:
            table.column(column_key)
        except KeyError:
            return None

        def cell(answers: Mapping[str, Any]) -> Decimal | None:
            rows = answers.get(table_key)
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, Mapping) and row.get("row") == row_key:
                    return _decimal(row.get(column_key))
            return None
        return cell
    if not defn.field(table_key).combines_rows(f):
        return None
    aggregate = f.aggregate

    def total(answers: Mapping[str, Any]) -> Decimal | None:
        rows = answers.get(table_key)
        values = [_decimal(row.get(column_key)) for row in rows if isinstance(row, Mapping)] \
            if isinstance(rows, list) else []
        return defs.combine([value for value in values if value is not None], aggregate)
    return total


def _choice_values(f: defs.Field, value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if f.type == "boolean":
        return [YES if value is True or value == YES else NO]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


ChoiceGetter = Callable[[Mapping[str, Any]], list[str]]


def choice_getter(defn: defs.FormDefinition, key: str) -> ChoiceGetter:
    """A function reading the choice values a CHOICES item takes in an answers dict (a
    table column: one a row), the field looked up once."""
    table_key, _dot, column_key = key.partition(".")
    f = defn.field(key)
    if not column_key:
        return lambda answers: _choice_values(f, answers.get(key))

    def picked(answers: Mapping[str, Any]) -> list[str]:
        rows = answers.get(table_key)
        values: list[str] = []
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, Mapping):
                values.extend(_choice_values(f, row.get(column_key)))
        return values
    return picked


def decode_extracted(raw: Any) -> Any:
    """An answer extracted by the database as text (``->>``): JSON lists, objects and
    literals decoded; numbers and strings kept (decimals stay exact strings)."""
    if isinstance(raw, str):
        text = raw.strip()
        if text[:1] in ("[", "{") or text in ("true", "false", "null"):
            try:
                return json.loads(text)
            except ValueError:
                return raw
    return raw


# The unit tree of a campaign ------------------------------------------------------------


@dataclass
class TreeUnit:
    pk: int
    code: str
    name: str
    short_name: str
    path: str
    level: int = 0
    member: bool = False  # must answer
    status: str | None = None  # of its submission; None: no submission
    saved_at: dt.datetime | None = None
    has_children: bool = False

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass
class CampaignTree:
    """The campaign's answering units visible to a reader and the units between them and
    their common ancestor (``root``), in tree order."""

    units: list[TreeUnit]
    root: TreeUnit | None

    def members(self) -> list[TreeUnit]:
        return [unit for unit in self.units if unit.member]

    def ancestors_of(self, unit: TreeUnit) -> list[TreeUnit]:
        """The unit and the units above it in the tree, up to the root."""
        return [self._by_path[path] for path in _prefixes(unit.path)
                if path in self._by_path]

    def __post_init__(self) -> None:
        self._by_path = {unit.path: unit for unit in self.units}


def _prefixes(path: str) -> list[str]:
    step = Unit.steplen
    return [path[:length] for length in range(step, len(path) + 1, step)]


def _common_prefix(paths: Iterable[str]) -> str:
    step = Unit.steplen
    items = list(paths)
    if not items:
        return ""
    first, last = min(items), max(items)
    length = 0
    while length < len(first) and length < len(last) and first[length] == last[length]:
        length += 1
    return first[: length - length % step]


def campaign_units(user: Any, campaign: Campaign) -> list[TreeUnit]:
    """The campaign's answering units the reader may see (unit managers: their subtree;
    staff in scope: all), with their submission's status, in tree order: two queries."""
    rows = (scoping.campaign_units_visible_to(user).filter(campaign=campaign)
            .values_list("unit_id", "unit__code", "unit__name", "unit__short_name",
                         "unit__path").order_by("unit__path"))
    units = [TreeUnit(pk, code, name, short or "", path, member=True)
             for pk, code, name, short, path in rows]
    by_pk = {unit.pk: unit for unit in units}
    for unit_id, status, saved_at in scoping.submissions_visible_to(user).filter(
            campaign=campaign).values_list("unit_id", "status", "current__created_at"):
        if unit_id in by_pk:
            by_pk[unit_id].status = status
            by_pk[unit_id].saved_at = saved_at
    return units


def tree_of(members: list[TreeUnit]) -> CampaignTree:
    """The answering units with the units between them and their common ancestor (one
    query), in tree order, levels counted from that ancestor."""
    if not members:
        return CampaignTree([], None)
    common = _common_prefix(unit.path for unit in members)
    known = {unit.path for unit in members}
    wanted = {prefix for unit in members for prefix in _prefixes(unit.path)
              if len(prefix) >= len(common) and prefix not in known}
    between = [TreeUnit(pk, code, name, short or "", path)
               for pk, code, name, short, path in Unit.objects.filter(path__in=wanted)
               .values_list("pk", "code", "name", "short_name", "path")] if wanted else []
    units = sorted([*members, *between], key=lambda unit: unit.path)
    step = Unit.steplen
    base = len(common) // step
    for index, unit in enumerate(units):
        unit.level = len(unit.path) // step - base
        unit.has_children = index + 1 < len(units) and \
            units[index + 1].path.startswith(unit.path)
    root = units[0] if units[0].path == common else None
    return CampaignTree(units, root)


def campaign_tree(user: Any, campaign: Campaign) -> CampaignTree:
    return tree_of(campaign_units(user, campaign))


def included_statuses(include_submitted: bool) -> tuple[str, ...]:
    return (ACCEPTED, SUBMITTED) if include_submitted else (ACCEPTED,)


def answers_of(user: Any, campaign: Campaign, *, include_submitted: bool,
               answer_key: str | None = None) -> dict[int, dict[str, Any]]:
    """Unit id → answers of its counted submission (accepted; or submitted too), one
    query. With ``answer_key`` only that answer is read: the database extracts it, so
    large forms cost no more than small ones."""
    submissions = scoping.submissions_visible_to(user).filter(
        campaign=campaign, status__in=included_statuses(include_submitted),
        current__isnull=False)
    if answer_key is None:
        return dict(submissions.values_list("unit_id", "current__answers"))
    extracted = submissions.values_list("unit_id", KeyTextTransform(answer_key,
                                                                    "current__answers"))
    return {unit_id: {answer_key: decode_extracted(raw)} for unit_id, raw in extracted}


# Consolidation ------------------------------------------------------------------------------


@dataclass
class Figures:
    """A unit's row: its own answer and the figures of its subtree (itself included)."""

    unit: TreeUnit
    places: int = 0
    aggregate: str = defs.DEFAULT_AGGREGATE
    own: Decimal | list[str] | None = None
    own_labels: list[str] = field(default_factory=list)
    answered: int = 0  # units of the subtree whose answer counts
    expected: int = 0  # units of the subtree that must answer
    with_value: int = 0  # counted units whose answer to the item is not blank
    total: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    counts: dict[str, int] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)  # what the page shows, formatted once
    # The same cells with their column headings, for the phone's card rows (label: value).
    labelled_cells: list[tuple[str, str]] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        """The mean over the units that gave a value, to the field's decimal places (at
        least one)."""
        if self.total is None or not self.with_value:
            return None
        quantum = Decimal(1).scaleb(-max(self.places, 1))
        return (self.total / self.with_value).quantize(quantum, ROUND_HALF_UP)

    @property
    def figure(self) -> Decimal | None:
        """The subtree's figure as the item combines: sum, mean, minimum or maximum."""
        if self.aggregate == "average":
            return self.average
        if self.aggregate == "min":
            return self.minimum
        if self.aggregate == "max":
            return self.maximum
        return self.total

    @property
    def count_list(self) -> list[int]:
        return list(self.counts.values())

    def add(self, value: Decimal) -> None:
        self.total = value if self.total is None else self.total + value
        self.minimum = value if self.minimum is None else min(self.minimum, value)
        self.maximum = value if self.maximum is None else max(self.maximum, value)
        self.with_value += 1


def status_label(status: str | None, started: bool = True) -> str:
    """How a responding unit's submission stands, in words."""
    if status is None or (status == SubmissionStatus.DRAFT and not started):
        return str(_("Not started"))
    return str(SubmissionStatus(status).label)


@dataclass
class Missing:
    unit: TreeUnit
    days_late: int

    @property
    def status_label(self) -> str:
        return status_label(self.unit.status, self.unit.saved_at is not None)


@dataclass
class Consolidation:
    campaign: Campaign
    item: Item | None
    include_submitted: bool
    rows: list[Figures]
    total: Figures | None
    choices: list[tuple[str, str]]
    missing: list[Missing]
    members: int
    counted: int
    groups: list[ItemGroup]
    chart: SafeString | None = None

    @property
    def choice_labels(self) -> list[str]:
        return [label for _value, label in self.choices]

    @property
    def headings(self) -> list[str]:
        """The headings of the figures' columns (after the unit's), in the cells' order."""
        first = [_("Its answer"), _("Answered")]
        if self.item is not None and self.item.kind == CHOICES:
            return [*first, *self.choice_labels]
        if self.item is not None and not self.item.is_summed:
            return [*first, _("Average"), _("Units averaged"), _("Minimum"), _("Maximum")]
        return [*first, _("Sum"), _("Average"), _("Minimum"), _("Maximum")]


def missing_of(tree: CampaignTree, *, include_submitted: bool, deadline: dt.date | None,
               today: dt.date) -> list[Missing]:
    """Answering units whose answer does not count yet, with the days past the deadline."""
    counted = set(included_statuses(include_submitted))
    late = max(0, (today - deadline).days) if deadline else 0
    return [Missing(unit, late) for unit in tree.members() if unit.status not in counted]


def consolidate(*, user: Any, campaign: Campaign, key: str | None,
                include_submitted: bool = False, today: dt.date,
                lang: str | None = None) -> Consolidation:
    """The consolidation of item ``key`` (the first number of the form when None or
    unknown) as ``user`` may see it."""
    defn = definition_of(campaign)
    groups = items_of(defn, lang)
    item = find_item(defn, key, lang) if key else None
    if item is None:
        item = next((i for group in groups for i in group.items if i.kind == NUMBER),
                    next((i for group in groups for i in group.items), None))
    tree = campaign_tree(user, campaign)
    missing = missing_of(tree, include_submitted=include_submitted,
                         deadline=campaign.deadline, today=today)
    places = item.places if item else 0
    aggregate = item.aggregate if item else defs.DEFAULT_AGGREGATE
    rows = {unit.pk: Figures(unit, places=places, aggregate=aggregate) for unit in tree.units}
    # The overall figures: the common ancestor's row, or one of their own when the units
    # have no common ancestor in the reader's view.
    total = rows[tree.root.pk] if tree.root is not None else Figures(
        TreeUnit(0, "", _("Total"), "", ""), places=places, aggregate=aggregate)
    extra = [] if tree.root is not None else [total]
    choices: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    counted = 0
    if item is not None:
        answers = answers_of(user, campaign, include_submitted=include_submitted,
                             answer_key=item.answer_key)
        number = numeric_getter(defn, item.key) if item.kind == NUMBER else None
        picked_of = choice_getter(defn, item.key) if item.kind == CHOICES else None
        if item.kind == CHOICES:
            choices = choices_of(defn, item, lang)
            labels.update(choices)
            for figures in [*rows.values(), *extra]:
                figures.counts = dict.fromkeys((value for value, _label in choices), 0)
        for unit in tree.members():
            chain = [*(rows[above.pk] for above in tree.ancestors_of(unit)), *extra]
            for figures in chain:
                figures.expected += 1
            if unit.pk not in answers:
                continue
            counted += 1
            own = rows[unit.pk]
            for figures in chain:
                figures.answered += 1
            if number is not None:
                value = number(answers[unit.pk])
                own.own = value
                if value is not None:
                    for figures in chain:
                        figures.add(value)
            elif picked_of is not None:
                picked = picked_of(answers[unit.pk])
                own.own = picked
                own.own_labels = [labels.get(choice, choice) for choice in picked]
                for choice in picked:
                    for figures in chain:
                        if choice in figures.counts:
                            figures.counts[choice] += 1
    ordered = [rows[unit.pk] for unit in tree.units]
    result = Consolidation(campaign=campaign, item=item, include_submitted=include_submitted,
                           rows=ordered, total=total, choices=choices, missing=missing,
                           members=len(tree.members()), counted=counted, groups=groups)
    result.chart = chart_of(result)
    _format_cells(result)
    return result


def number_formatter() -> Callable[[Decimal | int | None], str]:
    """Numbers as the page shows them in the active language (``1.234,5`` in vi): up to
    two decimal places, none for whole numbers; "—" for blank. Done in Python once per
    cell: the template's ``floatformat`` was most of the page's time for 500 units."""
    decimal_mark = str(formats.get_format("DECIMAL_SEPARATOR"))
    thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
    table = str.maketrans({",": thousands, ".": decimal_mark})

    def fmt(value: Decimal | int | None) -> str:
        if value is None:
            return "—"
        number = Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)
        text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"
        return text.translate(table)
    return fmt


def _format_cells(result: Consolidation) -> None:
    fmt = number_formatter()
    headings = result.headings
    for row in result.rows:
        own = ""
        if row.unit.member:
            if row.own is None:
                own = "—"
            elif isinstance(row.own, list):
                own = ", ".join(row.own_labels)
            else:
                own = fmt(row.own)
        cells = [own, f"{row.answered}/{row.expected}"]
        if result.item is not None and result.item.kind == CHOICES:
            cells += [str(count) for count in row.counts.values()]
        elif result.item is not None and not result.item.is_summed:
            # An average, a rate, a minimum: a sum means nothing; say over how many units.
            cells += [fmt(row.average), str(row.with_value), fmt(row.minimum),
                      fmt(row.maximum)]
        else:
            cells += [fmt(row.total), fmt(row.average), fmt(row.minimum), fmt(row.maximum)]
        row.cells = cells
        row.labelled_cells = list(zip(headings, cells, strict=True))


# The chart ----------------------------------------------------------------------------------

PALETTE = ("#1f5fbf", "#6f42c1")


def _number(value: float) -> str:
    """A bar's value in the active language (``6,2`` and ``1.234`` in vi, as the table),
    up to two decimal places: averages are seldom whole."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if round(value, 2) % 1 else f"{value:,.0f}"
    thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
    decimal_mark = str(formats.get_format("DECIMAL_SEPARATOR"))
    table = str.maketrans({",": thousands, ".": decimal_mark})
    return text.translate(table)


_CHART_TITLES: dict[str, Callable[[], str]] = {
    "sum": lambda: _("“%(item)s”: total of each unit's subtree"),
    "average": lambda: _("“%(item)s”: average over each unit's subtree"),
    "min": lambda: _("“%(item)s”: smallest in each unit's subtree"),
    "max": lambda: _("“%(item)s”: largest in each unit's subtree"),
}


def chart_of(result: Consolidation) -> SafeString | None:
    """Numbers: the subtotal of each unit one level below the top; choices: the count of
    each choice over everything shown."""
    if result.item is None or result.total is None:
        return None
    if result.item.kind == CHOICES:
        bars = [(label, float(result.total.counts.get(value, 0)))
                for value, label in result.choices]
        title = _("Answers to “%(item)s”: units (or rows) per choice") % {
            "item": result.item.label}
    else:
        top = min((row.unit.level for row in result.rows), default=0)
        level = top + 1 if result.total.unit.pk and any(
            row.unit.level == top + 1 for row in result.rows) else top
        bars = [(row.unit.label, float(figure)) for row in result.rows
                if row.unit.level == level and (figure := row.figure) is not None]
        title = _CHART_TITLES[result.item.aggregate]() % {"item": result.item.label}
    if not bars:
        return None
    # Two drawings, one shown by the screen's width: the wide one's 11-unit labels would
    # be 6 px on a phone; the narrow one puts each label above its bar.
    return mark_safe(  # noqa: S308 - both drawings escape every text
        bar_chart(title=title, bars=bars, css="d-none d-sm-block")
        + bar_chart(title=title, bars=bars, css="d-sm-none", narrow=True))


def bar_chart(*, title: str, bars: Sequence[tuple[str, float]], css: str = "",
              narrow: bool = False) -> SafeString:
    """A horizontal bar chart drawn on the server (no script, strict CSP), one bar a label,
    its value written at its end; neighbouring bars differ in shade so that a grey-scale
    print still tells them apart. The exact numbers are in the table next to it.
    ``narrow``: 360 units wide for a phone, each label on its own line above its bar."""
    shown = list(bars)[:CHART_BARS]
    if narrow:
        width, left, right, top, bar, gap = 360, 4, 70, 8, 14, 22
    else:
        width, left, right, top, bar, gap = 640, 190, 80, 8, 16, 6
    height = top * 2 + len(shown) * (bar + gap)
    high = max([0.0, *(value for _label, value in shown)])
    low = min([0.0, *(value for _label, value in shown)])
    span = (high - low) or 1.0
    plot = width - left - right

    def x_of(value: float) -> float:
        return left + (value - low) / span * plot

    parts = [f'<svg class="{f"chart survey-chart {css}".strip()}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    zero = x_of(0.0)
    for index, (label, value) in enumerate(shown):
        y = top + index * (bar + gap) + (gap - 6 if narrow else 0)
        start, end = sorted((zero, x_of(value)))
        if narrow:  # the label on its own line, above the bar, from the left edge
            short = label if len(label) <= 50 else label[:49] + "…"
            label_text = (f'<text x="{left + 3}" y="{y - 3}" font-size="12" fill="#222">'
                          f"{escape(short)}</text>")
        else:
            short = label if len(label) <= 30 else label[:29] + "…"
            label_text = (f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end" '
                          f'font-size="11" fill="#222">{escape(short)}</text>')
        size = 12 if narrow else 11
        parts.append(
            f"{label_text}"
            f'<rect x="{start:.1f}" y="{y}" width="{max(end - start, 0.5):.1f}" '
            f'height="{bar}" fill="{PALETTE[index % 2]}"><title>{escape(label)}: '
            f"{escape(_number(value))}</title></rect>"
            f'<text x="{end + 4:.1f}" y="{y + bar - 3}" font-size="{size}" fill="#222">'
            f"{escape(_number(value))}</text>")
    parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top - 2}" '
                 f'y2="{height - top}" stroke="#888"/></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
