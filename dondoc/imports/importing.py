"""Read a plan's task appendix (phụ lục phân công nhiệm vụ) from an Excel workbook.

This is the pure parsing layer of the import: no database access. The caller builds a
:class:`UnitDirectory` from the units it may assign to, calls :func:`parse_workbook` and
shows the resulting :class:`ImportPreview` (one :class:`ParsedRow` per group or task row,
with its issues) before anything is saved.

Real appendices are messy, so the parser tolerates:

* title rows (often merged across the table) above the header, header names that vary
  from one agency to another ("Nội dung nhiệm vụ" / "Nội dung công việc" / "Nhiệm vụ",
  "Đơn vị chủ trì" / "Cơ quan chủ trì" / "Chủ trì", …) and two-row headers
  ("Đơn vị thực hiện" over "Chủ trì" | "Phối hợp");
* group rows numbered I, II, … and task rows numbered 1, 2, … or 1.1;
* several units in one cell, written by code, name, short name or "Name (CODE)", with or
  without diacritics, and collective phrases ("Công an các quận, huyện");
* deadlines as Excel dates or as text ("Quý IV/2022", "6 tháng đầu năm 2023",
  "Thường xuyên", "Hằng tháng", …);
* lead, coordinating and deadline cells merged down over several task rows.

Bad user input never raises: every problem becomes a :class:`RowIssue` on its row, or on
the file, with a stable ``code`` and a translated ``message``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dondoc.core.text import fold
from dondoc.imports.workbook_limits import WorkbookTooLarge, check_workbook

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "COLUMN_LABELS",
    "MESSAGES",
    "Deadline",
    "DeadlineError",
    "ImportPreview",
    "ParsedRow",
    "ResolvedUnits",
    "RowIssue",
    "UnitDirectory",
    "UnitRef",
    "parse_deadline",
    "parse_workbook",
    "write_template",
]

# ---------------------------------------------------------------------------------------
# Message catalogue
# ---------------------------------------------------------------------------------------

# One catalogue for every issue the import can report. The msgids are English (Django
# convention) with %(name)s placeholders filled from RowIssue.params; the Vietnamese
# translations live in locale/vi/LC_MESSAGES/django.po: keep each msgid stable, since
# changing one drops its translation. Codes are stable too: tests, the preview page, the
# review list and `dondoc import-tasks --json` rely on them (listed in docs/import.md).
#   file level (errors block): not_excel, too_many_rows, missing_columns, no_tasks;
#       (warnings) other_sheets, unknown_columns
#   row level, errors (the row is not saved): title_too_long
#   row level, flags (saved, reviewed later): missing_lead, several_leads,
#       conditional_lead, vague_lead, provisional_lead, unknown_unit, ambiguous_unit,
#       needs_review, deadline_to_set, deadline_in_text, group_units_ignored,
#       duplicate_number
#   skipped rows: no_task_text, footnote
MESSAGES: Final[dict[str, StrOrPromise]] = {
    "not_excel": _(
        "The file is not an Excel workbook (.xlsx). Open it in Excel and save it as "
        "“Excel Workbook (.xlsx)”."
    ),
    "too_many_rows": _("The sheet has more than %(max)s rows: split it into several files."),
    "missing_columns": _(
        "No header row found: the table needs the column(s) %(columns)s in its first %(rows)s rows."
    ),
    "no_tasks": _("No task rows were found below the header row."),
    "other_sheets": _("The workbook has several task sheets; only the sheet “%(sheet)s” was read."),
    "unknown_columns": _(
        "Columns kept on each task under “Other columns”: %(columns)s."
    ),
    "missing_title": _("The task has no content (title)."),
    "title_too_long": _("The task content is too long: %(length)s characters, at most %(max)s."),
    "missing_lead": _("The lead unit is missing."),
    "several_leads": _(
        "“%(text)s” names %(count)s lead units (%(candidates)s): the first is saved as lead "
        "and the others as coordinating units. Choose the lead when reviewing."
    ),
    "conditional_lead": _(
        "The lead depends on the case (%(candidates)s): the first is saved as lead and the "
        "others as coordinating units. Choose the lead when reviewing."
    ),
    "vague_lead": _("The lead unit must be one specific unit, not “%(text)s”."),
    "provisional_lead": _(
        "Provisional lead: %(unit)s (the document's managing unit). Choose the lead when "
        "reviewing."
    ),
    "unknown_unit": _("Unknown unit: “%(text)s”."),
    "ambiguous_unit": _("“%(text)s” matches several units: write the unit code."),
    "needs_review": _("“%(text)s” does not name specific units: choose the units when reviewing."),
    "bad_deadline": _("Deadline not understood: “%(text)s”."),
    "missing_deadline": _("No deadline: the task is imported as a standing task."),
    "deadline_to_set": _(
        "“%(text)s” names no date: the task has no deadline yet. Set it when reviewing."
    ),
    "deadline_empty": _("The deadline cell is empty: the task has no deadline yet. Set it "
                        "when reviewing."),
    "deadline_in_text": _(
        "The deadline %(due)s was read from the text “%(text)s”: check it when reviewing."
    ),
    "merged_title": _(
        "The content comes from the merged cell of row %(row)s: a separate task is "
        "created for this row."
    ),
    "group_units_ignored": _("Units and deadlines on a group row (%(number)s) are ignored."),
    "duplicate_number": _("Number %(number)s is already used in row %(row)s of this group."),
    "no_task_text": _("The row has no task text: it is skipped."),
    "footnote": _("A note below the table is skipped: “%(text)s”."),
}

# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------

LEVEL_INFO: Final = "info"  # why a row was skipped
LEVEL_WARNING: Final = "warning"  # a review flag on the saved task
LEVEL_ERROR: Final = "error"

KIND_GROUP: Final = "group"
KIND_TASK: Final = "task"
KIND_OUTPUT: Final = "output"  # a second output of the task above: saved as its sub-task
KIND_SKIPPED: Final = "skipped"

DEADLINE_FIXED: Final = "fixed"
DEADLINE_MONTHLY: Final = "monthly"
DEADLINE_QUARTERLY: Final = "quarterly"
DEADLINE_YEARLY: Final = "yearly"
DEADLINE_STANDING: Final = "standing"
DEADLINE_NONE: Final = "none"  # no date known yet ("deadline to set")

MAX_TITLE_LENGTH: Final = 1000
HEADER_SCAN_ROWS: Final = 15
MAX_COLUMNS: Final = 64  # columns read per row; appendices have about seven

# Column keys, and the header text the template writes for each.
COLUMN_LABELS: Final[dict[str, str]] = {
    "number": "STT",
    "content": "Nội dung nhiệm vụ",
    "lead": "Đơn vị chủ trì",
    "coordinating": "Đơn vị phối hợp",
    "deadline": "Thời hạn",
    "product": "Sản phẩm",
    "note": "Ghi chú",
}
REQUIRED_COLUMNS: Final = ("content", "lead")


@dataclass(frozen=True)
class UnitRef:
    """What the parser needs to know about one unit (built by the caller from the DB)."""

    id: int
    code: str
    name: str
    short_name: str = ""
    kind: str = ""
    parent_id: int | None = None


@dataclass
class ResolvedUnits:
    """The units one cell names, in the order written, without duplicates."""

    unit_ids: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)  # "các đơn vị liên quan", …
    ambiguous: list[str] = field(default_factory=list)  # mentions matching several units
    collective: list[str] = field(default_factory=list)  # phrases expanded to a group


@dataclass(frozen=True)
class Deadline:
    """A task deadline: a due date (``fixed``), a recurrence, ``standing`` or ``none`` (no
    date known yet). ``start`` is the first day of a range ("2022-2030") or of a
    recurrence ("2026 và hằng năm")."""

    kind: str
    due: dt.date | None
    source: str
    start: dt.date | None = None


class DeadlineError(ValueError):
    """A deadline value that cannot be understood. ``code`` is a MESSAGES key."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


@dataclass
class RowIssue:
    """One problem found on a row (or on the file): a stable code and its parameters."""

    level: str
    code: str
    params: dict[str, str] = field(default_factory=dict)
    column: str = ""  # the column key of the cell concerned ("lead", "deadline", …)
    cell: str = ""  # that cell's text as written, kept with the review flag
    key: str = ""  # the MESSAGES entry when it differs from the code

    @property
    def message(self) -> str:
        """The message in the active language (translated when accessed, not when built)."""
        return str(MESSAGES[self.key or self.code]) % self.params


@dataclass
class ParsedRow:
    """One group or task row of the appendix, with the Excel row number for messages."""

    row_number: int
    kind: str  # "group" | "task" | "output" | "skipped"
    number: str = ""
    title: str = ""
    description: str = ""
    lead_unit_id: int | None = None
    coordinating_unit_ids: list[int] = field(default_factory=list)
    deadline: Deadline | None = None
    product: str = ""
    note: str = ""
    group_number: str | None = None  # number of the enclosing group ("" if unnumbered)
    issues: list[RowIssue] = field(default_factory=list)
    group_row: int | None = None  # Excel row of the enclosing group: an unambiguous link
    lead_text: str = ""  # the cells as written, for the preview table
    coordinating_text: str = ""
    deadline_text: str = ""
    parent_row: int | None = None  # an output row: the Excel row of its task
    provisional_lead: bool = False  # the lead is the fallback unit, to be chosen
    lead_candidates: list[int] = field(default_factory=list)  # several / conditional leads
    extra: dict[str, str] = field(default_factory=dict)  # unknown column label → value

    @property
    def flags(self) -> list[RowIssue]:
        """What a reviewer should look at on the saved task (warnings of a saved row)."""
        if self.kind not in (KIND_TASK, KIND_OUTPUT):
            return []
        return [issue for issue in self.issues if issue.level == LEVEL_WARNING]

    @property
    def errors(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.level == LEVEL_ERROR]

    @property
    def status(self) -> str:
        levels = {issue.level for issue in self.issues}
        if LEVEL_ERROR in levels:
            return "error"
        if LEVEL_WARNING in levels:
            return "warning"
        return "ok"


@dataclass
class ImportPreview:
    """Everything read from the workbook; nothing is saved until the user confirms."""

    rows: list[ParsedRow] = field(default_factory=list)
    file_issues: list[RowIssue] = field(default_factory=list)
    sheet_name: str = ""
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)  # column key → 1-based column
    unknown_columns: dict[int, str] = field(default_factory=dict)  # column → its header

    @property
    def has_errors(self) -> bool:
        return any(i.level == LEVEL_ERROR for i in self.file_issues) or any(
            row.status == "error" for row in self.rows
        )

    @property
    def ok_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "ok")

    @property
    def warning_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "warning")

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "error")

    @property
    def groups(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.kind == KIND_GROUP]

    @property
    def tasks(self) -> list[ParsedRow]:
        """Top-level tasks."""
        return [row for row in self.rows if row.kind == KIND_TASK]

    @property
    def outputs(self) -> list[ParsedRow]:
        """Second outputs of a task, saved as its sub-tasks."""
        return [row for row in self.rows if row.kind == KIND_OUTPUT]

    @property
    def skipped(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.kind == KIND_SKIPPED]

    @property
    def flag_count(self) -> int:
        return sum(len(row.flags) for row in self.rows)


# ---------------------------------------------------------------------------------------
# Folding with a map back to the original text
# ---------------------------------------------------------------------------------------

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _fold_map(text: str) -> tuple[str, list[int], list[int]]:
    """``fold(text)`` (line breaks kept as ``\\n``), with each char's span in ``text``.

    Matching happens on the folded text; the spans give back the words as the user
    wrote them, for messages ("Unknown unit: “Phòng Tham mưu X”").
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending: str | None = None
    pending_at = 0
    for i, ch in enumerate(text):
        if ch.isspace():
            if out:
                if ch in _LINE_BREAKS:
                    if pending != "\n":
                        pending, pending_at = "\n", i
                elif pending is None:
                    pending, pending_at = " ", i
            continue
        folded = _fold_char(ch)
        if not folded:  # a combining mark: it belongs to the previous letter
            if ends and pending is None:
                ends[-1] = i + 1
            continue
        if pending is not None:
            out.append(pending)
            starts.append(pending_at)
            ends.append(pending_at + 1)
            pending = None
        for c in folded:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


_PUNCT_SPACES = re.compile(r"\s*([,;/&()])\s*")
_ANY_SPACES = re.compile(r"\s+")


def _squeeze(folded: str) -> str:
    """Folded text with one space between words and none around punctuation."""
    return _ANY_SPACES.sub(" ", _PUNCT_SPACES.sub(r"\1", folded)).strip()


_CA_PREFIX = re.compile(r"^c\.?a\.?\s+")
_TP = re.compile(r"\btp\b\.?\s*")


def _canon(folded: str) -> str:
    """The comparison key of a unit name: ``CA`` means ``Công an``, ``TP`` ``thành phố``."""
    key = _squeeze(folded).strip(" .:")
    key = _CA_PREFIX.sub("cong an ", key)
    return _TP.sub("thanh pho ", key).strip()


def _phrase_pattern(key: str) -> str:
    """Regex for a squeezed key that tolerates spaces and line breaks around punctuation."""
    parts: list[str] = []
    for ch in key:
        if ch == " ":
            parts.append(r"\s+")
        elif ch in ",;/&()":
            parts.append(r"\s*" + re.escape(ch) + r"\s*")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------

# Phrases that name no specific unit: the reviewer must choose the units.
REVIEW_PHRASES: Final = (
    "các đơn vị liên quan",
    "đơn vị liên quan",
    "các đơn vị có liên quan",
    "các cơ quan liên quan",
    "cơ quan liên quan",
    "các cơ quan, đơn vị liên quan",
    "các cơ quan, đơn vị có liên quan",
    "các đơn vị, địa phương liên quan",
)

# Separators between unit mentions in one cell ("/" is handled apart: only when both
# sides are units).
_SEPARATORS = re.compile(r"[,;\n&+•]|(?<!\S)va(?!\S)")
_SEPARATOR_CHARS = frozenset(",;\n&+•/(")
_LEADING_JUNK = " -–—+•*·.:"
_TRAILING_JUNK = " -–—.:"
_PARENS = re.compile(r"^(.*?)\(([^()]*)\)$")
_FIRST_WORD = re.compile(r"^(\S+?)\s*[-–:]?\s+(.+)$")
_LAST_WORD = re.compile(r"^(.+?)\s*[-–:]?\s+(\S+)$")


def _is_mention_start(folded: str, start: int) -> bool:
    before = folded[:start].rstrip()
    return (
        not before
        or before[-1] in _SEPARATOR_CHARS
        or before[-1] in "-–"
        or (before.endswith(" va") or before == "va")
    )


def _is_mention_end(folded: str, end: int) -> bool:
    after = folded[end:].lstrip()
    return (
        not after
        or after[0] in _SEPARATOR_CHARS
        or after[0] in ").-–"
        or (after.startswith("va ") or after == "va")
    )


@dataclass(frozen=True)
class _Phrase:
    kind: str  # "units" | "group" | "ambiguous" (a name shared by several units) | "review"
    unit_ids: tuple[int, ...]


# Words that make a mention collective ("Các bộ, ngành", "UBND các tỉnh, thành phố …",
# "các địa phương", "cơ quan liên quan"): when no unit group names it, the whole phrase
# up to the next ";" or line is kept for the reviewer rather than split into unknowns.
_COLLECTIVE_WORD = re.compile(r"(?<![0-9a-z])(?:cac|nhung|lien quan|dia phuong)(?![0-9a-z])")
_CHUNK_END = re.compile(r"[;\n]")
# "Các Bộ: Quốc phòng, Xây dựng, …" / "UBND các tỉnh: Lào Cai, Yên Bái": an enumeration
# whose head, without "các", prefixes each item ("Bộ Quốc phòng").
_ENUMERATION = re.compile(r"^([^:;\n]{2,60}?)\s*:\s*(\S.*)$", re.DOTALL)
_CAC = re.compile(r"(?i)(?<!\w)c[aáà]c(?!\w)\s*")
_ENUM_ITEMS = re.compile(r"\s*[,;\n]\s*")


class UnitDirectory:
    """Resolves what people write in a unit cell to unit ids.

    A mention matches, diacritic- and case-insensitively, a unit's code, full name or
    short name (or the name without its leading "Phòng"), also in the forms
    "Name (CODE)" and "CODE - Name", with "CA" for "Công an" and "TP" for "thành phố".
    ``collectives`` maps phrases such as "Công an các quận, huyện" to the ids they
    stand for (the keys are folded here).
    """

    def __init__(
        self,
        units: Iterable[UnitRef],
        collectives: Mapping[str, Sequence[int]] | None = None,
    ) -> None:
        self.units: dict[int, UnitRef] = {}
        self._by_code: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_short: dict[str, list[int]] = {}
        self._by_alias: dict[str, list[int]] = {}  # "Tổ chức cán bộ" for "Phòng Tổ chức …"
        self._phrases: dict[str, _Phrase] = {}
        self._cache: dict[str, ResolvedUnits] = {}

        for unit in units:
            self.units[unit.id] = unit
            _add(self._by_code, _squeeze(fold(unit.code)), unit.id)
            name = _canon(fold(unit.name))
            _add(self._by_name, name, unit.id)
            if name.startswith("phong "):
                _add(self._by_alias, name[len("phong ") :], unit.id)
            if unit.short_name:
                _add(self._by_short, _canon(fold(unit.short_name)), unit.id)

        # Names that contain a separator ("An ninh mạng và phòng, chống tội phạm …",
        # "Phòng Công tác đảng và công tác chính trị") must be found in the whole cell
        # before the cell is split, as must collective and review phrases.
        for index in (self._by_alias, self._by_short, self._by_name):
            for key, ids in index.items():
                if _SEPARATORS.search(key) or "/" in key:
                    kind = "units" if len(ids) == 1 else "ambiguous"
                    self._add_phrase(key, _Phrase(kind, tuple(ids)))
        for phrase, members in (collectives or {}).items():
            self._add_phrase(_canon(fold(phrase)), _Phrase("group", tuple(members)))
        for phrase in REVIEW_PHRASES:
            self._add_phrase(_canon(fold(phrase)), _Phrase("review", ()))

        self._phrase_re: re.Pattern[str] | None = None
        if self._phrases:
            alternatives = sorted(self._phrases, key=len, reverse=True)
            self._phrase_re = re.compile(
                r"(?<![0-9a-z])(?:"
                + "|".join(_phrase_pattern(key) for key in alternatives)
                + r")(?![0-9a-z])"
            )

    def _add_phrase(self, key: str, phrase: _Phrase) -> None:
        if not key:
            return
        self._phrases[key] = phrase
        if key.startswith("cong an "):  # "CA các quận, huyện"
            self._phrases.setdefault("ca " + key[len("cong an ") :], phrase)

    # -- one mention ---------------------------------------------------------------

    def _direct(self, mention: str) -> list[int]:
        """Ids whose code, name or short name is exactly ``mention`` (folded)."""
        ids = self._by_code.get(_squeeze(mention))
        if ids:
            return ids
        key = _canon(mention)
        return self._by_name.get(key) or self._by_short.get(key) or self._by_alias.get(key) or []

    def _lookup(self, mention: str) -> list[int]:
        """[] if unknown, one id if found, several if ambiguous."""
        mention = _squeeze(mention).strip(_LEADING_JUNK)
        ids = self._direct(mention)
        if ids:
            return ids
        parens = _PARENS.match(mention)
        if parens:  # "Phòng Tham mưu (PV01)": the code wins; "(PV01)" alone too
            outer, inner = parens.group(1).strip(), parens.group(2).strip()
            inner_ids = self._direct(inner) if inner else []
            if len(inner_ids) == 1:
                return inner_ids
            outer_ids = self._direct(outer) if outer else []
            if outer_ids:
                return outer_ids
            return inner_ids
        # "PV01 - Phòng Tham mưu" / "Phòng Tham mưu - PV01": code and name must agree.
        for pattern, code_group in ((_FIRST_WORD, 1), (_LAST_WORD, 2)):
            match = pattern.match(mention)
            if match:
                code_ids = self._by_code.get(match.group(code_group))
                rest = match.group(3 - code_group)
                if code_ids and len(code_ids) == 1 and code_ids[0] in self._direct(rest):
                    return code_ids
        return []

    # -- one cell ------------------------------------------------------------------

    def resolve_cell(self, text: str) -> ResolvedUnits:
        """Resolve every unit mention of one cell (separated by , ; line breaks "và" …)."""
        text = text or ""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._resolve(text)
            if len(self._cache) < 50_000:
                self._cache[text] = cached
        return ResolvedUnits(
            list(cached.unit_ids),
            list(cached.unknown),
            list(cached.needs_review),
            list(cached.ambiguous),
            list(cached.collective),
        )

    def _enumeration(self, text: str) -> ResolvedUnits | None:
        """"Các Bộ: Quốc phòng, Xây dựng" → Bộ Quốc phòng, Bộ Xây dựng; None when the cell
        is not such an enumeration."""
        match = _ENUMERATION.match(text.strip())
        if match is None or not _CAC.search(match.group(1)):
            return None
        head = _CAC.sub("", match.group(1)).strip()
        result = ResolvedUnits()
        for item in _ENUM_ITEMS.split(match.group(2)):
            item = item.strip(" .")
            if not item:
                continue
            for candidate in (f"{head} {item}", item):
                found = self._resolve(candidate)
                if len(found.unit_ids) == 1 and not (found.unknown or found.ambiguous):
                    if found.unit_ids[0] not in result.unit_ids:
                        result.unit_ids.append(found.unit_ids[0])
                    break
            else:
                result.unknown.append(f"{head} {item}")
        return result if result.unit_ids else None

    def _resolve(self, text: str) -> ResolvedUnits:
        if ":" in text:
            enumerated = self._enumeration(text)
            if enumerated is not None:
                return enumerated
        folded, starts, ends = _fold_map(text)
        result = ResolvedUnits()
        if not folded:
            return result

        def original(a: int, b: int) -> str:
            return text[starts[a] : ends[b - 1]].strip()

        found: list[tuple[int, list[int]]] = []  # (position, ids), sorted at the end
        gaps: list[tuple[int, int]] = []
        pos = 0
        if self._phrase_re is not None:
            search_at = 0
            while (match := self._phrase_re.search(folded, search_at)) is not None:
                a, b = match.span()
                phrase = self._phrases.get(_squeeze(match.group()))
                if (
                    phrase is None
                    or not _is_mention_start(folded, a)
                    or not _is_mention_end(folded, b)
                ):
                    search_at = a + 1
                    continue
                if phrase.kind == "review":
                    result.needs_review.append(original(a, b))
                elif phrase.kind == "ambiguous":
                    result.ambiguous.append(original(a, b))
                else:
                    if phrase.kind == "group":
                        result.collective.append(original(a, b))
                    found.append((a, list(phrase.unit_ids)))
                gaps.append((pos, a))
                pos = search_at = b
        gaps.append((pos, len(folded)))
        gaps = self._collective_chunks(folded, gaps, original, found, result)

        for gap_start, gap_end in gaps:
            seg_start = gap_start
            for sep in _SEPARATORS.finditer(folded, gap_start, gap_end):
                self._resolve_segment(folded, seg_start, sep.start(), original, found, result)
                seg_start = sep.end()
            self._resolve_segment(folded, seg_start, gap_end, original, found, result)

        found.sort(key=lambda item: item[0])
        seen: set[int] = set()
        for _position, ids in found:
            for unit_id in ids:
                if unit_id not in seen:
                    seen.add(unit_id)
                    result.unit_ids.append(unit_id)
        return result

    def _collective_chunks(
        self,
        folded: str,
        gaps: list[tuple[int, int]],
        original: Callable[[int, int], str],
        found: list[tuple[int, list[int]]],
        result: ResolvedUnits,
    ) -> list[tuple[int, int]]:
        """Take collective phrases no group names out of the gaps: each is kept whole for
        the reviewer (from the start of its comma-separated part to the end of its ";" or
        line), and the parts of it that name exactly one unit still count."""
        remaining: list[tuple[int, int]] = []
        for gap_start, gap_end in gaps:
            start = gap_start
            while start < gap_end:
                word = _COLLECTIVE_WORD.search(folded, start, gap_end)
                if word is None:
                    break
                begin = max(folded.rfind(",", start, word.start()),
                            _last_of(folded, _CHUNK_END, start, word.start()))
                begin = start if begin < 0 else begin + 1
                part_end = min((m.start() for m in (re.compile(r"[,;\n]").search(
                    folded, word.end(), gap_end),) if m), default=gap_end)
                if len(self._lookup(folded[begin:part_end])) == 1:  # a unit's own name
                    remaining.append((start, part_end))
                    start = part_end
                    continue
                end_match = _CHUNK_END.search(folded, word.end(), gap_end)
                end = end_match.start() if end_match else gap_end
                remaining.append((start, begin))
                a, b = begin, end
                while a < b and folded[a] in _LEADING_JUNK + ",":
                    a += 1
                while b > a and folded[b - 1] in _TRAILING_JUNK + ",":
                    b -= 1
                if a < b:
                    result.needs_review.append(original(a, b))
                    for part in re.finditer(r"[^,]+", folded[a:b]):
                        ids = self._lookup(part.group())
                        if len(ids) == 1:
                            found.append((a + part.start(), ids))
                start = end
            if start < gap_end:
                remaining.append((start, gap_end))
        return remaining

    def _resolve_segment(
        self,
        folded: str,
        a: int,
        b: int,
        original: Callable[[int, int], str],
        found: list[tuple[int, list[int]]],
        result: ResolvedUnits,
    ) -> None:
        while a < b and folded[a] in _LEADING_JUNK:
            a += 1
        while b > a and folded[b - 1] in _TRAILING_JUNK:
            b -= 1
        if a >= b:
            return
        mention = folded[a:b]
        if mention.strip("()[] ") == "":
            return
        ids = self._lookup(mention)
        if len(ids) == 1:
            found.append((a, ids))
            return
        if len(ids) > 1:
            result.ambiguous.append(original(a, b))
            return
        if "/" in mention:  # "PV01/PX01": only when every side is a unit
            parts = [self._lookup(part) for part in mention.split("/")]
            if all(len(ids) == 1 for ids in parts):
                for ids in parts:
                    found.append((a, ids))
                return
        result.unknown.append(original(a, b))


def _last_of(text: str, pattern: re.Pattern[str], start: int, end: int) -> int:
    last = -1
    for match in pattern.finditer(text, start, end):
        last = match.start()
    return last


def _add(index: dict[str, list[int]], key: str, unit_id: int) -> None:
    if key:
        ids = index.setdefault(key, [])
        if unit_id not in ids:
            ids.append(unit_id)


# ---------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------

_QUARTERS: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MIN_YEAR, _MAX_YEAR = 1990, 2100

_STANDING = re.compile(r"^(?:thuong xuyen|lien tuc)\b")
_RECURRING = re.compile(r"^(?:dinh ky\s*,?\s*)?(?:hang|moi)\s+(thang|quy|nam)\b")
_RECURRING_KINDS: Final = {
    "thang": DEADLINE_MONTHLY,
    "quy": DEADLINE_QUARTERLY,
    "nam": DEADLINE_YEARLY,
}
_DEADLINE_PREFIX = re.compile(
    r"^(?:(?:hoan thanh|xong|cham nhat|truoc|trong|den|vao|han|thoi han|cuoi|ket thuc)"
    r"\s*:?\s*)+"
)
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_SEP = r"\s*[/.\-]\s*"
_YEAR_SEP = r"(?:\s*[/.\-]\s*|\s*,?\s*nam\s*)"
_DAY_MONTH_YEAR = re.compile(rf"(?:ngay\s*)?(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})")
_DAY_MONTH_YEAR_WORDS = re.compile(
    r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})"
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(rf"(?:(?:thang|t)\s*)?(\d{{1,2}}){_YEAR_SEP}(\d{{4}})")
_QUARTER = re.compile(rf"quy\s*(iv|iii|ii|i|[1-4]){_YEAR_SEP}(\d{{4}})")
_MONTHS_OF_YEAR = re.compile(r"(\d{1,2})\s*thang\s*(dau|cuoi)\s*(?:cua\s*)?nam\s*(\d{4})")
_YEAR = re.compile(r"(?:nam\s*)?(\d{4})")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
# "2022-2030", "2027 - 2030", "giai đoạn 2021–2025", "từ năm 2022 đến năm 2030"
_YEAR_RANGE = re.compile(
    r"(?:giai doan|thoi ky|tu)?\s*(?:nam\s*)?(\d{4})\s*(?:-|den|toi)\s*(?:nam\s*)?(\d{4})"
)
# "2026 và hằng năm", "Năm 2025 và các năm tiếp theo", "hằng năm từ năm 2025"
_YEARLY_FROM = re.compile(
    r"(?:tu\s*)?(?:nam\s*)?(\d{4})\s*(?:va|,)?\s*(?:hang nam|hanh nam|moi nam|"
    r"(?:cac|nhung) nam (?:tiep theo|sau|ke tiep))"
)
_YEARLY_SINCE = re.compile(r"(?:hang|moi) nam\s*,?\s*(?:tu|ke tu|bat dau tu)\s*(?:nam\s*)?(\d{4})")
# A date somewhere in free text ("trình Thủ tướng trong tháng 12/2025"): read, flagged.
_DATE_IN_TEXT: Final = (
    re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)"),
    re.compile(r"quy\s*(iv|iii|ii|i|[1-4])\s*(?:/|nam)\s*(\d{4})(?!\d)"),
    re.compile(r"thang\s*(\d{1,2})\s*(?:/|nam)\s*(\d{4})(?!\d)"),
    re.compile(r"nam\s*(\d{4})(?!\d)"),
)


def _format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _year(text: str, source: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise DeadlineError("bad_deadline", source)
    return year


def _month_end(year: int, month: int, source: str) -> dt.date:
    if not 1 <= month <= 12:
        raise DeadlineError("bad_deadline", source)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(value: object) -> Deadline:
    """Read a deadline cell: an Excel date, a year number or Vietnamese text.

    Raises :class:`DeadlineError` with code ``missing_deadline`` for an empty value and
    ``bad_deadline`` for anything else it cannot read (including impossible dates).
    """
    if value is None:
        raise DeadlineError("missing_deadline", "")
    if isinstance(value, dt.datetime):
        day = value.date()
        return Deadline(DEADLINE_FIXED, day, _format_date(day))
    if isinstance(value, dt.date):
        return Deadline(DEADLINE_FIXED, value, _format_date(value))
    if isinstance(value, bool):
        raise DeadlineError("bad_deadline", str(value))
    if isinstance(value, int | float):
        source = f"{value:g}"
        if float(value).is_integer() and _MIN_YEAR <= value <= _MAX_YEAR:
            return Deadline(DEADLINE_FIXED, dt.date(int(value), 12, 31), source)
        raise DeadlineError("bad_deadline", source)
    source = str(value).strip()
    if not source:
        raise DeadlineError("missing_deadline", "")
    return _parse_deadline_text(source)


def _parse_deadline_text(source: str) -> Deadline:
    text = _PARENTHETICAL.sub(" ", _DASHES.sub("-", fold(source)))
    text = _ANY_SPACES.sub(" ", text).strip(" .,;:")
    if m := (_YEARLY_FROM.fullmatch(text) or _YEARLY_SINCE.fullmatch(text)):
        year = _year(m.group(1), source)
        return Deadline(DEADLINE_YEARLY, None, source, start=dt.date(year, 1, 1))
    if _STANDING.match(text):
        return Deadline(DEADLINE_STANDING, None, source)
    recurring = _RECURRING.match(text)
    if recurring:
        return Deadline(_RECURRING_KINDS[recurring.group(1)], None, source)

    text = _DEADLINE_PREFIX.sub("", text)
    if m := _YEAR_RANGE.fullmatch(text):
        first, last = _year(m.group(1), source), _year(m.group(2), source)
        if first > last:
            raise DeadlineError("bad_deadline", source)
        return Deadline(DEADLINE_FIXED, dt.date(last, 12, 31), source,
                        start=dt.date(first, 1, 1))
    try:
        if m := (_DAY_MONTH_YEAR.fullmatch(text) or _DAY_MONTH_YEAR_WORDS.fullmatch(text)):
            due = dt.date(_year(m.group(3), source), int(m.group(2)), int(m.group(1)))
        elif m := _ISO_DATE.fullmatch(text):
            due = dt.date(_year(m.group(1), source), int(m.group(2)), int(m.group(3)))
        elif m := _QUARTER.fullmatch(text):
            quarter = _QUARTERS[m.group(1)]
            due = _month_end(_year(m.group(2), source), quarter * 3, source)
        elif m := _MONTHS_OF_YEAR.fullmatch(text):
            months, year = int(m.group(1)), _year(m.group(3), source)
            if not 1 <= months <= 12:
                raise DeadlineError("bad_deadline", source)
            due = _month_end(year, months if m.group(2) == "dau" else 12, source)
        elif m := _MONTH.fullmatch(text):
            due = _month_end(_year(m.group(2), source), int(m.group(1)), source)
        elif m := _YEAR.fullmatch(text):
            due = dt.date(_year(m.group(1), source), 12, 31)
        else:
            raise DeadlineError("bad_deadline", source)
    except ValueError as error:  # dt.date(2023, 2, 31)
        if isinstance(error, DeadlineError):
            raise
        raise DeadlineError("bad_deadline", source) from error
    return Deadline(DEADLINE_FIXED, due, source)


def deadline_in_text(source: str) -> Deadline | None:
    """The one date free text names ("Trình Chính phủ trong tháng 12/2025"), or None when
    it names none or several (a person then sets the date)."""
    text = _ANY_SPACES.sub(" ", _DASHES.sub("-", fold(source)))
    day, quarter, month, year = _DATE_IN_TEXT
    for pattern, spell in (
        (day, "{0}/{1}/{2}"), (quarter, "quy {0}/{1}"), (month, "thang {0}/{1}"),
        (year, "nam {0}"),
    ):
        matches = [m.groups() for m in pattern.finditer(text)]
        if len(matches) > 1:
            return None
        if matches:
            try:
                found = parse_deadline(spell.format(*matches[0]))
            except DeadlineError:
                return None
            return Deadline(found.kind, found.due, source)
    return None


_DAY_FORMAT = re.compile(r"d")
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _is_month_format(number_format: object) -> bool:
    """True for date formats without a day ("mm/yyyy", "mmm-yy"): Excel turned "6/2023"
    into 1 June 2023, but the author meant the month."""
    if not isinstance(number_format, str):
        return False
    fmt = _FORMAT_LITERALS.sub("", number_format.lower())
    return "m" in fmt and "y" in fmt and not _DAY_FORMAT.search(fmt)


# ---------------------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------------------

_HEADER_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "number": ("stt", "tt", "so tt", "so thu tu", "thu tu", "so"),
    "content": (
        "noi dung nhiem vu",
        "noi dung cong viec",
        "nhiem vu",
        "noi dung",
        "ten nhiem vu",
        "cong viec",
        "nhiem vu, giai phap",
        "nhiem vu giai phap",
        "noi dung thuc hien",
        "ten cong viec",
        "noi dung cong tac",
    ),
    "lead": (
        "don vi chu tri",
        "co quan chu tri",
        "chu tri",
        "co quan, don vi chu tri",
        "don vi chu tri thuc hien",
        "co quan chu tri thuc hien",
    ),
    "coordinating": (
        "don vi phoi hop",
        "co quan phoi hop",
        "phoi hop",
        "co quan, don vi phoi hop",
        "don vi phoi hop thuc hien",
        "co quan phoi hop thuc hien",
    ),
    "deadline": (
        "thoi han",
        "thoi gian hoan thanh",
        "thoi gian thuc hien",
        "thoi han hoan thanh",
        "thoi gian",
        "tien do",
        "tien do thuc hien",
        "tien do hoan thanh",
    ),
    "product": (
        "san pham",
        "san pham dau ra",
        "ket qua",
        "san pham du kien",
        "ket qua dau ra",
        "hinh thuc san pham",
        "san pham hoan thanh",
        "ket qua san pham",
    ),
    "note": ("ghi chu",),
}
_HEADER_LOOKUP: Final = {
    _squeeze(name): key for key, names in _HEADER_NAMES.items() for name in names
}
_HEADER_JUNK = re.compile(r"\([^()]*\)|[*:.\-–]")
_COLUMN_NUMBERS = re.compile(r"^\(?\s*(?:\d{1,2}|[a-z])\s*\)?$")


def _classify_header(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    label = _squeeze(_HEADER_JUNK.sub(" ", fold(value)))
    if not label or len(label) > 80:
        return None
    key = _HEADER_LOOKUP.get(label)
    if key:
        return key
    # Tolerate longer variants ("Đơn vị chủ trì thực hiện nhiệm vụ").
    if "chu tri" in label:
        return "lead"
    if "phoi hop" in label:
        return "coordinating"
    if label.startswith(("thoi han", "thoi gian", "tien do")):
        return "deadline"
    if "san pham" in label or label.startswith("ket qua"):
        return "product"
    if label.startswith("ghi chu"):
        return "note"
    if "noi dung" in label or "nhiem vu" in label or "cong viec" in label:
        return "content"
    return None


def _header_map(*rows: Sequence[object]) -> dict[str, int]:
    """Column key → 1-based column, reading each column in the lowest non-empty row."""
    width = max((len(row) for row in rows), default=0)
    mapping: dict[str, int] = {}
    for col in range(width):
        label: object = None
        for row in rows:
            if col < len(row) and row[col] is not None and str(row[col]).strip():
                label = row[col]
        key = _classify_header(label)
        if key and key not in mapping:
            mapping[key] = col + 1
    return mapping


# Columns of dondoc's own task export: read back, they are not the appendix's.
_EXPORT_HEADERS: Final = frozenset({"stt/ma", "ma", "trang thai", "tien do", "ngay hoan thanh",
                                    "cac cot khac"})


def _header_others(rows: Sequence[Sequence[object]], known: Iterable[int]) -> dict[int, str]:
    """Column → header text for the header cells no column key claims ("Cấp trình")."""
    taken = set(known)
    width = max((len(row) for row in rows), default=0)
    others: dict[int, str] = {}
    for col in range(width):
        label = ""
        for row in rows:
            if col < len(row) and row[col] is not None and str(row[col]).strip():
                label = " ".join(str(row[col]).split())
        key = _squeeze(_HEADER_JUNK.sub(" ", fold(label)))
        if (label and col + 1 not in taken and not _COLUMN_NUMBERS.match(fold(label))
                and key not in _EXPORT_HEADERS):
            others[col + 1] = label[:80]
    return others


@dataclass
class _Header:
    row: int  # the last header row (1-based)
    columns: dict[str, int]
    first_row: int = 0  # the first header row (the upper one of a two-row header)
    others: dict[int, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(key in self.columns for key in REQUIRED_COLUMNS)


def _find_header(grid: Sequence[Sequence[object]]) -> _Header | None:
    best: _Header | None = None
    best_score = (False, 0)
    for index in range(min(len(grid), HEADER_SCAN_ROWS)):
        candidates = [_Header(index + 1, _header_map(grid[index]), index + 1)]
        if index + 1 < len(grid):  # two-row header: "Đơn vị thực hiện" / "Chủ trì"
            candidates.append(_Header(index + 2, _header_map(grid[index], grid[index + 1]),
                                      index + 1))
        for candidate in candidates:
            score = (candidate.complete, len(candidate.columns))
            if score[1] >= 2 and score > best_score:
                best, best_score = candidate, score
    if best is not None:
        rows = [grid[r - 1] for r in range(best.first_row, best.row + 1)]
        best.others = _header_others(rows, best.columns.values())
    return best


# ---------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------

_ROMAN = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_NUMBER = re.compile(rf"^(?=[MDCLXVI])({_ROMAN})\s*[.)]?$")
_ROMAN_TITLE = re.compile(rf"^(?=[MDCLXVI])({_ROMAN})\s*[.)/\-–:]?\s+(\S.*)$", re.DOTALL)
_BARE_NUMBER = re.compile(rf"^(?:[\d.)]+|{_ROMAN}[.)]?)$")
_BULLET = re.compile(r"^(?:[-+•*–—]|[a-zđ]\)|\d+[.)]\s)", re.IGNORECASE)
_LINE_SPACES = re.compile(r"[ \t\u00a0]+")

_PROPAGATED_COLUMNS: Final = ("number", "content", "lead", "coordinating", "deadline")


def _text(value: object) -> str:
    """A cell value as trimmed text (numbers without a spurious ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.datetime | dt.date):
        return _format_date(value if not isinstance(value, dt.datetime) else value.date())
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)


def _split_content(text: str) -> tuple[str, str]:
    """Title and description of a content cell.

    A cell whose first line ends with ":" or whose second line is a bullet ("- …",
    "a) …") is a title followed by details; otherwise line breaks are just wrapping.
    """
    lines = text.split("\n") if text else []
    if len(lines) > 1 and (lines[0].endswith(":") or _BULLET.match(lines[1])):
        return lines[0].rstrip(":").strip(), "\n".join(lines[1:])
    return " ".join(lines), ""


def _is_bold(ws: Any, row: int, col: int) -> bool:
    font = ws.cell(row=row, column=col).font
    return bool(font is not None and font.b)


@dataclass
class _RowContext:
    directory: UnitDirectory
    columns: dict[str, int]
    others: dict[int, str]
    fallback_lead_id: int | None
    group: ParsedRow | None = None
    task: ParsedRow | None = None  # the last top-level task: output rows attach to it
    numbers: dict[tuple[int | None, str], int] = field(default_factory=dict)
    tasks_by_row: dict[int, ParsedRow] = field(default_factory=dict)
    in_notes: bool = False  # below the table: everything from the first footnote on


def _sheet_rows(
    ws: Any, first: int, last: int | None, width: int
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number, values of columns 1..width) for the rows that hold cells.

    ``ws.iter_rows`` would create every missing cell up to ``ws.max_row``: a sheet with
    one stray formatted cell at row 1,048,576 must not cost a million empty rows.
    """
    cells: dict[tuple[int, int], Any] | None = getattr(ws, "_cells", None)
    if cells is None:  # not an openpyxl Worksheet as we know it: the slow, public way
        rows = ws.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True)
        for offset, values in enumerate(rows):
            yield first + offset, tuple(values)
        return
    present = sorted({r for r, c in cells if r >= first and (last is None or r <= last)})
    for row_number in present:
        values = []
        for col in range(1, width + 1):
            found = cells.get((row_number, col))
            values.append(None if found is None else found.value)
        yield row_number, tuple(values)


_FOOTNOTE = re.compile(
    r"^(?:\[\s*\d+\s*\]|\(\s*(?:\d+|\*+)\s*\)\s|\*+|"
    r"(?:ghi chu|luu y|chu thich|nguon|chu y)\s*:)"
)


def _parse_rows(
    ws: Any, header: _Header, directory: UnitDirectory, max_rows: int,
    fallback_lead_id: int | None,
) -> list[ParsedRow] | None:
    """The group and task rows below the header, or None when there are too many."""
    columns = header.columns
    width = max(min(ws.max_column or 0, MAX_COLUMNS), max(columns.values()),
                max(header.others, default=0))
    data_start = header.row + 1
    last_row = ws.max_row or 0

    # Values of merged ranges that apply to every row they cover (lead units merged
    # down over several tasks, for instance): (row, column) → (value, first row).
    propagated: dict[tuple[int, int], tuple[object, int]] = {}
    propagated_cols = {columns[key] for key in _PROPAGATED_COLUMNS if key in columns}
    for merged in ws.merged_cells.ranges:
        if merged.max_row > merged.min_row and merged.min_col in propagated_cols:
            value = ws.cell(row=merged.min_row, column=merged.min_col).value
            if value is None:
                continue
            stop = min(merged.max_row, last_row)
            for row in range(max(merged.min_row + 1, data_start), stop + 1):
                propagated[(row, merged.min_col)] = (value, merged.min_row)

    context = _RowContext(directory, columns, header.others, fallback_lead_id)
    rows: list[ParsedRow] = []
    first = True
    for row_number, values in _sheet_rows(ws, data_start, None, width):
        raw = [_text(v) for v in values]
        if not any(raw):
            continue

        def cell(key: str, raw: list[str] = raw, row_number: int = row_number) -> str:
            col = columns.get(key)
            if col is None:
                return ""
            if raw[col - 1]:
                return raw[col - 1]
            inherited = propagated.get((row_number, col))
            return _text(inherited[0]) if inherited else ""

        filled = {key for key, col in columns.items() if raw[col - 1]}
        # The row of column numbers under the header: "(1) (2) (3) …".
        if first:
            first = False
            nonempty = [v for v in raw if v]
            if len(nonempty) >= 3 and all(_COLUMN_NUMBERS.match(fold(v)) for v in nonempty):
                continue
        # A header repeated on a later page.
        if fold(cell("number")) in ("stt", "tt") and len(_header_map(values)) >= 2:
            continue
        # A number alone (a pre-numbered empty line of a template) is not data.
        number_col = columns.get("number")
        if (
            number_col
            and _BARE_NUMBER.match(raw[number_col - 1])
            and not any(v for i, v in enumerate(raw) if i + 1 != number_col)
        ):
            continue
        if len(rows) >= max_rows:
            return None
        note = _footnote(row_number, raw, context)
        if note is not None:
            rows.append(note)
            continue
        rows.append(_parse_row(ws, row_number, cell, filled, raw, propagated, context))
    return rows


def _footnote(row_number: int, raw: list[str], context: _RowContext) -> ParsedRow | None:
    """A note below the table ("[1] …", "Ghi chú: …"), skipped and listed; so is every
    row after it."""
    texts = [value for value in raw if value]
    if not context.in_notes:
        if context.task is None or len(texts) > 2 or not _FOOTNOTE.match(fold(texts[0])):
            return None
        context.in_notes = True
    text = " ".join(" ".join(texts).split())
    note = ParsedRow(row_number=row_number, kind=KIND_SKIPPED, title=text[:200])
    note.issues.append(RowIssue(LEVEL_INFO, "footnote", {"text": text[:120]}))
    return note


def _parse_row(
    ws: Any,
    row_number: int,
    cell: Any,
    filled: set[str],
    raw: list[str],
    propagated: dict[tuple[int, int], tuple[object, int]],
    context: _RowContext,
) -> ParsedRow:
    columns = context.columns
    number = cell("number")
    content = raw[columns["content"] - 1]
    lead_text = cell("lead")
    coordinating_text = cell("coordinating")
    deadline_text = cell("deadline")
    own = {key: raw[col - 1] for key, col in columns.items()}  # the row's own cells

    # -- group rows ------------------------------------------------------------------
    group_number: str | None = None
    group_title = ""
    roman = _ROMAN_NUMBER.match(number)
    if roman:
        group_number, group_title = roman.group(1), content
    elif not content and (titled := _ROMAN_TITLE.match(number)):
        group_number, group_title = titled.group(1), titled.group(2)  # "I. Công tác …"
    elif not number and content and not (lead_text or coordinating_text or deadline_text):
        only_content = filled <= {"content"} and sum(1 for v in raw if v) == 1
        if only_content or _is_bold(ws, row_number, columns["content"]):
            group_number, group_title = "", content
    if group_number is not None and " ".join(group_title.split()):
        group = ParsedRow(
            row_number=row_number,
            kind=KIND_GROUP,
            number=group_number,
            title=" ".join(group_title.split()),
        )
        if lead_text or coordinating_text or deadline_text:
            group.issues.append(
                RowIssue(LEVEL_WARNING, "group_units_ignored", {"number": group_number})
            )
        if len(group.title) > MAX_TITLE_LENGTH:
            group.issues.append(_too_long(group.title))
        context.group = group
        context.task = None
        return group

    # -- output rows: a second product of the task above -----------------------------
    parent: ParsedRow | None = None
    if not content:
        inherited = propagated.get((row_number, columns["content"]))
        if inherited is not None:
            parent = context.tasks_by_row.get(inherited[1])
        elif not own.get("number") and (own.get("product") or own.get("deadline")):
            parent = context.task
        if parent is None:
            skipped = ParsedRow(row_number=row_number, kind=KIND_SKIPPED,
                                title=" ".join(" ".join(v for v in raw if v).split())[:200])
            skipped.issues.append(RowIssue(LEVEL_INFO, "no_task_text", {}))
            return skipped

    group_row = context.group.row_number if context.group else None
    task = ParsedRow(
        row_number=row_number,
        kind=KIND_TASK if parent is None else KIND_OUTPUT,
        number=number.rstrip(".)").strip() if number else "",
        group_number=context.group.number if context.group else None,
        group_row=group_row,
        lead_text=lead_text,
        coordinating_text=coordinating_text,
        deadline_text=deadline_text,
        product=cell("product"),
        note=cell("note"),
        extra={label: raw[col - 1] for col, label in context.others.items()
               if col - 1 < len(raw) and raw[col - 1]},
    )
    issues = task.issues
    if parent is not None:
        task.parent_row = parent.row_number
        task.number = ""
        task.title = task.product or parent.title
    else:
        task.title, task.description = _split_content(content)
        if len(task.title) > MAX_TITLE_LENGTH:
            issues.append(_too_long(task.title))
        context.task = task
        context.tasks_by_row[row_number] = task

    number_col = columns.get("number")
    if parent is None and task.number and number_col and raw[number_col - 1]:
        key = (group_row, task.number)
        if key in context.numbers:
            issues.append(
                RowIssue(
                    LEVEL_WARNING,
                    "duplicate_number",
                    {"number": task.number, "row": str(context.numbers[key])},
                )
            )
        else:
            context.numbers[key] = row_number

    if parent is not None and lead_text in ("", parent.lead_text):
        # The parent's lead (and coordinators) unless the row names others.
        task.lead_text, task.lead_unit_id = parent.lead_text, parent.lead_unit_id
        task.provisional_lead = parent.provisional_lead
        if coordinating_text in ("", parent.coordinating_text):
            task.coordinating_text = parent.coordinating_text
            task.coordinating_unit_ids = list(parent.coordinating_unit_ids)
        else:
            _coordinators(task, coordinating_text, context)
    else:
        _lead(task, lead_text, context)
        if coordinating_text:
            _coordinators(task, coordinating_text, context)

    task.deadline = _row_deadline(ws, row_number, columns, propagated, issues)
    if parent is not None and not own.get("deadline") and task.deadline.kind == DEADLINE_NONE \
            and parent.deadline is not None:
        task.deadline = parent.deadline
        task.deadline_text = parent.deadline_text
        task.issues = [issue for issue in issues if issue.code != "deadline_to_set"]
    return task


_CONDITION = re.compile(
    r"\(\s*((?:đối với|doi voi|trường hợp|truong hop|nếu|neu|về|ve|phần|phan|theo)\b[^()]*)\)",
    re.IGNORECASE,
)


def _lead(task: ParsedRow, text: str, context: _RowContext) -> None:
    """Exactly one lead: the first of several (flagged), or the fallback unit (flagged)
    when the cell is empty, collective or unknown. Never an error."""
    issues = task.issues
    conditions = _CONDITION.findall(text)
    resolved = context.directory.resolve_cell(_CONDITION.sub(" ", text) if conditions else text)
    directory = context.directory

    def names(ids: Iterable[int]) -> str:
        return ", ".join(directory.units[i].name for i in ids if i in directory.units)

    def flag(code: str, **params: str) -> None:
        issues.append(RowIssue(LEVEL_WARNING, code, params, column="lead", cell=text))

    for mention in resolved.unknown:
        flag("unknown_unit", text=mention)
    for mention in resolved.ambiguous:
        flag("ambiguous_unit", text=mention)
    vague = resolved.collective + resolved.needs_review
    if not text:
        flag("missing_lead")
    elif vague and len(resolved.unit_ids) != 1:
        flag("vague_lead", text="; ".join(vague))
        task.coordinating_unit_ids = list(resolved.unit_ids)
    elif len(resolved.unit_ids) > 1:
        task.lead_unit_id = resolved.unit_ids[0]
        task.lead_candidates = list(resolved.unit_ids)
        task.coordinating_unit_ids = list(resolved.unit_ids[1:])
        if conditions:
            flag("conditional_lead", candidates="; ".join(
                f"{directory.units[i].name}" for i in resolved.unit_ids))
        else:
            flag("several_leads", text=" ".join(text.split()),
                 count=str(len(resolved.unit_ids)), candidates=names(resolved.unit_ids))
    elif len(resolved.unit_ids) == 1:
        task.lead_unit_id = resolved.unit_ids[0]
        for mention in vague:
            flag("needs_review", text=mention)
    if task.lead_unit_id is None:
        if context.fallback_lead_id in task.coordinating_unit_ids:
            task.coordinating_unit_ids.remove(context.fallback_lead_id)
        if text and not any(issue.column == "lead" for issue in issues):
            flag("missing_lead")  # " - ", "…": nothing that names a unit
        task.provisional_lead = True
        task.lead_unit_id = context.fallback_lead_id
        if context.fallback_lead_id is not None:
            flag("provisional_lead", unit=names([context.fallback_lead_id])
                 or str(context.fallback_lead_id))


def _coordinators(task: ParsedRow, text: str, context: _RowContext) -> None:
    """Any number of coordinating units; what cannot be read is flagged, never an error."""
    resolved = context.directory.resolve_cell(text)
    for code, mentions in (("unknown_unit", resolved.unknown),
                           ("ambiguous_unit", resolved.ambiguous),
                           ("needs_review", resolved.needs_review)):
        for mention in mentions:
            task.issues.append(RowIssue(LEVEL_WARNING, code, {"text": mention},
                                        column="coordinating", cell=text))
    ids = list(task.coordinating_unit_ids)
    for unit_id in resolved.unit_ids:
        if unit_id not in ids:
            ids.append(unit_id)
    task.coordinating_unit_ids = [unit_id for unit_id in ids if unit_id != task.lead_unit_id]


def _row_deadline(
    ws: Any,
    row_number: int,
    columns: dict[str, int],
    propagated: dict[tuple[int, int], tuple[object, int]],
    issues: list[RowIssue],
) -> Deadline:
    col = columns.get("deadline")
    value: object = None
    source_row = row_number
    if col is not None:
        value = ws.cell(row=row_number, column=col).value
        if value is None and (row_number, col) in propagated:
            value, source_row = propagated[(row_number, col)]
    if isinstance(value, str) and not value.strip():
        value = None
    if value is None:
        issues.append(RowIssue(LEVEL_WARNING, "deadline_to_set", {"text": ""},
                               column="deadline", key="deadline_empty"))
        return Deadline(DEADLINE_NONE, None, "")
    if isinstance(value, dt.datetime | dt.date) and col is not None:
        day = value.date() if isinstance(value, dt.datetime) else value
        if _is_month_format(ws.cell(row=source_row, column=col).number_format):
            due = _month_end(day.year, day.month, "")
            return Deadline(DEADLINE_FIXED, due, day.strftime("%m/%Y"))
    try:
        return parse_deadline(value)
    except DeadlineError as error:
        text = error.text or _text(value)
    found = deadline_in_text(text)
    if found is not None and found.due is not None:
        issues.append(RowIssue(LEVEL_WARNING, "deadline_in_text",
                               {"text": text, "due": _format_date(found.due)},
                               column="deadline", cell=text))
        return found
    issues.append(RowIssue(LEVEL_WARNING, "deadline_to_set", {"text": text},
                           column="deadline", cell=text))
    return Deadline(DEADLINE_NONE, None, text)


def _too_long(title: str) -> RowIssue:
    return RowIssue(
        LEVEL_ERROR,
        "title_too_long",
        {"length": str(len(title)), "max": str(MAX_TITLE_LENGTH)},
    )


# ---------------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------------


def _load(data: bytes | BinaryIO) -> Any:
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    check_workbook(source)  # refuse a workbook too big to build in memory (raises)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Data Validation extension is not supported", …
        return load_workbook(source, data_only=True, keep_links=False)


def _grid(ws: Any) -> list[tuple[object, ...]]:
    """The first rows of a sheet (one more than scanned, for two-row headers)."""
    limit = HEADER_SCAN_ROWS + 1
    grid: list[tuple[object, ...]] = [() for _ in range(limit)]
    width = min(ws.max_column or 0, MAX_COLUMNS)
    for row_number, values in _sheet_rows(ws, 1, limit, width):
        grid[row_number - 1] = values
    return grid


def parse_workbook(
    data: bytes | BinaryIO,
    directory: UnitDirectory,
    *,
    max_rows: int = 10000,
    fallback_lead_id: int | None = None,
) -> ImportPreview:
    """Read the task appendix of an uploaded workbook. Never raises for bad input, except
    :class:`WorkbookTooLarge` (a ValidationError) for one beyond the workbook limits.

    The first worksheet (the active one first) whose header has at least the content
    and lead columns is read; at most ``max_rows`` non-empty rows below the header.
    """
    try:
        workbook = _load(data)
    except WorkbookTooLarge:
        raise
    except Exception:  # zipfile.BadZipFile, KeyError, InvalidFileException, …
        return ImportPreview(file_issues=[RowIssue(LEVEL_ERROR, "not_excel", {})])

    try:
        sheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        sheets = sheets or list(workbook.worksheets)
        active = workbook.active
        if active in sheets:
            sheets.remove(active)
            sheets.insert(0, active)

        found: list[tuple[Any, _Header]] = []
        first_header: _Header | None = None
        for ws in sheets:
            header = _find_header(_grid(ws))
            if header is not None and header.complete:
                found.append((ws, header))
            elif first_header is None and header is not None:
                first_header = header
        if not found:
            present = first_header.columns if first_header else {}
            missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in present]
            return ImportPreview(
                file_issues=[
                    RowIssue(
                        LEVEL_ERROR,
                        "missing_columns",
                        {"columns": ", ".join(missing), "rows": str(HEADER_SCAN_ROWS)},
                    )
                ]
            )

        ws, header = found[0]
        preview = ImportPreview(
            sheet_name=str(ws.title), header_row=header.row, columns=dict(header.columns),
            unknown_columns=dict(header.others),
        )
        if header.others:
            preview.file_issues.append(RowIssue(LEVEL_WARNING, "unknown_columns", {
                "columns": ", ".join(f"“{label}”" for label in header.others.values())}))
        if len(found) > 1:
            preview.file_issues.append(
                RowIssue(LEVEL_WARNING, "other_sheets", {"sheet": preview.sheet_name})
            )
        rows = _parse_rows(ws, header, directory, max_rows, fallback_lead_id)
        if rows is None:
            preview.file_issues.append(
                RowIssue(LEVEL_ERROR, "too_many_rows", {"max": str(max_rows)})
            )
            return preview
        preview.rows = rows
        if not preview.tasks:
            preview.file_issues.append(RowIssue(LEVEL_ERROR, "no_tasks", {}))
        return preview
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------------------

_TEMPLATE_WIDTHS: Final = {
    "number": 7,
    "content": 60,
    "lead": 26,
    "coordinating": 32,
    "deadline": 16,
    "product": 30,
    "note": 18,
}
_TEMPLATE_HINTS: Final = {
    "number": "I, II, … cho nhóm nhiệm vụ; 1, 2, … (hoặc 1.1) cho nhiệm vụ.",
    "lead": ("Một đơn vị duy nhất: mã (PV01), tên đầy đủ, tên viết tắt hoặc “Tên (MÃ)”."),
    "coordinating": ("Nhiều đơn vị, cách nhau bởi dấu phẩy, chấm phẩy, xuống dòng hoặc “và”."),
    "deadline": (
        "30/6/2023; Tháng 6/2023; Quý IV/2023; 6 tháng đầu năm 2023; Năm 2023; "
        "Thường xuyên; Hằng tháng; Hằng quý; Hằng năm."
    ),
}
_TEMPLATE_ROWS: Final[tuple[tuple[str, ...], ...]] = (
    ("I", "Công tác lãnh đạo, chỉ đạo, quán triệt, tuyên truyền", "", "", "", "", ""),
    (
        "1",
        "Tổ chức quán triệt, triển khai Nghị quyết đến toàn thể cán bộ, chiến sĩ",
        "PX03",
        "PV01; Công an các quận, huyện",
        "Quý IV/2022",
        "Báo cáo kết quả quán triệt",
        "",
    ),
    (
        "2",
        "Rà soát, đánh giá thực trạng trụ sở, trang bị, phương tiện của các đơn vị",
        "PH10",
        "PH01, PV01",
        "30/6/2023",
        "Báo cáo đánh giá thực trạng",
        "",
    ),
)


def write_template(path_or_buffer: str | os.PathLike[str] | BinaryIO) -> None:
    """Write an empty appendix workbook, with one example group and two example tasks."""
    keys = list(COLUMN_LABELS)
    last = get_column_letter(len(keys))
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Phụ lục nhiệm vụ"

    base = "Times New Roman"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)

    ws["A1"] = "PHỤ LỤC PHÂN CÔNG NHIỆM VỤ"
    ws["A1"].font = Font(name=base, size=14, bold=True)
    ws["A1"].alignment = centre
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = "(Kèm theo Kế hoạch số      /KH-      ngày      tháng      năm      )"
    ws["A2"].font = Font(name=base, size=12, italic=True)
    ws["A2"].alignment = centre
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[1].height = 24

    header_row = 4
    for col, key in enumerate(keys, start=1):
        header = ws.cell(row=header_row, column=col, value=COLUMN_LABELS[key])
        header.font = Font(name=base, size=12, bold=True)
        header.alignment = centre
        header.border = border
        header.fill = PatternFill("solid", fgColor="D9E1F2")
        if key in _TEMPLATE_HINTS:
            header.comment = Comment(_TEMPLATE_HINTS[key], "dondoc", width=320, height=110)
        ws.column_dimensions[get_column_letter(col)].width = _TEMPLATE_WIDTHS[key]
    ws.row_dimensions[header_row].height = 32

    for offset, values in enumerate(_TEMPLATE_ROWS, start=1):
        row = header_row + offset
        is_group = values[0] == "I"
        for col, value in enumerate(values, start=1):
            target = ws.cell(row=row, column=col, value=value or None)
            target.font = Font(name=base, size=12, bold=is_group)
            target.border = border
            target.alignment = centre if col in (1, 5) else wrap

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(path_or_buffer)
