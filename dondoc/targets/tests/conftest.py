"""A target in the API tests' little world (today is 15/05/2025, frozen by ``work``):
cameras installed on the plan 118 document, 0 → 150 over 2025, with PC08 (100) and PC06
(50) having their own targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dondoc.api.tests.conftest import _fresh_rate_limits, api, work  # noqa: F401
from dondoc.targets import services
from dondoc.targets.models import Target


@pytest.fixture
def target(people: Any, work: Any, org: Any) -> Target:  # noqa: F811
    return services.target_create(
        actor=people.staff, document=work.document, group=work.group,
        name="Camera giám sát lắp đặt", measure_unit="camera", direction="higher",
        baseline_value=Decimal(0), baseline_date=dt.date(2025, 1, 1),
        target_value=Decimal(150), target_date=dt.date(2025, 12, 31),
        shares=[services.UnitShare(org.pc08, Decimal(100)),
                services.UnitShare(org.pc06, Decimal(50))])


@pytest.fixture
def other_target(people: Any, work: Any) -> Target:  # noqa: F811
    return services.target_create(
        actor=people.other_staff, document=work.other_document, name="Chỉ tiêu tỉnh khác",
        measure_unit="vụ", direction="lower", baseline_value=Decimal(40),
        baseline_date=dt.date(2025, 1, 1), target_value=Decimal(20),
        target_date=dt.date(2025, 12, 31))
