"""The Resolution 12 demo data: every status shows something real as of today."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from dondoc.organization import scoping
from dondoc.organization.models import Unit, User
from dondoc.plans.models import (
    AccessLevel,
    CompletionRequest,
    DeadlineExtension,
    Direction,
    Document,
    LeadUnitChange,
    RequestStatus,
    Task,
    TaskState,
)
from dondoc.progress.engine import Status
from dondoc.progress.models import ProgressUpdate
from dondoc.progress.selectors import annotate_status, lead_path_at

pytestmark = pytest.mark.django_db


def _demo() -> None:
    call_command("demo", stdout=io.StringIO())


def _counts() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "tasks": Task.objects.count(),
        "updates": ProgressUpdate.objects.count(),
        "directions": Direction.objects.count(),
        "extensions": DeadlineExtension.objects.count(),
        "completions": CompletionRequest.objects.count(),
        "transfers": LeadUnitChange.objects.count(),
    }


def _statuses_today() -> dict[str, int]:
    rows = annotate_status(Task.objects.all()).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def _in_subtree(code: str) -> dict[str, str]:
    return {"lead_unit__path__startswith": Unit.objects.get(code=code).path}


@pytest.fixture
def frozen_now():
    """Today stays today for the whole test, even across midnight."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_demo_shows_every_status_today_and_loads_once(frozen_now) -> None:
    _demo()
    statuses = _statuses_today()
    assert set(statuses) == {status.value for status in Status}, statuses
    assert 60 <= Task.objects.count() <= 150
    assert Task.objects.filter(state=TaskState.CANCELLED).exists()
    assert annotate_status(Task.objects.all()).filter(due_soon=True).exists()
    assert annotate_status(Task.objects.all()).filter(
        status=Status.AWAITING_CONFIRMATION, awaiting_late=True).exists()

    # The document tree: the city police's project implements the chain of plans.
    chain = []
    document: Document | None = Document.objects.get(code_prefix="DA01")
    while document is not None:
        chain.append(document.number)
        document = document.parent
    assert chain == ["01/ĐA-CATP", "186/KH-UBND", "25-CTr/TU", "118-KH/ĐUCA", "12-NQ/TW"]
    for prefix in ("DA01-1", "DA01-2", "DA01-3"):
        assert Document.objects.get(code_prefix=prefix).parent.code_prefix == "DA01"
    assert Document.objects.get(number="13-NQ/TU").issue_date == dt.date(2023, 5, 9)
    assert Document.objects.get(number="30/ĐA-BCA").issue_date == dt.date(2023, 11, 7)
    assert Document.objects.get(code_prefix="DA01").groups.count() == 8
    assert Document.objects.filter(access_level=AccessLevel.PUBLIC).exists()

    first = _counts()
    _demo()
    assert _counts() == first
    call_command("audit", "verify", stdout=io.StringIO())


def test_demo_gives_the_accounts_real_work_and_keeps_the_reorganisation(frozen_now) -> None:
    _demo()
    canbo = User.objects.get(username="canbo")
    assert canbo.unit.code == "PC08"
    pc08_tasks = annotate_status(Task.objects.filter(**_in_subtree("PC08")))
    assert pc08_tasks.filter(status=Status.IN_PROGRESS_OVERDUE, lead_unit__code="PC08").exists()
    assert Direction.objects.filter(acknowledged_at__isnull=True,
                                    task__lead_unit__code="PC08").exists()
    assert Direction.objects.filter(acknowledged_at__isnull=False).exists()
    # Cascade: the PC08 task has sub-tasks for its two teams.
    assert set(Task.objects.filter(parent__lead_unit__code="PC08")
               .values_list("lead_unit__code", flat=True)) == {"PC08-D1", "PC08-D2"}
    # The ward of the demo account "phuong" has overdue work too.
    ward = annotate_status(Task.objects.filter(lead_unit__code="P-KHUE-TRUNG"))
    assert ward.filter(status=Status.IN_PROGRESS_OVERDUE).exists()
    # Extensions approved and refused; completion requests returned.
    statuses = set(DeadlineExtension.objects.values_list("status", flat=True))
    assert {RequestStatus.APPROVED, RequestStatus.REFUSED} <= statuses
    assert CompletionRequest.objects.filter(status=RequestStatus.REFUSED).count() >= 2
    assert ProgressUpdate.objects.exclude(difficulties="").exists()
    assert ProgressUpdate.objects.exclude(proposals="").exists()

    # The reorganisation of 1/3/2025 moved only the district police's open work.
    moved = LeadUnitChange.objects.all()
    assert moved.exists()
    assert all(change.changed_on == dt.date(2025, 3, 1) for change in moved)
    assert {change.old_unit.kind for change in moved} == {"district"}
    assert {change.new_unit.code for change in moved} >= {"CATP", "P-KHUE-TRUNG"}
    # Work the district police finished stays theirs; nothing open is left with them.
    district_tasks = Task.objects.filter(lead_unit__kind="district")
    assert district_tasks.filter(state=TaskState.COMPLETED).exists()
    assert not district_tasks.exclude(state__in=[TaskState.COMPLETED,
                                                 TaskState.CANCELLED]).exists()
    assert not Unit.objects.filter(kind="district", is_active=True).exists()
    # Statistics as of a day before the transfer still count the district police.
    transferred = Task.objects.filter(lead_changes__old_unit__code="CAQ-CL")
    assert set(transferred.values_list("lead_unit__code", flat=True)) == {"P-KHUE-TRUNG"}
    paths = set(transferred.annotate(path_then=lead_path_at(dt.date(2025, 2, 28)))
                .values_list("path_then", flat=True))
    assert paths == {Unit.objects.get(code="CAQ-CL").path}

    # Access levels: the external viewer reads the public documents and the programme
    # shared with its agency, not the internal ones; no request was self-decided.
    theodoi = User.objects.select_related("unit").get(username="theodoi")
    readable = set(scoping.documents_visible_to(theodoi).values_list("code_prefix", flat=True))
    assert "CTTU" in readable
    assert Document.objects.get(code_prefix="CTTU").access_level == AccessLevel.RESTRICTED
    assert set(Document.objects.filter(access_level=AccessLevel.PUBLIC)
               .values_list("code_prefix", flat=True)) <= readable
    assert not readable & {"KHUB", "DA01-2", "DA01-1"}
    assert not DeadlineExtension.objects.filter(decided_by=F("requested_by")).exists()
    assert not CompletionRequest.objects.filter(decided_by=F("submitted_by")).exists()

    # Every task, created or transferred by the demo's services, stores its lead unit's
    # agency (the task scope reads it).
    leads = Unit.objects.filter(pk__in=Task.objects.values("lead_unit"))
    agency_of = {pk: agency.pk if agency else None
                 for pk, agency in scoping.agencies_of(leads).items()}
    assert all(agency == agency_of[lead]
               for lead, agency in Task.objects.values_list("lead_unit", "agency"))


def test_demo_is_relative_to_today(db) -> None:
    later = timezone.now() + dt.timedelta(days=500)
    with time_machine.travel(later, tick=False):
        _demo()
        assert set(_statuses_today()) == {status.value for status in Status}
        assert annotate_status(Task.objects.filter(**_in_subtree("PC08"))).filter(
            status=Status.IN_PROGRESS_OVERDUE).exists()
