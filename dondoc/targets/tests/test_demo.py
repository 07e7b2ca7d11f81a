"""The demo's camera target: one row per district, quarterly measurements, loaded once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dondoc.targets import selectors
from dondoc.targets.models import Measurement, Target

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_camera_target_per_district_and_loads_once() -> None:
    call_command("demo", stdout=io.StringIO())
    target = Target.objects.get(name="Camera giám sát lắp đặt")
    assert target.document.number == "4125/QĐ-UBND"
    assert target.units.count() == 7
    count = Measurement.objects.count()
    assert count >= 8 * 12  # 7 districts and the whole target, at least 12 quarters
    assert Measurement.objects.filter(period_end__year=2023).exists()
    league = selectors.league(target, selectors.history(target))
    assert {row.standing.on_track for row in league if row.standing} == {True, False}
    call_command("demo", stdout=io.StringIO())
    assert Measurement.objects.count() == count
