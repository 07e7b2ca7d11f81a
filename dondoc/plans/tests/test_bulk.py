"""Bulk assignment (Excel imports): same rules as one by one, every task audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dondoc.audit.models import AuditEvent
from dondoc.audit.services import verify
from dondoc.plans import services
from dondoc.plans.models import Task


@pytest.fixture
def document(org, people):  # type: ignore[no-untyped-def]
    return services.document_create(
        actor=people.staff, kind="plan", number="01/KH", title="Kế hoạch", issuer="CATP",
        issue_date=dt.date(2024, 1, 1), owner_unit=org.catp, code_prefix="KH01")


def test_bulk_created_tasks_are_linked_searchable_and_each_audited(org, people, document,
                                                                   django_assert_max_num_queries
                                                                   ) -> None:
    items = [services.NewTask(code=f"KH01-{n}", title=f"Nhiệm vụ rà soát số {n}",
                              lead_unit=org.pc08, coordinating_units=[org.pc06, org.pc08],
                              due_date=dt.date(2027, 1, n % 28 + 1)) for n in range(1, 121)]
    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(25):
        created = services.tasks_bulk_create(actor=people.staff, document=document,
                                             assigning_unit=org.catp, items=items)
    assert len(created) == 120
    task = Task.objects.get(code="KH01-7")
    assert list(task.coordinating_units.values_list("code", flat=True)) == ["PC06"]
    assert task.deadline == task.due_date == dt.date(2027, 1, 8)
    assert Task.objects.filter(search_text__contains="nhiem vu ra soat").count() == 120
    assert AuditEvent.objects.count() - before == 120
    assert verify().ok


def test_bulk_creation_is_all_or_nothing(org, people, document) -> None:
    from dondoc.organization.models import Unit

    Unit.objects.filter(pk=org.pc06.pk).update(is_active=False)
    org.pc06.refresh_from_db()
    items = [services.NewTask(code="KH01-1", title="Hợp lệ", lead_unit=org.pc08,
                              due_date=dt.date(2027, 1, 1)),
             services.NewTask(code="KH01-2", title="Đơn vị đã giải thể", lead_unit=org.pc06,
                              due_date=dt.date(2027, 1, 1))]
    with pytest.raises(ValidationError):
        services.tasks_bulk_create(actor=people.staff, document=document,
                                   assigning_unit=org.catp, items=items)
    assert not Task.objects.exists()


def test_bulk_creation_refuses_duplicate_codes(org, people, document) -> None:
    services.task_create(actor=people.staff, document=document, title="Có sẵn",
                         lead_unit=org.pc08, assigning_unit=org.catp, code="KH01-1",
                         due_date=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError):
        services.tasks_bulk_create(actor=people.staff, document=document,
                                   assigning_unit=org.catp, items=[services.NewTask(
                                       code="KH01-1", title="Trùng mã", lead_unit=org.pc08,
                                       due_date=dt.date(2027, 1, 1))])
    assert Task.objects.count() == 1
