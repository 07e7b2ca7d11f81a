"""The register's filters, the ageing buckets as of a date, and the report's selection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dondoc.obstacles import selectors, services
from dondoc.obstacles.models import Category

TODAY = dt.date(2025, 5, 15)


def ids(queryset: Any) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def listed(user: Any, **params: str) -> set[int]:
    filters = selectors.filters_from_params(params)
    assert not filters.errors, filters.errors
    return ids(selectors.obstacle_list(user=user, filters=filters))


@pytest.fixture
def several(raise_on: Any, people: Any, org: Any, work: Any) -> dict[str, Any]:
    budget = raise_on(raised_on=dt.date(2025, 1, 1))  # 134 days
    land = raise_on(category=Category.LAND, description="Vướng mắc giải phóng mặt bằng trụ sở",
                    raised_on=dt.date(2025, 3, 1), resolver_unit=None,
                    resolver_agency="UBND quận Hải Châu")  # 75 days
    team = raise_on(task=work.team_task, actor=people.team_officer, category=Category.PERSONNEL,
                    description="Thiếu cán bộ tuần tra", raised_on=dt.date(2025, 4, 15))  # 30
    on_document = raise_on(document=work.document, actor=people.staff,
                           category=Category.POLICY, description="Chưa có hướng dẫn của Bộ",
                           raised_on=dt.date(2025, 4, 14))  # 31 days
    closed = raise_on(category=Category.EQUIPMENT, description="Thiếu máy tính",
                      raised_on=dt.date(2025, 2, 1))
    services.obstacle_resolve(actor=None, obstacle=closed, resolution="Đã cấp",
                              on=dt.date(2025, 4, 1))
    return {"budget": budget, "land": land, "team": team, "document": on_document,
            "closed": closed}


def test_filters(several: dict[str, Any], people: Any, org: Any, work: Any) -> None:
    staff = people.staff
    every = {obstacle.pk for obstacle in several.values()}
    assert listed(staff) == every
    assert listed(staff, state="unresolved") == every - {several["closed"].pk}
    assert listed(staff, state="resolved") == {several["closed"].pk}
    assert listed(staff, category="land") == {several["land"].pk}
    assert listed(staff, unit=str(org.pc08.pk)) == every - {several["document"].pk}
    assert listed(staff, unit=str(org.pc08_d1.pk)) == {several["team"].pk}
    assert listed(staff, document=str(work.document.pk)) == every
    assert listed(staff, resolver="external") == {several["land"].pk}
    assert listed(staff, resolver=str(org.pv01.pk)) == every - {several["land"].pk}
    assert listed(staff, age="gt90") == {several["budget"].pk}
    assert listed(staff, age="gt60") == {several["budget"].pk, several["land"].pk}
    assert listed(staff, age="gt30") == {several["budget"].pk, several["land"].pk,
                                         several["document"].pk}
    assert listed(staff, age="0-30") == {several["team"].pk}
    assert listed(staff, q="giai phong mat bang") == {several["land"].pk}
    # As of 31/03/2025 the closed obstacle was still open (58 days) and the others younger.
    assert listed(staff, age="31-60", as_of="31/03/2025") == {several["closed"].pk}


@pytest.mark.parametrize(("params", "field"), [
    ({"state": "lost"}, "state"), ({"category": "weather"}, "category"),
    ({"age": "gt1000"}, "age"), ({"unit": "abc"}, "unit"), ({"resolver": "x"}, "resolver"),
    ({"as_of": "31/02/2025"}, "as_of"),
])
def test_bad_filters_are_reported(params: dict[str, str], field: str) -> None:
    assert field in selectors.filters_from_params(params).errors


def test_ageing_buckets_as_of_a_date(several: dict[str, Any], people: Any) -> None:
    today = selectors.ageing(user=people.staff, filters=selectors.filters_from_params({}))
    assert today.day == TODAY
    assert today.totals == {"0-30": 1, "31-60": 1, "61-90": 1, "gt90": 1}
    by_category = {row.category: row.buckets for row in today.rows}
    assert by_category["budget"]["gt90"] == 1 and by_category["land"]["61-90"] == 1
    assert by_category["personnel"]["0-30"] == 1 and by_category["policy"]["31-60"] == 1
    assert sum(by_category["equipment"].values()) == 0  # resolved on 01/04/2025
    earlier = selectors.ageing(user=people.staff,
                               filters=selectors.filters_from_params({"as_of": "31/03/2025"}))
    # 31/03: budget 89 days, equipment 58 (not yet resolved), land 30; the rest not raised.
    assert earlier.totals == {"0-30": 1, "31-60": 1, "61-90": 1, "gt90": 0}
    assert {row.category: row.total for row in earlier.rows if row.total} == {
        "budget": 1, "equipment": 1, "land": 1}


def test_ageing_is_one_query(several: dict[str, Any], people: Any,
                             django_assert_max_num_queries: Any) -> None:
    people.staff.refresh_from_db()
    with django_assert_max_num_queries(3):  # the scope root, then one aggregate
        selectors.ageing(user=people.staff, filters=selectors.filters_from_params({}))


def test_an_outsider_sees_only_what_concerns_it(several: dict[str, Any], people: Any,
                                                raise_on: Any, org: Any) -> None:
    assert listed(people.other_staff) == set()
    # PC06 coordinates the traffic task: it sees those obstacles, not the team's or the
    # document's (raised by the staff department), nor the closed one's… which is on traffic.
    seen = listed(people.outsider)
    assert several["team"].pk not in seen and several["document"].pk not in seen
    assert several["budget"].pk in seen
    # A unit named to resolve an obstacle sees it, even on a task it has no part in.
    to_pc06 = raise_on(task=several["team"].task, actor=people.team_officer,
                       resolver_unit=org.pc06)
    assert to_pc06.pk in listed(people.outsider)


def test_the_report_selection(several: dict[str, Any], org: Any, work: Any) -> None:
    report = selectors.obstacles_for_report(org.catp, work.document, dt.date(2025, 4, 1),
                                            dt.date(2025, 4, 30))
    chosen = {row.id: row for row in report.rows}
    # Raised in April (team, document) or open at 30/04 (budget, land); the equipment one
    # closed on 01/04 (in the period, raised before it) is out.
    assert set(chosen) == {several[key].pk for key in ("budget", "land", "team", "document")}
    assert report.raised_in_period == 2 and report.open_at_end == 4
    assert report.by_category["land"] == 1 and report.by_state["open"] == 4
    assert chosen[several["land"].pk].resolver == "UBND quận Hải Châu"
    assert chosen[several["team"].pk].unit_code == "PC08-D1"
    only_team = selectors.obstacles_for_report(org.pc08_d1, None, dt.date(2025, 4, 1),
                                               dt.date(2025, 4, 30))
    assert [row.id for row in only_team.rows] == [several["team"].pk]
    march = selectors.obstacles_for_report(None, None, dt.date(2025, 3, 1),
                                           dt.date(2025, 3, 31))
    equipment = next(row for row in march.rows if row.id == several["closed"].pk)
    assert equipment.state == "open" and equipment.resolution == ""  # resolved later
