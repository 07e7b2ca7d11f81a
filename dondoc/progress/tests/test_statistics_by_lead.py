"""Statistics grouped by lead unit count a transferred task for the unit that led it then."""

from __future__ import annotations

import datetime as dt

import time_machine

from dondoc.plans import services
from dondoc.plans.models import Task
from dondoc.progress.selectors import statistics_by


@time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC), tick=False)
def test_grouping_by_lead_unit_follows_transfers(org, people) -> None:
    document = services.document_create(
        actor=people.staff, kind="plan", number="01/KH", title="Kế hoạch", issuer="CATP",
        issue_date=dt.date(2024, 1, 1), owner_unit=org.catp, code_prefix="KH01")
    services.task_create(actor=people.staff, document=document, title="Nhiệm vụ của PC06",
                         lead_unit=org.pc06, assigning_unit=org.catp,
                         due_date=dt.date(2025, 12, 31), assigned_on=dt.date(2024, 2, 1))
    services.tasks_transfer(actor=people.staff, from_unit=org.pc06, to_unit=org.pc08,
                            on=dt.date(2025, 3, 1))
    tasks = Task.objects.all()
    before = {row.key: row.counts.total for row in statistics_by(tasks, "lead_unit",
                                                                 dt.date(2025, 1, 1))}
    after = {row.key: row.counts.total for row in statistics_by(tasks, "lead_unit",
                                                                dt.date(2025, 4, 1))}
    today = {row.key: row.counts.total for row in statistics_by(tasks, "lead_unit")}
    assert before == {org.pc06.pk: 1}
    assert after == today == {org.pc08.pk: 1}
