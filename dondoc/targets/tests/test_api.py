"""Targets in the API: the same scope (404 for others), who may enter what, 422 for bad
input, corrections appended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dondoc.api.tests.conftest import assert_error
from dondoc.targets import services
from dondoc.targets.models import Measurement, Target


def test_list_detail_and_measurements(api: Any, people: Any, org: Any,
                                      target: Target, other_target: Target) -> None:
    services.measurement_add(actor=people.staff, target=target, unit=org.pc08,
                             period_end=dt.date(2025, 3, 31), value=Decimal(30), note="Quý I")
    viewer = api(people.viewer)
    listed = viewer.get("/targets").json()
    assert [item["name"] for item in listed["results"]] == ["Camera giám sát lắp đặt"]
    detail = viewer.get(f"/targets/{target.pk}").json()
    assert detail["standing"] is None
    pc08 = next(row for row in detail["units"] if row["unit"]["code"] == "PC08")
    assert pc08["standing"]["on_track"] is True and pc08["standing"]["percent_achieved"] == "30.0"
    rows = viewer.get(f"/targets/{target.pk}/measurements").json()
    assert [(row["value"], row["superseded"]) for row in rows] == [("30.00", False)]
    other = api(people.other_staff)
    for path in (f"/targets/{target.pk}", f"/targets/{target.pk}/measurements"):
        assert_error(other.get(path), 404, "not_found")
    assert_error(other.post(f"/targets/{target.pk}/measurements", {
        "period_end": "2025-03-31", "value": 1, "note": "x"}), 404, "not_found")


def test_enter_and_correct(api: Any, people: Any, org: Any, target: Target) -> None:
    manager = api(people.manager)
    created = manager.post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc08.pk, "period_end": "2025-03-31", "value": 300, "note": "Quý I"})
    assert created.status_code == 201, created.content
    first = created.json()["id"]
    corrected = manager.post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc08.pk, "period_end": "2025-03-31", "value": "30.5", "note": "Sửa",
        "supersedes": first})
    assert corrected.status_code == 201 and corrected.json()["supersedes"] == first
    assert Measurement.objects.count() == 2
    again = manager.post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc08.pk, "period_end": "2025-03-31", "value": 31, "note": "Lại",
        "supersedes": first})
    assert "supersedes" in assert_error(again, 422, "invalid")["errors"]
    assert_error(manager.post(f"/targets/{target.pk}/measurements", {
        "period_end": "2025-03-31", "value": 1, "note": "x"}), 403, "forbidden")
    assert "unit" in assert_error(manager.post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc06.pk, "period_end": "2025-03-31", "value": 1, "note": "x"}),
        422, "invalid")["errors"]
    future = manager.post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc08.pk, "period_end": "2025-09-30", "value": 1, "note": "x"})
    assert "tương lai" in str(assert_error(future, 422, "invalid")["errors"]["period_end"])
    assert_error(manager.post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc08.pk, "period_end": "2025-03-31", "value": "nhiều", "note": "x"}),
        422, "invalid")
    assert_error(api(people.viewer).post(f"/targets/{target.pk}/measurements", {
        "unit": org.pc08.pk, "period_end": "2025-03-31", "value": 1, "note": "x"}),
        403, "forbidden")
