"""Targets on the leadership dashboard: as they stood on the chosen date, the scope
unit's own share where it has one, other agencies' targets never, and in the export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from dondoc.targets import services
from dondoc.targets.models import Target


def _measure(target: Target, actor: Any, unit: Any, day: dt.date, value: int) -> None:
    services.measurement_add(actor=actor, target=target, unit=unit, period_end=day,
                             value=Decimal(value), note="Báo cáo quý")


def test_dashboard_shows_targets_as_they_stood_on_the_date(
        login: Any, people: Any, work: Any, target: Target, other_target: Target,
        time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2025, 4, 3, 9, 0, tzinfo=dt.UTC), tick=False)
    _measure(target, people.staff, None, dt.date(2025, 3, 31), 30)
    time_machine.move_to(dt.datetime(2025, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    # entered on 15/05 for the period ending 31/03: known today, not on 10/04
    _measure(target, people.staff, None, dt.date(2025, 4, 30), 55)
    client = login(people.leader)

    today = client.get("/dashboard/").content.decode()
    assert target.name in today and other_target.name not in today
    assert ">55<" in today  # the latest value known today
    # 55 measured at 30/04, when the plan (0 → 150 over 2025) stood at 49: on track
    assert "Đúng tiến độ" in today and "Chậm so với kế hoạch" not in today

    earlier = client.get("/dashboard/?as_of=10/04/2025").content.decode()
    assert target.name in earlier and ">30<" in earlier and ">55<" not in earlier
    # 30 at 31/03, when the plan stood at 36.8: behind
    assert "Chậm so với kế hoạch" in earlier

    before_any = client.get("/dashboard/?as_of=02/04/2025").content.decode()
    assert target.name in before_any and ">30<" not in before_any


def test_a_unit_with_its_own_share_sees_its_share(
        login: Any, people: Any, org: Any, target: Target) -> None:
    _measure(target, people.staff, org.pc08, dt.date(2025, 4, 30), 70)
    _measure(target, people.staff, None, dt.date(2025, 4, 30), 90)
    page = login(people.leader).get(f"/dashboard/?unit={org.pc08.pk}").content.decode()
    assert target.name in page
    assert ">70<" in page and ">90<" not in page  # PC08's own measurement, not the city's
    assert "100 camera" in page  # PC08's own target value


def test_dashboard_export_has_the_targets_sheet(
        login: Any, people: Any, target: Target) -> None:
    _measure(target, people.staff, None, dt.date(2025, 4, 30), 40)
    response = login(people.leader).get("/dashboard/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = next(ws for ws in book.worksheets if ws.title in ("Targets", "Chỉ tiêu"))
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][0] == target.name
    assert rows[0][3] == 150 and rows[0][5] == 40
    # planned on 15/05/2025 on the straight line 0 (01/01/2025) → 150 (31/12/2025)
    planned = Decimal(150) * Decimal(134) / Decimal(364)
    assert abs(Decimal(str(rows[0][7])) - planned) < Decimal("0.01")


def test_chart_axis_numbers_use_the_vietnamese_thousands_dot(
        login: Any, people: Any, work: Any) -> None:
    target = services.target_create(
        actor=people.staff, document=work.document, name="Camera toàn thành phố",
        measure_unit="camera", direction="higher", baseline_value=Decimal(0),
        baseline_date=dt.date(2025, 1, 1), target_value=Decimal(2000),
        target_date=dt.date(2025, 12, 31))
    _measure(target, people.staff, None, dt.date(2025, 4, 30), 600)
    page = login(people.staff).get(f"/targets/{target.pk}/").content.decode()
    assert "2.200</text>" in page and "2,200</text>" not in page  # top tick: 2000 + a tenth
