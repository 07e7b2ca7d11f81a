"""Demo targets: the smart security camera project (Dự án Hệ thống camera giám sát) with
a deployment target per district and quarterly measurements 2023–2026 (progress
tracking only, figures assumed). Loaded by ``dondoc demo`` after the plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dondoc.organization.models import Unit, User
from dondoc.plans.models import Document
from dondoc.targets import services
from dondoc.targets.models import Direction, Target

# District → its target number of cameras by 30/06/2026 and how fast it installs them
# (share of the straight line reached by each quarter: >1 ahead, <1 behind).
DISTRICTS = [("CAQ-HC", 320, 1.10), ("CAQ-TK", 260, 1.02), ("CAQ-ST", 240, 0.85),
             ("CAQ-NHS", 180, 0.97), ("CAQ-LC", 220, 0.70), ("CAQ-CL", 200, 1.05),
             ("CAH-HV", 150, 0.60)]
BASELINE = dt.date(2023, 1, 1)
DEADLINE = dt.date(2026, 6, 30)


def quarter_ends(last: dt.date) -> list[dt.date]:
    ends = []
    for year in range(2023, 2027):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            end = dt.date(year, month, day)
            if end <= last:
                ends.append(end)
    return ends


def load(stdout: Any) -> None:
    if Target.objects.exists():
        stdout.write("Targets: demo targets already loaded.")
        return
    document = Document.objects.filter(number="4125/QĐ-UBND").first()
    if document is None:
        stdout.write("Targets: the camera project is not in the demo; skipped.")
        return
    staff = User.objects.filter(username="thammuu").first()
    units = {unit.code: unit for unit in Unit.objects.filter(
        code__in=[code for code, _t, _s in DISTRICTS])}
    shares = [services.UnitShare(unit=units[code], target_value=Decimal(total))
              for code, total, _speed in DISTRICTS if code in units]
    group = document.groups.order_by("order").first()
    target = services.target_create(
        actor=staff, document=document, group=group, name="Camera giám sát lắp đặt",
        measure_unit="camera", direction=Direction.HIGHER, baseline_value=Decimal(0),
        baseline_date=BASELINE, target_value=Decimal(sum(t for _c, t, _s in DISTRICTS)),
        target_date=DEADLINE, shares=shares)
    span = (DEADLINE - BASELINE).days
    ends = quarter_ends(timezone.localdate())
    for end in ends:
        share_of_time = min(1.0, (end - BASELINE).days / span)
        total = 0
        for share in shares:
            speed = next(s for c, _t, s in DISTRICTS if c == share.unit.code)
            value = min(int(share.target_value),
                        int(float(share.target_value) * share_of_time * speed))
            total += value
            services.measurement_add(
                actor=staff, target=target, unit=share.unit, period_end=end,
                value=Decimal(value),
                note=f"Báo cáo tiến độ lắp đặt quý, {share.unit.label}. Số liệu giả định.")
        services.measurement_add(
            actor=staff, target=target, unit=None, period_end=end, value=Decimal(total),
            note="Tổng hợp các quận, huyện. Số liệu giả định.")
    stdout.write(f"Targets: 1 target, {len(ends) * (len(shares) + 1)} measurements.")
