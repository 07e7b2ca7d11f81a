"""Fixtures of the consolidated report tests: a data folder of their own (no demo
certificate leaks between tests), a small city with tasks, and a real PDF made once."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from dondoc.core import officedocs
from dondoc.organization.models import Role, Unit, UnitKind
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import services as plan_services
from dondoc.plans.tests.factories import make_document, make_group, make_task

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DONDOC_SIGN_P12 = ""
    settings.DONDOC_SIGN_PASSWORD = ""


@pytest.fixture
def frozen_today():
    when = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
    with time_machine.travel(when, tick=False):
        yield TODAY


_PDF: dict[str, bytes] = {}


def tiny_pdf() -> bytes:
    """A real one-page PDF (LibreOffice), made once per test run."""
    if "pdf" not in _PDF:
        from docx import Document

        document = Document()
        document.add_paragraph("dondoc")
        buffer = io.BytesIO()
        document.save(buffer)
        _PDF["pdf"] = officedocs.docx_to_pdf(buffer.getvalue())
    return _PDF["pdf"]


@pytest.fixture
def quick_pdf(monkeypatch):
    """Issuing converts a tiny DOCX once instead of each report (LibreOffice is slow)."""
    if officedocs.soffice_path() is None:
        pytest.skip("LibreOffice is not installed")
    monkeypatch.setattr("dondoc.reports.render.render_pdf", lambda docx: tiny_pdf())


@dataclass
class City:
    district: Unit
    ward: Unit
    document: Any
    tasks: dict[str, Any]
    district_manager: Any


@pytest.fixture
def city(org, people, frozen_today) -> City:
    """Tasks of a plan of the city police, led by departments and a district police.

    Q3/2026 (1/7–30/9): ``late_done`` was completed in the period after its deadline,
    ``done_after`` was completed on 15/10 (after the period), ``overdue`` is still open
    past its deadline (31/8), ``due_next`` falls due in Q4, ``district_task`` is led by
    the district police.
    """
    # Ordered last among the city's units, so that no sibling's path is renumbered.
    district = make_unit(org.catp, "CAQ-HC", "Công an quận Hải Châu", kind=UnitKind.DISTRICT,
                         order=900)
    ward = make_unit(district, "P-TT", "Công an phường Thạch Thang", kind=UnitKind.WARD)
    district, ward = Unit.objects.get(pk=district.pk), Unit.objects.get(pk=ward.pk)
    document = make_document(org.catp, code_prefix="DA01", number="01/ĐA-CATP",
                             title="Đề án xây dựng lực lượng Công an thành phố")
    group_1 = make_group(document, number="I", title="Tổ chức bộ máy")
    group_2 = make_group(document, number="II", title="Hậu cần, trang bị")
    staff = people.staff
    tasks = {
        "late_done": make_task(document, org.pc08, group=group_1, title="Sắp xếp các đội",
                               due_date=dt.date(2026, 7, 31), assigned_on=dt.date(2026, 6, 1)),
        "done_after": make_task(document, org.pc08, group=group_1, title="Rà soát biên chế",
                                due_date=dt.date(2026, 12, 31),
                                assigned_on=dt.date(2026, 6, 1)),
        "overdue": make_task(document, org.pc06, group=group_2, title="Mua sắm phương tiện",
                             due_date=dt.date(2026, 8, 31), assigned_on=dt.date(2026, 6, 1)),
        "due_next": make_task(document, org.pc06, group=group_2, title="Sửa chữa trụ sở",
                              due_date=dt.date(2026, 11, 30), assigned_on=dt.date(2026, 7, 5)),
        "district_task": make_task(document, district, group=group_2,
                                   title="Trang bị cho Công an phường",
                                   due_date=dt.date(2026, 9, 15),
                                   assigned_on=dt.date(2026, 6, 1)),
    }
    request = plan_services.completion_request(
        actor=people.manager, task=tasks["late_done"], note="Đã xong",
        submitted_on=dt.date(2026, 8, 10))
    plan_services.completion_decide(actor=staff, request=request, accept=True,
                                    decided_on=dt.date(2026, 8, 12))
    request = plan_services.completion_request(
        actor=people.manager, task=tasks["done_after"], note="Đã xong",
        submitted_on=dt.date(2026, 10, 15))
    plan_services.completion_decide(actor=staff, request=request, accept=True,
                                    decided_on=dt.date(2026, 10, 16))
    plan_services.progress_post(actor=people.outsider, task=tasks["overdue"], unit=org.pc06,
                                percent=40,
                                results="Đã lập dự toán",
                                difficulties="Kinh phí chưa được phân bổ",
                                proposals="Đề nghị cấp bổ sung kinh phí",
                                reported_on=dt.date(2026, 9, 10))
    manager = UserFactory(username="district_manager", unit=district,
                          role=Role.UNIT_MANAGER, otp_exempt=True)
    return City(district=district, ward=ward, document=document, tasks=tasks,
                district_manager=manager)
