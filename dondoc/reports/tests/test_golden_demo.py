"""Golden test on the demo data: the consolidated report's tables are the status
engine's numbers as of the cut-off, and the report renders to a real PDF."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dondoc.core import officedocs
from dondoc.organization.models import Unit, User
from dondoc.plans.models import Document, Task
from dondoc.plans.selectors import document_with_descendants
from dondoc.progress import engine, periods
from dondoc.progress.selectors import facts_for
from dondoc.reports import render, services
from dondoc.reports.demo import _last_closed_quarter
from dondoc.reports.models import ConsolidatedReport

pytestmark = pytest.mark.django_db


def _lead_on(task: Task, day) -> Unit:
    later = [change for change in task.lead_changes.all() if change.changed_on > day]
    return min(later, key=lambda change: (change.changed_on, change.pk)).old_unit if later \
        else task.lead_unit


def test_the_tables_are_the_engines_numbers_on_the_demo_data(frozen_today) -> None:
    call_command("demo", stdout=io.StringIO())
    draft = ConsolidatedReport.objects.get()  # the demo's draft: the last closed quarter
    assert draft.period_label == _last_closed_quarter(frozen_today).label
    staff = User.objects.get(username="thammuu")
    city = Unit.objects.get(code="CATP")
    document = Document.objects.get(code_prefix="DA01")
    # A running period (as of today: the maintained fields) and closed ones (the history).
    for text in ("2026", "Q3/2026", "H1/2025"):
        period = periods.parse_period(text)
        report = services.report_create(actor=staff, scope_unit=city, document=document,
                                        period=period)
        cut_off = report.cut_off
        assert cut_off == min(period.end, frozen_today)
        ids = document_with_descendants(user=staff, pk=document.pk)
        tasks = Task.objects.filter(document_id__in=ids).prefetch_related(
            "extensions", "completion_requests", "suspensions", "updates",
            "lead_changes__old_unit", "lead_unit")
        in_scope = [task for task in tasks
                    if _lead_on(task, cut_off).path.startswith(city.path)]
        expected = engine.summarize(engine.evaluate(facts_for(task), cut_off)
                                    for task in in_scope)
        assert expected.total > 20 and expected.completed_late, text
        if text == "2026":
            assert expected.in_progress_overdue and expected.awaiting_confirmation
        totals = report.data["totals"]
        for name in services.builder.COUNT_KEYS:
            assert totals[name] == getattr(expected, name), (text, name)
        for table in ("by_unit", "by_group"):
            for name in ("total", "completed_on_time", "completed_late",
                         "in_progress_overdue"):
                assert sum(row["counts"][name] for row in report.data[table]) == totals[name]
        assert len(report.data["overdue"]) == expected.in_progress_overdue

    snapshot = services.snapshot_of(report)
    docx = render.render_docx(snapshot)
    assert render.render_docx(snapshot) == docx
    if officedocs.soffice_path() is None:
        pytest.skip("LibreOffice is not installed")
    pages = officedocs.pdf_to_png_pages(render.render_pdf(docx), dpi=40)
    assert len(pages) >= 3 and all(page.startswith(b"\x89PNG") for page in pages)
