"""Periodic unit reports: periods and windows, pre-fill, statistics as of the cut-off,
late and missing at the boundaries, the state machine, permissions and bad input."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dondoc.audit.models import AuditEvent
from dondoc.core.concurrency import ConflictError
from dondoc.plans import services as plan_services
from dondoc.plans.services import WorkflowError
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.progress.periods import (
    PeriodError,
    cutoff_window,
    parse_period,
    period_kind,
    periods_between,
)
from dondoc.progress.selectors import statistics
from dondoc.unitreports import selectors, services, signals
from dondoc.unitreports.models import ReportState, UnitReport
from dondoc.unitreports.states import Cell, cell_state, is_late

D = dt.date
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ),
                               tick=False)


# Periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), [
    ("Q3/2026", "quarter"), ("07/2026", "month"), ("H2/2026", "half"),
    ("9 tháng 2026", "nine"), ("2026", "year"), ("15/03/2026", None)])
def test_period_kinds(text: str, kind: str | None) -> None:
    assert period_kind(parse_period(text)) == kind


def test_periods_between_lists_each_period_once() -> None:
    found = periods_between("quarter", parse_period("Q3/2025"), parse_period("Q2/2026"))
    assert [p.label for p in found] == ["Q3/2025", "Q4/2025", "Q1/2026", "Q2/2026"]
    assert len(periods_between("nine", parse_period("9 tháng 2024"),
                               parse_period("9 tháng 2026"))) == 3
    with pytest.raises(PeriodError):
        periods_between("quarter", parse_period("Q2/2026"), parse_period("Q1/2026"))


def test_cutoff_window_runs_from_the_15th_to_the_14th() -> None:
    q3 = parse_period("Q3/2026")
    assert cutoff_window(q3, None) == (D(2026, 7, 1), D(2026, 9, 30))
    assert cutoff_window(q3, 14) == (D(2026, 6, 15), D(2026, 9, 14))
    assert cutoff_window(parse_period("01/2026"), 14) == (D(2025, 12, 15), D(2026, 1, 14))


# States at the boundaries -----------------------------------------------------------


@pytest.mark.parametrize(("as_of", "state", "submitted", "cell", "late"), [
    (D(2026, 9, 15), None, None, Cell.DUE, False),            # the deadline day itself
    (D(2026, 9, 16), None, None, Cell.MISSING, True),         # the day after
    (D(2026, 9, 16), "draft", None, Cell.MISSING, True),
    (D(2026, 9, 20), "submitted", D(2026, 9, 15), Cell.SUBMITTED, False),
    (D(2026, 9, 20), "submitted", D(2026, 9, 16), Cell.SUBMITTED_LATE, True),
    (D(2026, 9, 20), "accepted", D(2026, 9, 16), Cell.ACCEPTED, True),
    (D(2026, 9, 20), "returned", D(2026, 9, 10), Cell.RETURNED, False),
    (D(2026, 9, 12), "accepted", D(2026, 9, 13), Cell.DUE, False),  # submitted after D
])
def test_report_state_on_a_day(as_of: dt.date, state: str | None, submitted: dt.date | None,
                               cell: Cell, late: bool) -> None:
    deadline = D(2026, 9, 15)
    assert cell_state(deadline=deadline, as_of=as_of, state=state,
                      first_submitted_on=submitted) == cell
    assert is_late(deadline=deadline, as_of=as_of, first_submitted_on=submitted) == late


# Services ---------------------------------------------------------------------------


@pytest.fixture
def setup(org, people):
    document = make_document(org.catp, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff, due_date=D(2026, 8, 31),
                     assigned_on=D(2026, 5, 2))
    other = make_task(document, org.pc06, actor=people.staff, due_date=D(2026, 12, 31),
                      assigned_on=D(2026, 5, 2))
    for day, text in ((D(2026, 6, 20), "June"), (D(2026, 7, 3), "July"),
                      (D(2026, 9, 14), "Sep14"), (D(2026, 9, 20), "Sep20")):
        plan_services.progress_post(actor=people.officer, task=task, unit=org.pc08,
                                    percent=30, results=f"Result {text}",
                                    difficulties=f"Hard {text}", proposals=f"Ask {text}",
                                    reported_on=day)
    plan_services.progress_post(actor=people.outsider, task=other, unit=org.pc06, percent=10,
                                results="Not ours", reported_on=D(2026, 7, 5))
    return document, task


JUNE_1 = D(2026, 6, 1)


def _obligation(org, people, document, *, mode="calendar", cutoff=None, on=JUNE_1,
                rule="days_after_end", value=10):
    return services.obligation_create(
        actor=people.staff, document=document, owner_unit=org.catp, title="Báo cáo quý",
        kind="quarter", units=[org.pc08, org.pc06], with_subunits=False,
        first_period=parse_period("Q3/2026"), last_period=parse_period("Q4/2026"),
        deadline_rule=rule, deadline_value=value, window_mode=mode, cutoff_day=cutoff, on=on)


@pytest.mark.parametrize(("mode", "cutoff", "expected"), [
    ("calendar", None, ["Sep14", "Sep20", "July"]),
    ("cutoff", 14, ["June", "Sep14", "July"]),
])
def test_prefill_equals_the_updates_in_the_window(setup, org, people, mode, cutoff,
                                                  expected) -> None:
    document, task = setup
    obligation = _obligation(org, people, document, mode=mode, cutoff=cutoff)
    with at(D(2026, 10, 2)):
        report = services.report_start(actor=people.officer, obligation=obligation,
                                       unit=org.pc08, period_start=D(2026, 7, 1))
    start, end = obligation.window(obligation.periods()[0])
    wanted = [u for u in task.updates.all() if start <= u.reported_on <= end]
    assert sorted(u.results.split()[-1] for u in wanted) == sorted(expected)
    assert report.results.splitlines() == [f"- [{task.code}] {u.results} (30%)" for u in wanted]
    assert report.difficulties.splitlines() == [f"- [{task.code}] {u.difficulties}"
                                                for u in wanted]
    assert "Not ours" not in report.results
    assert AuditEvent.objects.filter(object_type="unitreports.unitreport",
                                     object_id=str(report.pk)).exists()


def test_statistics_are_the_engines_as_of_the_cutoff(setup, org, people) -> None:
    document, _task = setup
    obligation = _obligation(org, people, document)
    with at(D(2026, 10, 2)):
        report = services.report_start(actor=people.officer, obligation=obligation,
                                       unit=org.pc08, period_start=D(2026, 7, 1))
        expected = asdict(statistics(document.tasks.filter(lead_unit=org.pc08),
                                     D(2026, 9, 30)))
    assert {k: report.statistics[k] for k in expected} == expected
    assert report.statistics["in_progress_overdue"] == 1  # due 31/08, open at 30/09
    assert report.statistics["as_of"] == "2026-09-30"


def test_submit_accept_return_resubmit(setup, org, people,
                                       django_capture_on_commit_callbacks) -> None:
    document, _task = setup
    obligation = _obligation(org, people, document)
    heard: list[str] = []

    def listen(signal_name):
        return lambda sender, report, actor, **kw: heard.append(signal_name)

    submitted, returned = listen("submitted"), listen("returned")
    signals.unit_report_submitted.connect(submitted)
    signals.unit_report_returned.connect(returned)
    try:
        with at(D(2026, 10, 2)), django_capture_on_commit_callbacks(execute=True):
            report = services.report_start(actor=people.officer, obligation=obligation,
                                           unit=org.pc08, period_start=D(2026, 7, 1))
            services.report_update(actor=people.officer, report=report,
                                   expected_version=report.version, results="Done",
                                   difficulties="", proposals="More staff")
            with pytest.raises(ConflictError):
                services.report_update(actor=people.manager, report=report,
                                       expected_version=1, results="x", difficulties="",
                                       proposals="")
            services.report_submit(actor=people.officer, report=report)
            report.refresh_from_db()
            assert report.state == ReportState.SUBMITTED and not report.late
            with pytest.raises(WorkflowError):
                services.report_update(actor=people.officer, report=report,
                                       expected_version=report.version, results="y",
                                       difficulties="", proposals="")
            with pytest.raises(ValidationError):
                services.report_return(actor=people.staff, report=report, reason=" ")
            services.report_return(actor=people.staff, report=report, reason="Thiếu số liệu")
        with at(D(2026, 10, 20)), django_capture_on_commit_callbacks(execute=True):
            # after the deadline (10/10): still not late
            report.refresh_from_db()
            services.report_update(actor=people.officer, report=report,
                                   expected_version=report.version, results="Done, numbers",
                                   difficulties="", proposals="")
            services.report_submit(actor=people.officer, report=report)
            report.refresh_from_db()
            assert report.first_submitted_on == D(2026, 10, 2) and not report.late
            services.report_accept(actor=people.staff, report=report)
            report.refresh_from_db()
            assert report.state == ReportState.ACCEPTED
            with pytest.raises(WorkflowError):
                services.report_return(actor=people.staff, report=report, reason="late")
    finally:
        signals.unit_report_submitted.disconnect(submitted)
        signals.unit_report_returned.disconnect(returned)
    assert heard == ["submitted", "returned", "submitted"]


def test_a_draft_without_results_cannot_be_submitted(setup, org, people) -> None:
    document, _task = setup
    obligation = _obligation(org, people, document)
    with at(D(2026, 10, 2)):
        report = services.report_start(actor=people.outsider, obligation=obligation,
                                       unit=org.pc06, period_start=D(2026, 10, 1))
        UnitReport.objects.filter(pk=report.pk).update(results="")
        report.refresh_from_db()
        with pytest.raises(ValidationError):
            services.report_submit(actor=people.outsider, report=report)


@pytest.mark.parametrize(("changes", "field"), [
    ({"last_period": "Q2/2026"}, "last_period"),           # end before start
    ({"on": D(2026, 10, 11)}, "first_period"),              # first deadline already past
    ({"first_period": "07/2026"}, "first_period"),          # not a quarter
    ({"rule": "day_of_last_month", "value": 15}, "deadline_value"),  # before the cut-off
    ({"mode": "cutoff", "cutoff": None}, "cutoff_day"),
    ({"value": 500}, "deadline_value"),
])
def test_bad_obligations_are_refused_on_the_field(setup, org, people, changes, field) -> None:
    document, _task = setup
    args = {"first_period": "Q3/2026", "last_period": "Q4/2026", "on": D(2026, 6, 1),
            "rule": "days_after_end", "value": 10, "mode": "calendar", "cutoff": None,
            **changes}
    with pytest.raises(ValidationError) as raised:
        services.obligation_create(
            actor=people.staff, document=document, owner_unit=org.catp, title="x",
            kind="quarter", units=[org.pc08], with_subunits=False,
            first_period=parse_period(args["first_period"]),
            last_period=parse_period(args["last_period"]), deadline_rule=args["rule"],
            deadline_value=args["value"], window_mode=args["mode"],
            cutoff_day=args["cutoff"], on=args["on"])
    assert field in raised.value.message_dict


def test_deadline_on_the_15th_with_a_cutoff_on_the_14th_is_accepted(setup, org, people):
    document, _task = setup
    obligation = _obligation(org, people, document, mode="cutoff", cutoff=14,
                             rule="day_of_last_month", value=15)
    first = obligation.periods()[0]
    assert obligation.deadline(first) == D(2026, 9, 15)
    assert obligation.window(first) == (D(2026, 6, 15), D(2026, 9, 14))


def test_reports_due_and_hooks(setup, org, people) -> None:
    document, _task = setup
    obligation = _obligation(org, people, document)
    with at(D(2026, 10, 2)):
        report = services.report_start(actor=people.officer, obligation=obligation,
                                       unit=org.pc08, period_start=D(2026, 7, 1))
        services.report_submit(actor=people.officer, report=report)
    due = {(d.unit.code, d.period.label): d.state for d in selectors.reports_due(D(2026, 10, 11))}
    assert due == {("PC06", "Q3/2026"): Cell.MISSING, ("PC08", "Q4/2026"): Cell.DUE,
                   ("PC06", "Q4/2026"): Cell.DUE}
    found = selectors.unit_reports_for(org.catp, document, parse_period("Q3/2026"))
    assert [r.pk for r in found] == [report.pk]
    assert found[0].results
    tallies = selectors.tallies(people.staff, scope_unit=org.catp, as_of=D(2026, 10, 11))
    assert tallies[org.pc06.path].missing == 1
    assert tallies[org.pc08.path].submitted == 1 and tallies[org.pc08.path].late == 0


def test_signed_file_is_checked(setup, org, people) -> None:
    document, _task = setup
    obligation = _obligation(org, people, document)
    with at(D(2026, 10, 2)):
        report = services.report_start(actor=people.officer, obligation=obligation,
                                       unit=org.pc08, period_start=D(2026, 7, 1))
    with pytest.raises(ValidationError):
        services.report_attach(actor=people.officer, report=report,
                               upload=SimpleUploadedFile("x.pdf", b"not a pdf"))
    item = services.report_attach(actor=people.officer, report=report,
                                  upload=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 ok"))
    assert item.report == report and len(item.sha256) == 64
