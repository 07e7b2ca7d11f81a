"""An inspection of PC08 and PC06 by the inspectorate (PX05), and a steering-committee
meeting of the City Police, set up through the real services on 15/05/2025."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from dondoc.inspections import services
from dondoc.inspections.models import Inspection, Meeting

TODAY = dt.date(2025, 5, 15)


@dataclass
class Inspected:
    inspection: Inspection
    meeting: Meeting


@pytest.fixture
def inspected(org: Any, people: Any, time_machine: Any) -> Inspected:
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    inspection = services.inspection_create(
        actor=people.inspector, owner_unit=org.px05,
        title="Kiểm tra việc thực hiện Nghị quyết 12-NQ/TW năm 2025",
        period_start=dt.date(2025, 5, 5), period_end=dt.date(2025, 5, 9),
        subject_units=[org.pc08, org.pc06], team_leader=people.inspector)
    services.finding_add(actor=people.inspector, inspection=inspection, unit=org.pc08,
                         text="PC08: chậm lắp đặt camera giao thông", rating="satisfactory")
    services.finding_add(actor=people.inspector, inspection=inspection, unit=org.pc06,
                         text="PC06: hồ sơ cư trú chưa số hoá đầy đủ")
    services.recommendation_add(actor=people.inspector, inspection=inspection, unit=org.pc08,
                                text="PC08 hoàn thành lắp đặt camera", due_date=dt.date(2025, 9, 30))
    services.recommendation_add(actor=people.inspector, inspection=inspection, unit=org.pc06,
                                text="PC06 số hoá hồ sơ cư trú", due_date=dt.date(2025, 8, 31))
    meeting = services.meeting_create(
        actor=people.staff, owner_unit=org.catp, title="Phiên họp Ban Chỉ đạo quý II/2025",
        held_on=dt.date(2025, 5, 12), chair=people.leader, attendees=[people.staff])
    services.conclusion_add(actor=people.staff, meeting=meeting,
                            text="Đẩy nhanh tiến độ lắp đặt camera", lead_unit=org.pc08,
                            due_date=dt.date(2025, 7, 31))
    return Inspected(inspection=inspection, meeting=meeting)
