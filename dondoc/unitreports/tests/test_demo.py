"""The demo's quarterly obligation on Resolution 12 shows every state of a report."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dondoc.organization.models import User
from dondoc.progress.selectors import business_today
from dondoc.unitreports import selectors
from dondoc.unitreports.models import ReportingObligation
from dondoc.unitreports.states import Cell

pytestmark = pytest.mark.django_db


def test_demo_reports_show_every_state_and_load_once() -> None:
    call_command("demo", stdout=io.StringIO())
    obligation = ReportingObligation.objects.get()
    assert obligation.document.number == "12-NQ/TW"
    assert obligation.period_kind == "quarter"
    states = {(c.unit.code, c.state) for c in selectors.cells([obligation],
                                                              as_of=business_today())}
    found = {state for _code, state in states}
    assert {Cell.ACCEPTED, Cell.RETURNED, Cell.SUBMITTED, Cell.MISSING} <= found
    assert ("PC07", Cell.MISSING) in states and ("PC08", Cell.RETURNED) in states
    assert any(c.late for c in selectors.cells([obligation], as_of=business_today())
               if c.state == Cell.ACCEPTED)
    mine = selectors.my_reports(User.objects.get(username="canbo"))
    assert any(c.state == Cell.RETURNED and c.report.return_reason for c in mine)
    call_command("demo", stdout=io.StringIO())
    assert ReportingObligation.objects.count() == 1
