"""The API tests' little world (see dondoc/api/tests/conftest.py) and obstacles in it.

Today is 15/05/2025 (frozen by ``work``).
"""

from __future__ import annotations

from typing import Any

import pytest

from dondoc.api.tests.conftest import _fresh_rate_limits, api, work  # noqa: F401
from dondoc.obstacles import services
from dondoc.obstacles.models import Category, Obstacle


@pytest.fixture
def raise_on(people: Any, work: Any, org: Any) -> Any:  # noqa: F811
    """``raise_on(task=…, document=…, actor=…, **fields)``: an obstacle through the service
    (by default the PC08 manager's, on the traffic task, for the staff department)."""

    def _raise(task: Any = None, document: Any = None, actor: Any = None,
               **fields: Any) -> Obstacle:
        if task is None and document is None:
            task = work.traffic
        actor = actor or people.manager
        unit = fields.pop("unit", None) or services.raising_unit_for(actor, task=task,
                                                                    document=document)
        values: dict[str, Any] = {"category": Category.BUDGET,
                                  "description": "Chưa được bố trí kinh phí lắp đặt camera",
                                  "resolver_unit": org.pv01, **fields}
        return services.obstacle_raise(actor=actor, unit=unit, task=task, document=document,
                                       **values)

    return _raise
