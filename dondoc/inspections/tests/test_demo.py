"""The demo has one inspection with findings and recommendations (tasks of its
conclusion) and one steering-committee meeting whose conclusions are tasks of the notice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dondoc.inspections.models import Conclusion, Inspection, InspectionState, Meeting
from dondoc.inspections.selectors import with_follow_ups
from dondoc.plans.models import DocumentKind

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_inspection_and_a_meeting_with_their_tasks() -> None:
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())  # again: nothing doubled
    inspection = Inspection.objects.get()
    assert inspection.state == InspectionState.CONCLUDED
    assert inspection.conclusion is not None
    assert inspection.conclusion.kind == DocumentKind.INSPECTION
    assert inspection.findings.count() == 3
    rows = with_follow_ups(inspection.recommendations.select_related("task", "unit"))
    assert all(item.task.lead_unit_id == item.unit_id for item, _f in rows)
    statuses = {follow_up.status for _item, follow_up in rows}
    assert {"completed_on_time", "in_progress_overdue", "in_progress_on_time"} <= statuses
    meeting = Meeting.objects.get()
    assert meeting.notice is not None and meeting.notice.kind == DocumentKind.MEETING_NOTICE
    tasks = [c.task for c in Conclusion.objects.filter(meeting=meeting) if c.task]
    assert len(tasks) == 2 and all(task.document == meeting.notice for task in tasks)
