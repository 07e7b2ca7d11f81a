"""Survey form definitions: parse and check the JSON, clean answers, evaluate rules (no DB).

The JSON format is described in docs/surveys.md and the survey data contract. This module
is pure: it takes plain data and returns plain data, so the browser, the Excel upload and
the API validate answers the same way.

Rule expressions are evaluated by a small interpreter over Python's ``ast`` with a strict
whitelist (numbers, field keys, ``+ - * /``, comparisons, ``and or not``, and the functions
``sum(table.column)``, ``count(table)``, ``value(table, "row", "column")``, ``min``,
``max``, ``abs``). Nothing is ever passed to ``eval``. A blank operand makes the rule not
apply, so half-filled drafts do not drown in messages.

Extensions of the contract (compatible): a field may carry ``"unit"`` (unit of measure,
vi/en) for display, and a rule may carry ``"table": "<table key>"`` to be checked on every
row of that table; inside such a rule, names are the table's columns first, then form
fields, and ``fields`` lists columns of that table. A number field or column may carry
``"aggregate"`` — how its values combine over a table's rows and up the unit tree:
``sum`` (the default: counts, amounts), ``average`` (averages, rates, per cents), ``min``
or ``max``; see :func:`combine`.
"""

from __future__ import annotations

import ast
import copy
import datetime
import decimal
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

FIELD_TYPES = (
    "integer", "decimal", "text", "choice", "multichoice", "date", "boolean", "file", "table",
)
NUMERIC_TYPES = ("integer", "decimal")
COLUMN_TYPES = tuple(t for t in FIELD_TYPES if t not in ("table", "file"))
# How a number combines over rows and units; a definition without "aggregate" sums.
AGGREGATES = ("sum", "average", "min", "max")
DEFAULT_AGGREGATE = "sum"
FUNCTIONS = ("sum", "count", "value", "min", "max", "abs")
RESERVED_KEYS = frozenset((*FUNCTIONS, "row", "and", "or", "not", "true", "false", "none"))
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
FORM_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")

MAX_EXPRESSION_LENGTH = 500
MAX_EXPRESSION_NODES = 200
MAX_CONSTANT = Decimal("1e15")
MAX_TEXT_LENGTH = 10000
MAX_DIGITS = 20          # digits before the decimal point accepted in an answer
MAX_FREE_ROWS = 1000     # a free-row table never holds more rows than this
DEFAULT_TEXT_LENGTH = 2000
# Rule arithmetic runs in its own context: bounded precision and exponent, errors trap.
RULE_CONTEXT = decimal.Context(prec=34, Emax=999, Emin=-999,
                               traps=[decimal.InvalidOperation, decimal.Overflow,
                                      decimal.DivisionByZero])

FIELD_PROPERTIES = {
    "common": {"key", "type", "label", "help", "required", "unit"},
    "integer": {"min", "max", "aggregate"},
    "decimal": {"min", "max", "places", "aggregate"},
    "text": {"max_length"},
    "choice": {"choices"},
    "multichoice": {"choices"},
    "date": set(),
    "boolean": set(),
    "file": set(),
    "table": {"columns", "rows", "min_rows", "max_rows"},
}


class DefinitionError(ValueError):
    """A form definition is not valid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(texts: Mapping[str, str], lang: str | None) -> str:
    """Pick the text for ``lang`` (default: the active language), falling back to vi, en."""
    lang = (lang or get_language() or "vi").split("-")[0]
    return texts.get(lang) or texts.get("vi") or texts.get("en") or ""


@dataclass(frozen=True)
class Choice:
    value: str
    labels: dict[str, str]

    def label(self, lang: str | None = None) -> str:
        return _text(self.labels, lang)


@dataclass(frozen=True)
class Row:
    """A fixed row of a table (e.g. "cars")."""

    key: str
    labels: dict[str, str]

    def label(self, lang: str | None = None) -> str:
        return _text(self.labels, lang)


@dataclass
class Field:
    """One field of a form, or one column of a table (then ``table`` names the table)."""

    key: str
    type: str
    labels: dict[str, str]
    helps: dict[str, str]
    units: dict[str, str]
    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    places: int | None = None
    max_length: int | None = None
    choices: list[Choice] = dc_field(default_factory=list)
    columns: list[Field] = dc_field(default_factory=list)
    rows: list[Row] = dc_field(default_factory=list)
    min_rows: int | None = None
    max_rows: int | None = None
    section: str = ""
    table: str | None = None
    aggregate: str = DEFAULT_AGGREGATE


    def label(self, lang: str | None = None) -> str:
        return _text(self.labels, lang)

    def help(self, lang: str | None = None) -> str:
        return _text(self.helps, lang)

    def unit(self, lang: str | None = None) -> str:
        return _text(self.units, lang)

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def has_fixed_rows(self) -> bool:
        return self.type == "table" and bool(self.rows)

    @property
    def is_summed(self) -> bool:
        """A number whose values add up (the default); False for averages, min, max."""
        return self.aggregate == "sum"

    def combines_rows(self, column: Field) -> bool:
        """Whether the numeric ``column`` of this table has an "all rows" figure. Not for
        an average over fixed rows: they are different kinds of things (cars, boats), and
        the plain mean of their average ages is not the average age of the fleet; each
        row's figure stands on its own. Free rows are alike (sites): their mean is one."""
        return column.is_numeric and not (self.has_fixed_rows
                                          and column.aggregate == "average")

    def column(self, key: str) -> Field:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.key}.{key}")

    def choice_label(self, value: str, lang: str | None = None) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label(lang)
        return value


@dataclass
class Section:
    key: str
    titles: dict[str, str]
    helps: dict[str, str]
    fields: list[Field]

    def title(self, lang: str | None = None) -> str:
        return _text(self.titles, lang)

    def help(self, lang: str | None = None) -> str:
        return _text(self.helps, lang)


@dataclass
class Rule:
    key: str
    expr: str
    severity: str
    fields: list[str]
    messages: dict[str, str]
    table: str | None
    tree: ast.Expression

    def message(self, lang: str | None = None) -> str:
        return _text(self.messages, lang)


@dataclass
class FormDefinition:
    key: str
    version: int
    titles: dict[str, str]
    descriptions: dict[str, str]
    sections: list[Section]
    rules: list[Rule]
    raw: dict[str, Any]

    def title(self, lang: str | None = None) -> str:
        return _text(self.titles, lang)

    def description(self, lang: str | None = None) -> str:
        return _text(self.descriptions, lang)

    @property
    def fields(self) -> list[Field]:
        """Every top-level field in order, tables included (their columns are not)."""
        return [f for section in self.sections for f in section.fields]

    def field(self, key: str) -> Field:
        """The field ``key``, or a table column given as ``"table.column"``; KeyError if none."""
        table_key, _dot, column_key = key.partition(".")
        for f in self.fields:
            if f.key == table_key:
                if column_key:
                    if f.type != "table":
                        raise KeyError(key)
                    return f.column(column_key)
                return f
        raise KeyError(key)

    def has_field(self, key: str) -> bool:
        try:
            self.field(key)
        except KeyError:
            return False
        return True

    def numeric_keys(self) -> list[str]:
        """Keys of numeric fields and ``"table.column"`` for numeric table columns (their
        rows combined), in order; an average column of a fixed-row table, which has no
        all-rows figure, gives each row's cell instead (``"table.row.column"``)."""
        keys: list[str] = []
        for f in self.fields:
            if f.is_numeric:
                keys.append(f.key)
            elif f.type == "table":
                for c in f.columns:
                    if f.combines_rows(c):
                        keys.append(f"{f.key}.{c.key}")
                    elif c.is_numeric:
                        keys.extend(f"{f.key}.{row.key}.{c.key}" for row in f.rows)
        return keys

    def aggregate_of(self, key: str) -> str | None:
        """How the number ``key`` (a field, ``"table.column"`` or ``"table.row.column"``)
        combines; None when the form has no such number."""
        parts = key.split(".")
        try:
            f = self.field(parts[0] if len(parts) == 1 else f"{parts[0]}.{parts[-1]}")
        except KeyError:
            return None
        return f.aggregate if f.is_numeric else None

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)


@dataclass(frozen=True)
class Problem:
    """A problem with an answer. ``row`` is the 0-based position of the row in the table
    (fixed rows: position in the definition; free rows: position in the submitted list)."""

    field: str
    row: int | None
    column: str | None
    severity: str  # "error" | "warning"
    message: str
    code: str

    @property
    def path(self) -> str:
        """``field``, ``table[row]`` or ``table[row].column`` — for API clients."""
        path = self.field
        if self.row is not None:
            path += f"[{self.row}]"
        if self.column:
            path += f".{self.column}"
        return path

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "row": self.row, "column": self.column,
                "severity": self.severity, "message": self.message, "code": self.code,
                "path": self.path}


# ---------------------------------------------------------------------------
# Parsing a definition
# ---------------------------------------------------------------------------

class _Parser:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}" if where else text)

    def texts(self, value: Any, where: str, *, required: bool) -> dict[str, str]:
        if value is None or value == "":
            if required:
                self.problem(where, "missing text (give {\"vi\": ..., \"en\": ...})")
            return {}
        if isinstance(value, str):
            return {"vi": value, "en": value}
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            self.problem(where, "must be a text or an object {\"vi\": ..., \"en\": ...}")
            return {}
        unknown = sorted(set(value) - {"vi", "en"})
        if unknown:
            self.problem(where, f"unknown languages {unknown} (use vi and en)")
        if required and not value.get("vi", "").strip():
            self.problem(where, "the Vietnamese text (vi) is required")
        return {k: v for k, v in value.items() if k in ("vi", "en")}

    def number(self, value: Any, where: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(where, "must be a number")
            return None
        try:
            number = Decimal(str(value))
        except decimal.InvalidOperation:
            self.problem(where, "must be a number")
            return None
        if not number.is_finite() or abs(number) > MAX_CONSTANT:
            self.problem(where, "number out of range")
            return None
        return number

    def integer(self, value: Any, where: str, *, low: int, high: int) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(where, f"must be a whole number between {low} and {high}")
            return None
        return value

    def key(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not KEY_RE.match(value):
            self.problem(where, f"key {value!r} must be lower-case letters, digits and _, "
                                "starting with a letter")
            return str(value)
        if value in RESERVED_KEYS:
            self.problem(where, f"key {value!r} is reserved")
        return value

    def field(self, data: Any, where: str, section: str, *, in_table: str | None) -> Field | None:
        if not isinstance(data, dict):
            self.problem(where, "a field must be an object")
            return None
        key = self.key(data.get("key"), where)
        where = f"{where} ({key})"
        kind = data.get("type")
        allowed_types = COLUMN_TYPES if in_table else FIELD_TYPES
        if kind not in allowed_types:
            self.problem(where, f"unknown or unsupported type {kind!r}"
                         + (" in a table column" if in_table and kind in FIELD_TYPES else "")
                         + f"; allowed: {', '.join(allowed_types)}")
            return None
        unknown = sorted(set(data) - FIELD_PROPERTIES["common"] - FIELD_PROPERTIES[kind])
        if unknown:
            self.problem(where, f"unknown properties {unknown} for type {kind}")
        required = data.get("required", False)
        if not isinstance(required, bool):
            self.problem(where, "required must be true or false")
            required = False
        f = Field(key=key, type=kind, section=section, table=in_table, required=required,
                  labels=self.texts(data.get("label"), f"{where} label", required=True),
                  helps=self.texts(data.get("help"), f"{where} help", required=False),
                  units=self.texts(data.get("unit"), f"{where} unit", required=False))
        if kind in NUMERIC_TYPES:
            f.min = self.number(data.get("min"), f"{where} min")
            f.max = self.number(data.get("max"), f"{where} max")
            if f.min is not None and f.max is not None and f.min > f.max:
                self.problem(where, "min is greater than max")
            if kind == "integer":
                for name in ("min", "max"):
                    bound = getattr(f, name)
                    if bound is not None and bound != bound.to_integral_value():
                        self.problem(where, f"{name} of an integer field must be whole")
            else:
                f.places = self.integer(data.get("places"), f"{where} places", low=0, high=10)
            aggregate = data.get("aggregate", DEFAULT_AGGREGATE)
            if aggregate in AGGREGATES:
                f.aggregate = aggregate
            else:
                self.problem(where, _("aggregate must be one of %(allowed)s, not %(value)s "
                                      "(how the figures of units add up)")
                             % {"allowed": ", ".join(AGGREGATES), "value": repr(aggregate)[:40]})
        elif kind == "text":
            f.max_length = self.integer(data.get("max_length"), f"{where} max_length",
                                        low=1, high=MAX_TEXT_LENGTH)
        elif kind in ("choice", "multichoice"):
            f.choices = self.choices(data.get("choices"), where)
        elif kind == "table":
            self.table(f, data, where)
        return f

    def choices(self, data: Any, where: str) -> list[Choice]:
        if not isinstance(data, list) or not data:
            self.problem(where, "choices must be a non-empty list")
            return []
        choices: list[Choice] = []
        seen: set[str] = set()
        for index, item in enumerate(data, 1):
            spot = f"{where} choice {index}"
            if not isinstance(item, dict) or not isinstance(item.get("value"), str) \
                    or not item["value"].strip():
                self.problem(spot, "a choice needs a non-empty text value")
                continue
            if item["value"] in seen:
                self.problem(spot, f"duplicate choice value {item['value']!r}")
            seen.add(item["value"])
            choices.append(Choice(item["value"], self.texts(item.get("label"), f"{spot} label",
                                                            required=True)))
        return choices

    def table(self, f: Field, data: dict[str, Any], where: str) -> None:
        columns = data.get("columns")
        if not isinstance(columns, list) or not columns:
            self.problem(where, "a table needs a non-empty list of columns")
            columns = []
        seen: set[str] = set()
        for index, column_data in enumerate(columns, 1):
            column = self.field(column_data, f"{where} column {index}", f.section,
                                in_table=f.key)
            if column is None:
                continue
            if column.key in seen:
                self.problem(where, f"duplicate column key {column.key!r}")
            seen.add(column.key)
            f.columns.append(column)
        rows = data.get("rows")
        if rows is not None:
            if not isinstance(rows, list) or not rows:
                self.problem(where, "rows must be a non-empty list (or left out for free rows)")
                rows = []
            if "min_rows" in data or "max_rows" in data:
                self.problem(where, "min_rows/max_rows apply to free rows only")
            row_keys: set[str] = set()
            for index, row in enumerate(rows, 1):
                spot = f"{where} row {index}"
                if not isinstance(row, dict):
                    self.problem(spot, "a row must be an object with key and label")
                    continue
                key = self.key(row.get("key"), spot)
                if key in row_keys:
                    self.problem(spot, f"duplicate row key {key!r}")
                row_keys.add(key)
                f.rows.append(Row(key, self.texts(row.get("label"), f"{spot} label",
                                                  required=True)))
        else:
            f.min_rows = self.integer(data.get("min_rows"), f"{where} min_rows",
                                      low=0, high=MAX_FREE_ROWS)
            f.max_rows = self.integer(data.get("max_rows"), f"{where} max_rows",
                                      low=1, high=MAX_FREE_ROWS)
            if f.min_rows is not None and f.max_rows is not None and f.min_rows > f.max_rows:
                self.problem(where, "min_rows is greater than max_rows")

    def rule(self, data: Any, where: str, defn: FormDefinition) -> Rule | None:
        if not isinstance(data, dict):
            self.problem(where, "a rule must be an object")
            return None
        key = self.key(data.get("key"), where)
        where = f"{where} ({key})"
        unknown = sorted(set(data) - {"key", "expr", "severity", "fields", "message", "table"})
        if unknown:
            self.problem(where, f"unknown properties {unknown}")
        severity = data.get("severity", "error")
        if severity not in ("error", "warning"):
            self.problem(where, "severity must be \"error\" or \"warning\"")
        table: Field | None = None
        table_key = data.get("table")
        if table_key is not None:
            try:
                table = defn.field(str(table_key))
            except KeyError:
                table = None
            if table is None or table.type != "table":
                self.problem(where, f"table {table_key!r} is not a table of this form")
                return None
        expr = data.get("expr")
        tree: ast.Expression | None = None
        if not isinstance(expr, str) or not expr.strip():
            self.problem(where, "expr must be a non-empty text")
        else:
            expression_problems = check_expression(expr, defn, table)
            for message in expression_problems:
                self.problem(where, f"expr {expr.strip()[:80]!r}: {message}")
            if not expression_problems:
                tree = ast.parse(expr.strip(), mode="eval")
        fields = data.get("fields", [])
        if not isinstance(fields, list) or not all(isinstance(k, str) for k in fields):
            self.problem(where, "fields must be a list of field keys")
            fields = []
        for name in fields:
            known = (table is not None and any(c.key == name for c in table.columns)) \
                or defn.has_field(name)
            if not known:
                self.problem(where, f"unknown field {name!r} in fields")
        messages = self.texts(data.get("message"), f"{where} message", required=True)
        if tree is None:
            return None
        return Rule(key=key, expr=expr.strip() if isinstance(expr, str) else "",
                    severity=severity, fields=fields,
                    messages=messages, table=table.key if table else None, tree=tree)


def parse_definition(data: Any) -> FormDefinition:
    """Check a form definition and build it; raise DefinitionError listing every problem."""
    parser = _Parser()
    if not isinstance(data, dict):
        raise DefinitionError(["the definition must be a JSON object"])
    unknown = sorted(set(data) - {"key", "version", "title", "description", "sections", "rules"})
    if unknown:
        parser.problem("", f"unknown top-level properties {unknown}")
    key = data.get("key")
    if not isinstance(key, str) or not FORM_KEY_RE.match(key):
        parser.problem("key", "the form key must be lower-case letters, digits, _ or -")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        parser.problem("version", "must be a whole number >= 1")
        version = 0
    defn = FormDefinition(
        key=str(key), version=version, sections=[], rules=[], raw=copy.deepcopy(data),
        titles=parser.texts(data.get("title"), "title", required=True),
        descriptions=parser.texts(data.get("description"), "description", required=False))
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        parser.problem("sections", "a form needs a non-empty list of sections")
        sections = []
    section_keys: set[str] = set()
    keys: set[str] = set()
    for s_index, s_data in enumerate(sections, 1):
        where = f"section {s_index}"
        if not isinstance(s_data, dict):
            parser.problem(where, "a section must be an object")
            continue
        unknown = sorted(set(s_data) - {"key", "title", "help", "fields"})
        if unknown:
            parser.problem(where, f"unknown properties {unknown}")
        s_key = parser.key(s_data.get("key"), where)
        if s_key in section_keys:
            parser.problem(where, f"duplicate section key {s_key!r}")
        section_keys.add(s_key)
        section = Section(s_key, parser.texts(s_data.get("title"), f"{where} title",
                                              required=True),
                          parser.texts(s_data.get("help"), f"{where} help", required=False), [])
        fields = s_data.get("fields")
        if not isinstance(fields, list) or not fields:
            parser.problem(where, "a section needs a non-empty list of fields")
            fields = []
        for f_index, f_data in enumerate(fields, 1):
            f = parser.field(f_data, f"{where} field {f_index}", s_key, in_table=None)
            if f is None:
                continue
            if f.key in keys:
                parser.problem(f"{where} field {f_index}", f"duplicate field key {f.key!r}")
                continue
            keys.add(f.key)
            section.fields.append(f)
        defn.sections.append(section)
    # Column keys must not shadow form fields: table-scoped rules resolve names by key.
    for f in defn.fields:
        for column in f.columns:
            if column.key in keys:
                parser.problem(f"table {f.key}", f"column key {column.key!r} is also a "
                               "field key; give it another key")
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        parser.problem("rules", "must be a list")
        rules = []
    rule_keys: set[str] = set()
    for r_index, r_data in enumerate(rules, 1):
        rule = parser.rule(r_data, f"rule {r_index}", defn)
        if rule is None:
            continue
        if rule.key in rule_keys:
            parser.problem(f"rule {r_index}", f"duplicate rule key {rule.key!r}")
        rule_keys.add(rule.key)
        defn.rules.append(rule)
    if parser.problems:
        raise DefinitionError(parser.problems)
    return defn


# ---------------------------------------------------------------------------
# Rule expressions
# ---------------------------------------------------------------------------

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_CMPOPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def check_expression(expr: str, defn: FormDefinition, table: Field | None = None) -> list[str]:
    """Problems with a rule expression (empty when it is safe and refers to known fields)."""
    if len(expr) > MAX_EXPRESSION_LENGTH:
        return [f"expression longer than {MAX_EXPRESSION_LENGTH} characters"]
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        return [f"expression is not valid: {exc.msg}"]
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_EXPRESSION_NODES:
        return ["expression too complex"]
    problems: list[str] = []

    def numeric_name(name: str) -> None:
        if table is not None:
            for column in table.columns:
                if column.key == name:
                    if column.type not in (*NUMERIC_TYPES, "boolean"):
                        problems.append(f"column {name!r} is not a number")
                    return
        try:
            f = defn.field(name)
        except KeyError:
            problems.append(f"unknown field {name!r}")
            return
        if f.type not in (*NUMERIC_TYPES, "boolean"):
            problems.append(f"field {name!r} is not a number (use sum/count for tables)")

    def table_field(node: ast.expr, func: str) -> Field | None:
        if not isinstance(node, ast.Name):
            problems.append(f"{func}() needs a table key")
            return None
        try:
            f = defn.field(node.id)
        except KeyError:
            problems.append(f"unknown table {node.id!r}")
            return None
        if f.type != "table":
            problems.append(f"{node.id!r} is not a table")
            return None
        return f

    def numeric_column(f: Field, name: str) -> None:
        try:
            column = f.column(name)
        except KeyError:
            problems.append(f"unknown column {name!r} in table {f.key!r}")
            return
        if not column.is_numeric:
            problems.append(f"column {f.key}.{name} is not a number")

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            visit(node.body)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                visit(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            visit(node.operand)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ast.Compare) and all(isinstance(op, _CMPOPS) for op in node.ops):
            visit(node.left)
            for comparator in node.comparators:
                visit(comparator)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                problems.append(f"only numbers are allowed as constants, not {node.value!r}")
            elif abs(Decimal(str(node.value))) > MAX_CONSTANT:
                problems.append("number too large")
        elif isinstance(node, ast.Name):
            numeric_name(node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in FUNCTIONS and not node.keywords:
            visit_call(node.func.id, node.args)
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else "?"
            problems.append(f"function {name!r} is not allowed (allowed: {', '.join(FUNCTIONS)})")
        else:
            problems.append(f"{type(node).__name__} is not allowed in a rule")

    def visit_call(func: str, args: list[ast.expr]) -> None:
        if func == "sum":
            arg = args[0] if len(args) == 1 else None
            if not isinstance(arg, ast.Attribute) or not isinstance(arg.value, ast.Name):
                problems.append("sum() takes one argument: table.column")
                return
            f = table_field(arg.value, "sum")
            if f is not None:
                numeric_column(f, arg.attr)
        elif func == "count":
            if len(args) != 1:
                problems.append("count() takes one argument: a table")
                return
            table_field(args[0], "count")
        elif func == "value":
            if len(args) != 3 or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                         for a in args[1:]):
                problems.append('value() takes three arguments: table, "row", "column"')
                return
            f = table_field(args[0], "value")
            if f is None:
                return
            row_key = args[1].value  # type: ignore[attr-defined]
            if not f.has_fixed_rows or all(r.key != row_key for r in f.rows):
                problems.append(f"table {f.key!r} has no fixed row {row_key!r}")
            numeric_column(f, args[2].value)  # type: ignore[attr-defined]
        elif func in ("min", "max"):
            if len(args) < 2:
                problems.append(f"{func}() takes two or more numbers")
            for arg in args:
                visit(arg)
        elif func == "abs":
            if len(args) != 1:
                problems.append("abs() takes one number")
            for arg in args:
                visit(arg)

    visit(tree)
    return problems


class _Blank(Exception):
    """An operand is blank: the rule does not apply."""


def _as_decimal(value: Any) -> Decimal:
    if value is None or value == "" or value == []:
        raise _Blank
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        return Decimal(str(value))
    except decimal.InvalidOperation:
        raise _Blank from None


class _Evaluator:
    def __init__(self, defn: FormDefinition, answers: Mapping[str, Any],
                 row: Mapping[str, Any] | None, table: Field | None) -> None:
        self.defn = defn
        self.answers = answers
        self.row = row
        self.table = table

    def name(self, name: str) -> Decimal:
        if self.table is not None and self.row is not None \
                and any(c.key == name for c in self.table.columns):
            return _as_decimal(self.row.get(name))
        return _as_decimal(self.answers.get(name))

    def rows(self, table: str) -> list[Mapping[str, Any]]:
        rows = self.answers.get(table)
        return [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []

    def eval(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                result: Any = True
                for value in node.values:
                    result = self.eval(value)
                    if not result:
                        return result
                return result
            for value in node.values:
                result = self.eval(value)
                if result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand)
            if isinstance(node.op, ast.Not):
                return not operand
            return -operand if isinstance(node.op, ast.USub) else +operand
        if isinstance(node, ast.BinOp):
            left, right = self.eval(node.left), self.eval(node.right)
            if isinstance(node.op, ast.Add):
                return RULE_CONTEXT.add(left, right)
            if isinstance(node.op, ast.Sub):
                return RULE_CONTEXT.subtract(left, right)
            if isinstance(node.op, ast.Mult):
                return RULE_CONTEXT.multiply(left, right)
            return RULE_CONTEXT.divide(left, right)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.eval(comparator)
                ok = {ast.Eq: left == right, ast.NotEq: left != right, ast.Lt: left < right,
                      ast.LtE: left <= right, ast.Gt: left > right,
                      ast.GtE: left >= right}[type(op)]
                if not ok:
                    return False
                left = right
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node.args)
        raise TypeError(f"unexpected node {type(node).__name__}")  # checked at parse time

    def call(self, func: str, args: list[ast.expr]) -> Any:
        if func == "sum":
            attr = args[0]
            assert isinstance(attr, ast.Attribute) and isinstance(attr.value, ast.Name)
            values = [r.get(attr.attr) for r in self.rows(attr.value.id)]
            present = [_as_decimal(v) for v in values if v not in (None, "")]
            if not present:
                raise _Blank
            total = Decimal(0)
            for v in present:
                total = RULE_CONTEXT.add(total, v)
            return total
        if func == "count":
            assert isinstance(args[0], ast.Name)
            return Decimal(len(self.rows(args[0].id)))
        if func == "value":
            assert isinstance(args[0], ast.Name)
            row_key = args[1].value  # type: ignore[attr-defined]
            column = args[2].value  # type: ignore[attr-defined]
            for r in self.rows(args[0].id):
                if r.get("row") == row_key:
                    return _as_decimal(r.get(column))
            raise _Blank
        numbers: list[Decimal] = [self.eval(a) for a in args]
        if func == "min":
            return min(numbers)
        if func == "max":
            return max(numbers)
        return abs(numbers[0])


def evaluate_rule(defn: FormDefinition, rule: Rule, answers: Mapping[str, Any],
                  row: Mapping[str, Any] | None = None) -> bool | None:
    """True if the rule holds, False if broken, None if it does not apply (blank operand)."""
    table = defn.field(rule.table) if rule.table else None
    try:
        return bool(_Evaluator(defn, answers, row, table).eval(rule.tree))
    except _Blank:
        return None
    except (ArithmeticError, decimal.DecimalException):
        return None  # division by zero, overflow: nothing sensible to say


# ---------------------------------------------------------------------------
# Cleaning answers
# ---------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "y", "x", "on", "có", "co", "đúng", "dung", "c"}
_FALSE = {"false", "0", "no", "n", "off", "không", "khong", "sai", "k"}


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_blank(v) for v in value)
    return False


def _parse_number(value: Any, *, integer: bool) -> Decimal:
    """A number from a form field or an Excel cell; accepts 1.200 / 1,5 / 1 200,50."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise ValueError
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if not re.fullmatch(r"[+-]?[0-9.,]+", text) or not re.search(r"[0-9]", text):
        raise ValueError
    sign = ""
    if text[0] in "+-":
        sign, text = text[0], text[1:]
    if "." in text and "," in text:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        whole, _sep, frac = text.rpartition(decimal_sep)
        if not re.fullmatch(r"[0-9]{1,3}(" + re.escape(group_sep) + r"[0-9]{3})*", whole):
            raise ValueError
        text = whole.replace(group_sep, "") + "." + frac
    elif text.count(".") + text.count(",") > 1:
        sep = "." if "." in text else ","
        if text.count(sep) != len(re.findall(r"[.,]", text)) or \
                not re.fullmatch(r"[0-9]{1,3}(" + re.escape(sep) + r"[0-9]{3})+", text):
            raise ValueError
        text = text.replace(sep, "")
    elif "," in text or "." in text:
        sep = "," if "," in text else "."
        whole, _sep, frac = text.partition(sep)
        # In an integer field "1.200" is a thousands separator (Vietnamese writing).
        if integer and len(frac) == 3 and whole and whole != "0":
            text = whole + frac
        else:
            text = (whole or "0") + "." + frac
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        raise ValueError
    return Decimal(sign + text)


def _clean_value(f: Field, value: Any) -> Any:
    """Convert one non-blank raw value to its stored form, or raise _Invalid."""
    if f.type in NUMERIC_TYPES:
        try:
            number = _parse_number(value, integer=f.type == "integer")
        except (ValueError, decimal.InvalidOperation):
            if f.type == "integer":
                raise _Invalid("invalid_integer", _("Enter a whole number.")) from None
            raise _Invalid("invalid_decimal", _("Enter a number.")) from None
        if not number.is_finite() or number.adjusted() >= MAX_DIGITS:
            raise _Invalid("out_of_range", _("This number is too large.")) from None
        if f.type == "integer":
            if number != number.to_integral_value():
                raise _Invalid("invalid_integer", _("Enter a whole number."))
            stored: Any = int(number)
        else:
            exponent = number.as_tuple().exponent
            assert isinstance(exponent, int)
            if f.places is not None and -exponent > f.places:
                number = number.normalize()
                exponent = number.as_tuple().exponent
                assert isinstance(exponent, int)
                if -exponent > f.places:
                    raise _Invalid("too_many_places",
                                   _("Enter at most %(places)s decimal places.")
                                   % {"places": f.places})
            if f.places is not None:
                number = number.quantize(Decimal(1).scaleb(-f.places))
            stored = format(number, "f")
        if f.min is not None and number < f.min:
            raise _Invalid("min", _("Must be at least %(min)s.") % {"min": _fmt(f.min)})
        if f.max is not None and number > f.max:
            raise _Invalid("max", _("Must be at most %(max)s.") % {"max": _fmt(f.max)})
        return stored
    if f.type == "text":
        if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
            raise _Invalid("invalid_text", _("Enter a text."))
        text = str(value).strip()
        limit = f.max_length or DEFAULT_TEXT_LENGTH
        if len(text) > limit:
            raise _Invalid("too_long", _("At most %(limit)s characters (now %(count)s).")
                           % {"limit": limit, "count": len(text)})
        return text
    if f.type == "choice":
        return _match_choice(f, value)
    if f.type == "multichoice":
        items = value if isinstance(value, list | tuple) else re.split(r"[;,\n]", str(value))
        chosen: list[str] = []
        for item in items:
            if _blank(item):
                continue
            match = _match_choice(f, item)
            if match not in chosen:
                chosen.append(match)
        order = [c.value for c in f.choices]
        return sorted(chosen, key=order.index)
    if f.type == "date":
        return _parse_date(value).isoformat()
    if f.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Invalid("invalid_boolean", _("Answer yes or no."))
    if f.type == "file":
        if isinstance(value, Mapping) and isinstance(value.get("attachment"), int) \
                and not isinstance(value.get("attachment"), bool):
            return {"attachment": value["attachment"], "name": str(value.get("name", ""))[:255]}
        raise _Invalid("invalid_file", _("Attach a file."))
    raise _Invalid("invalid", _("This value is not valid."))  # pragma: no cover


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral_value() \
        else format(number, "f")


def _match_choice(f: Field, value: Any) -> str:
    text = str(value).strip()
    for choice in f.choices:
        if text == choice.value:
            return choice.value
    folded = text.casefold()
    for choice in f.choices:  # an Excel list shows labels: accept them too
        if any(folded == label.strip().casefold() for label in choice.labels.values()):
            return choice.value
    raise _Invalid("invalid_choice", _("%(value)s is not one of the available choices.")
                   % {"value": text[:100]})


def _parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                parsed = datetime.datetime.strptime(text, pattern)  # noqa: DTZ007 - a date
            except ValueError:
                continue
            if 1900 <= parsed.year <= 2200:
                return parsed.date()
    raise _Invalid("invalid_date", _("Enter a valid date (dd/mm/yyyy)."))


def _problem(f: Field, code: str, message: str, *, row: int | None = None,
             column: str | None = None, severity: str = "error") -> Problem:
    return Problem(field=f.key, row=row, column=column, severity=severity, message=message,
                   code=code)


def _raw_rows(f: Field, raw: Any) -> list[tuple[int, Mapping[str, Any]]] | None:
    """(position, raw row) pairs; fixed rows may come as a list with "row" or a dict by row key."""
    if f.has_fixed_rows and isinstance(raw, Mapping):
        raw = [{**v, "row": k} if isinstance(v, Mapping) else v for k, v in raw.items()]
    if not isinstance(raw, list | tuple) or not all(isinstance(r, Mapping) for r in raw):
        return None
    return list(enumerate(raw))


def _clean_table(f: Field, raw: Any, partial: bool, problems: list[Problem]) -> list[dict]:
    rows = _raw_rows(f, raw)
    if rows is None:
        problems.append(_problem(f, "invalid_table", _("The table rows are not valid.")))
        return []
    column_keys = {c.key for c in f.columns}
    cleaned: list[dict[str, Any]] = []
    if f.has_fixed_rows:
        by_key: dict[str, Mapping[str, Any]] = {}
        for _pos, r in rows:
            key = r.get("row")
            if not isinstance(key, str) or all(row.key != key for row in f.rows):
                problems.append(_problem(f, "unknown_row", _("Unknown row %(row)s.")
                                         % {"row": str(key)[:50]}))
                continue
            if key in by_key:
                problems.append(_problem(f, "duplicate_row", _("Row %(row)s appears twice.")
                                         % {"row": key}))
                continue
            by_key[key] = r
        ordered: list[tuple[int, str | None, Mapping[str, Any]]] = [
            (index, row.key, by_key.get(row.key, {})) for index, row in enumerate(f.rows)]
    else:
        ordered = [(pos, None, r) for pos, r in rows]
        if len(ordered) > (f.max_rows or MAX_FREE_ROWS):
            problems.append(_problem(f, "too_many_rows", _("At most %(count)s rows.")
                                     % {"count": f.max_rows or MAX_FREE_ROWS}))
            ordered = ordered[:f.max_rows or MAX_FREE_ROWS]
    for position, row_key, r in ordered:
        for unknown in sorted(set(r) - column_keys - {"row"}):
            problems.append(_problem(f, "unknown_column", _("Unknown column %(column)s.")
                                     % {"column": str(unknown)[:50]}, row=position,
                                     column=str(unknown)))
        values: dict[str, Any] = {}
        for column in f.columns:
            value = r.get(column.key)
            if _blank(value):
                continue
            try:
                values[column.key] = _clean_value(column, value)
            except _Invalid as exc:
                problems.append(_problem(f, exc.code, exc.message, row=position,
                                         column=column.key))
        row_has_input = any(not _blank(r.get(c.key)) for c in f.columns)
        if not row_has_input and not f.has_fixed_rows:
            continue  # blank free rows are dropped
        # Every fixed row is asked for; a free row only once something is typed in it.
        if not partial and (row_has_input or f.required or f.has_fixed_rows):
            for column in f.columns:
                if column.required and _blank(r.get(column.key)):
                    problems.append(_problem(f, "required", _("This field is required."),
                                             row=position, column=column.key))
        if values or (row_has_input and f.has_fixed_rows):
            out = {"row": row_key, **values} if row_key else dict(values)
            out["_position"] = position
            cleaned.append(out)
    if not partial and not f.has_fixed_rows:
        least = max(f.min_rows or 0, 1 if f.required else 0)
        if len(cleaned) < least:
            problems.append(_problem(f, "too_few_rows", _("Enter at least %(count)s rows.")
                                     % {"count": least}))
    return cleaned


def clean_answers(defn: FormDefinition, raw: Mapping[str, Any], *,
                  partial: bool) -> tuple[dict[str, Any], list[Problem]]:
    """Typed answers from raw input, and every problem found (in the active language).

    ``partial=True`` (a draft) skips the required checks; types, bounds, choices and rules
    are always checked. Values that fail their check are left out of the answers.
    """
    problems: list[Problem] = []
    answers: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    if not isinstance(raw, Mapping):
        raise TypeError("raw answers must be a mapping")
    known = {f.key for f in defn.fields}
    for key in raw:
        if key not in known:
            problems.append(Problem(field=str(key), row=None, column=None, severity="error",
                                    message=_("Unknown field %(field)s.")
                                    % {"field": str(key)[:50]}, code="unknown_field"))
    for f in defn.fields:
        value = raw.get(f.key)
        if f.type == "table":
            if _blank(value) and not isinstance(value, list | tuple | Mapping):
                value = []
            rows = _clean_table(f, value, partial, problems)
            if rows:
                positions[f.key] = [r.pop("_position") for r in rows]
                answers[f.key] = rows
            continue
        if _blank(value):
            if f.required and not partial:
                problems.append(_problem(f, "required", _("This field is required.")))
            continue
        try:
            answers[f.key] = _clean_value(f, value)
        except _Invalid as exc:
            problems.append(_problem(f, exc.code, exc.message))
    problems.extend(check_rules(defn, answers, positions))
    return answers, problems


def check_rules(defn: FormDefinition, answers: Mapping[str, Any],
                positions: Mapping[str, Sequence[int]] | None = None) -> list[Problem]:
    """Problems from the cross-field rules on already clean answers."""
    problems: list[Problem] = []
    for rule in defn.rules:
        anchor = rule.fields[0] if rule.fields else None
        if rule.table:
            rows = answers.get(rule.table) or []
            where = (positions or {}).get(rule.table) or list(range(len(rows)))
            for index, row in zip(where, rows, strict=False):
                if evaluate_rule(defn, rule, answers, row) is False:
                    problems.append(Problem(field=rule.table, row=index, column=anchor,
                                            severity=rule.severity, message=rule.message(),
                                            code=f"rule:{rule.key}"))
            continue
        if evaluate_rule(defn, rule, answers) is False:
            field_key = anchor or ""
            column = None
            if "." in field_key:
                field_key, _dot, column = field_key.partition(".")
            problems.append(Problem(field=field_key, row=None, column=column,
                                    severity=rule.severity, message=rule.message(),
                                    code=f"rule:{rule.key}"))
    return problems


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


# ---------------------------------------------------------------------------
# Reading answers
# ---------------------------------------------------------------------------

def _typed(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.type == "decimal":
        try:
            return Decimal(str(value))
        except decimal.InvalidOperation:
            return None
    if f.type == "date" and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return value


def field_value(defn: FormDefinition, answers: Mapping[str, Any], key: str,
                row: int | str | None = None, column: str | None = None) -> Any:
    """A typed value (int, Decimal, date, bool, str, list, dict) or None when blank.

    For a table, ``row`` is a fixed row key or a 0-based position (fixed rows: position in
    the definition) and ``column`` a column key; without them the list of rows is returned.
    """
    f = defn.field(key)
    value = answers.get(key)
    if f.type != "table" or (row is None and column is None):
        return value if f.type == "table" else _typed(f, value)
    rows = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
    found: Mapping[str, Any] | None = None
    if f.has_fixed_rows:
        row_key = f.rows[row].key if isinstance(row, int) and 0 <= row < len(f.rows) else row
        found = next((r for r in rows if r.get("row") == row_key), None)
    elif isinstance(row, int) and 0 <= row < len(rows):
        found = rows[row]
    if found is None:
        return None
    if column is None:
        return found
    return _typed(f.column(column), found.get(column))


def combine(values: Sequence[Decimal], aggregate: str) -> Decimal | None:
    """The values combined as the field says: their sum, mean (exact, not rounded),
    minimum or maximum; None when there is none."""
    if not values:
        return None
    if aggregate == "average":
        return sum(values, Decimal(0)) / len(values)
    if aggregate == "min":
        return min(values)
    if aggregate == "max":
        return max(values)
    return sum(values, Decimal(0))


def numeric_total(defn: FormDefinition, answers: Mapping[str, Any], key: str) -> Decimal | None:
    """A numeric field's value, or a table column given as ``"table.column"`` combined
    over its rows (:func:`combine`: summed unless the column says otherwise)."""
    table_key, _dot, column_key = key.partition(".")
    f = defn.field(key)
    if not f.is_numeric:
        raise KeyError(f"{key} is not a number field")
    if not column_key:
        value = answers.get(key)
        return None if value is None or value == "" else Decimal(str(value))
    rows = answers.get(table_key)
    if not isinstance(rows, list):
        return None
    values = [Decimal(str(r[column_key])) for r in rows
              if isinstance(r, Mapping) and r.get(column_key) not in (None, "")]
    return combine(values, f.aggregate)
