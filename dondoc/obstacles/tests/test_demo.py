"""The demo's obstacles: every state and several age brackets, loaded once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dondoc.obstacles import selectors
from dondoc.obstacles.models import Obstacle
from dondoc.organization.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_obstacles_in_every_state_and_loads_once() -> None:
    call_command("demo", stdout=io.StringIO())
    states = set(Obstacle.objects.values_list("state", flat=True))
    assert states == {"open", "escalated", "resolved", "rejected"}
    assert Obstacle.objects.filter(progress_update__isnull=False).exists()
    assert Obstacle.objects.filter(document__isnull=False).exists()
    assert Obstacle.objects.exclude(direction="").exists()
    count = Obstacle.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert Obstacle.objects.count() == count
    staff = User.objects.get(username="thammuu")
    ageing = selectors.ageing(user=staff, filters=selectors.filters_from_params({}))
    assert ageing.totals["gt90"] >= 1 and ageing.totals["61-90"] >= 1
    manager = User.objects.get(username="quanly")
    assert selectors.obstacle_list(user=manager, filters=selectors.filters_from_params(
        {})).filter(unit__code="PC08").count() >= 2
