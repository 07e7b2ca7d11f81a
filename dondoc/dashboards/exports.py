"""The dashboard in an Excel workbook: one sheet per chart or table, the numbers as shown."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from dondoc.dashboards.selectors import Dashboard, TrendLine


def _percent(value: Any) -> Any:
    return float(value) / 100 if value is not None else ""


def dashboard_xlsx(board: Dashboard, *, org_name: str, columns: list[tuple[str, str]],
                   age_rows: list[tuple[str, str, int, str]],
                   trend: tuple[list[Any], list[TrendLine]] | None,
                   targets: list[Any] | None = None) -> bytes:
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"in_memory": True})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDE3EA", "border": 1, "text_wrap": True})
    pct = book.add_format({"num_format": "0.0%"})
    scope = board.scope
    title = (f"{org_name} · {scope.unit.name}"
             + (f" · {scope.document.number}" if scope.document else "")
             + " · " + _("as of %(day)s") % {"day": scope.as_of.strftime("%d/%m/%Y")})

    def sheet(name: str, headers: list[str]) -> Any:
        ws = book.add_worksheet(name[:31])
        ws.write(0, 0, title, bold)
        ws.write_row(2, 0, headers, head)
        ws.set_column(0, 0, 40)
        ws.set_column(1, len(headers), 14)
        ws.freeze_panes(3, 1)
        return ws

    counts = board.figures.counts
    ws = sheet(_("Summary"), [_("Figure"), _("Value"), _("Change")])
    lines = [(_("Tasks"), counts.total, "total"),
             (_("Completed on time"), counts.completed_on_time, "completed_on_time"),
             (_("Completed late"), counts.completed_late, "completed_late"),
             (_("In progress, on time"), counts.in_progress_on_time, "in_progress_on_time"),
             (_("In progress, overdue"), counts.in_progress_overdue, "in_progress_overdue"),
             (_("Awaiting confirmation"), counts.awaiting_confirmation, "awaiting_confirmation"),
             (_("Standing task"), counts.standing, ""), (_("Suspended"), counts.suspended, "")]
    for index, (label, value, key) in enumerate(lines, start=3):
        ws.write_row(index, 0, [label, value])
        if key and board.changes:
            ws.write(index, 2, board.changes.get(key))
    rate_row = 3 + len(lines)
    ws.write(rate_row, 0, _("On-time rate"))
    ws.write(rate_row, 1, _percent(board.figures.rate), pct)
    if board.changes.get("rate") is not None:
        ws.write(rate_row, 2, _percent(board.changes["rate"]), pct)

    ws = sheet(_("Overdue by age"), [_("Group"), _("Tasks")])
    for index, (label, _key, value, _tone) in enumerate(age_rows, start=3):
        ws.write_row(index, 0, [label, value])

    ws = sheet(_("League table"), [label for _key, label in columns])
    for index, row in enumerate(board.rows, start=3):
        n = row.figures.counts
        name = ("    " * row.level) + (_("%(name)s itself") % {"name": row.unit.label}
                                        if row.own_row else row.unit.label)
        ws.write_row(index, 0, [name, n.total, n.completed_on_time, n.completed_late,
                                n.in_progress_on_time, n.in_progress_overdue,
                                n.awaiting_confirmation])
        ws.write(index, 7, _percent(row.figures.rate), pct)
        ws.write(index, 8, row.figures.oldest_overdue_days or "")

    if board.groups:
        ws = sheet(_("Task groups"), [_("Task group"), _("Tasks"), _("Completed"),
                                      _("Late"), _("On-time rate")])
        for index, (group, group_counts, _link) in enumerate(board.groups, start=3):
            label = f"{group.number}. {group.title}" if group else _("Outside any group")
            ws.write_row(index, 0, [label, group_counts.total, group_counts.completed,
                                    group_counts.overdue_total])
            rate = group_counts.on_time_rate
            ws.write(index, 4, rate if rate is not None else "", pct)

    if trend is not None:
        months, lines_ = trend
        headers = [_("Month end")]
        for line in lines_:
            headers += [f"{line.unit.short_name or line.unit.name}: {_('On-time rate')}",
                        f"{line.unit.short_name or line.unit.name}: {_('Overdue')}"]
        ws = sheet(_("Trend"), headers)
        for index, day in enumerate(months, start=3):
            ws.write(index, 0, day.strftime("%d/%m/%Y"))
            for number, line in enumerate(lines_):
                figures = line.points[index - 3][1]
                ws.write(index, 1 + 2 * number, _percent(figures.rate), pct)
                ws.write(index, 2 + 2 * number, figures.counts.in_progress_overdue)
    if targets:
        ws = sheet(_("Targets"), [_("Target"), _("Document"), _("Unit of measure"),
                                  _("Target value"), _("Target date"), _("Latest"),
                                  _("Measured on"), _("Planned by now"), _("Achieved"),
                                  _("On track?")])
        for index, row in enumerate(targets, start=3):
            target, standing = row.target, row.standing
            goal = row.share.target_value if row.share else target.target_value
            ws.write_row(index, 0, [target.name, target.document.number, target.measure_unit,
                                    float(goal), target.target_date.strftime("%d/%m/%Y")])
            if standing is not None:
                ws.write_row(index, 5, [float(standing.value),
                                        standing.day.strftime("%d/%m/%Y")])
            ws.write(index, 7, float(row.planned_now))
            if standing is not None:
                ws.write(index, 8, _percent(standing.percent), pct)
                ws.write(index, 9, _("On track") if standing.on_track else _("Behind the plan"))
    book.close()
    return stream.getvalue()
