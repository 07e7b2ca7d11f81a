"""Demo of the consolidated report: the DEMO signing certificate and one draft report
(the last closed quarter of the city police's project), ready to edit and issue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dondoc.organization.models import Unit, User
from dondoc.plans.models import Document
from dondoc.progress import periods
from dondoc.progress.selectors import business_today
from dondoc.reports import services, signing
from dondoc.reports.models import ConsolidatedReport


def _last_closed_quarter(today: dt.date) -> periods.Period:
    quarter = (today.month - 1) // 3  # the current quarter's index, 0–3
    year = today.year if quarter else today.year - 1
    return periods.parse_period(f"Q{quarter or 4}/{year}")


def load(stdout: Any) -> None:
    path = signing.ensure_demo_certificate()
    stdout.write(f"Demo signing certificate (DEMO — không có giá trị pháp lý): {path}\n")
    staff = User.objects.filter(username="thammuu").first()
    document = Document.objects.filter(code_prefix="DA01").first()
    city = Unit.objects.filter(code="CATP").first()
    if staff is None or document is None or city is None:
        return
    if ConsolidatedReport.objects.filter(document=document, scope_unit=city).exists():
        return
    services.report_create(actor=staff, scope_unit=city, document=document,
                           period=_last_closed_quarter(business_today()))
