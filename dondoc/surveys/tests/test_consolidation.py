"""Consolidation of a campaign: sums equal the accepted answers, subtotals up the tree,
distributions, the missing list, scoping and the page (see test_consolidation_world)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dondoc.surveys import definition as defs
from dondoc.surveys.consolidation import (
    CHOICES,
    NUMBER,
    consolidate,
    definition_of,
    items_of,
)
from dondoc.surveys.models import Submission, SubmissionStatus
from dondoc.surveys.tests.test_consolidation_world import (  # noqa: F401 - the fixture
    World,
    world_fixture,
)

TODAY = dt.date(2026, 5, 15)


def _independent_total(world: World, key: str, statuses: tuple[str, ...]) -> Decimal | None:
    """The sum of ``key`` over the campaign's submissions in ``statuses``, read with the
    definition module's own functions from each submission's current version."""
    defn = world.now.form.parsed
    values = []
    for submission in Submission.objects.filter(campaign=world.now, status__in=statuses):
        parts = key.split(".")
        if len(parts) == 3:
            value = defs.field_value(defn, submission.current.answers, parts[0],
                                     row=parts[1], column=parts[2])
            value = None if value is None else Decimal(value)
        else:
            value = defs.numeric_total(defn, submission.current.answers, key)
        if value is not None:
            values.append(value)
    return sum(values, Decimal(0)) if values else None


def _rows(result: Any) -> dict[str, Any]:
    return {row.unit.code: row for row in result.rows}


def test_every_number_sums_to_the_accepted_answers(world: World, people: Any) -> None:
    defn = definition_of(world.now)
    keys = [item.key for group in items_of(defn) for item in group.items if item.kind == NUMBER]
    assert {"officers", "cameras", "vehicles.quantity", "vehicles.cars.quantity",
            "sites.land"} <= set(keys)
    for key in keys:
        for include, statuses in ((False, (SubmissionStatus.ACCEPTED,)),
                                  (True, (SubmissionStatus.ACCEPTED,
                                          SubmissionStatus.SUBMITTED))):
            result = consolidate(user=people.staff, campaign=world.now, key=key,
                                 include_submitted=include, today=TODAY)
            assert result.item.key == key
            assert result.total.total == _independent_total(world, key, statuses), key


def test_subtotals_go_up_the_unit_tree(world: World, people: Any) -> None:
    result = consolidate(user=people.staff, campaign=world.now, key="officers",
                         include_submitted=False, today=TODAY)
    rows = _rows(result)
    assert result.rows[0].unit.code == "CATP"  # the common ancestor
    assert rows["CATP"].unit.level == 0 and rows["PC08-D1"].unit.level == 2
    assert rows["PC08"].own == 110 and rows["PC08-D1"].own is None  # submitted only
    assert (rows["PC08"].total, rows["PC08"].answered, rows["PC08"].expected) == (110, 1, 2)
    assert (rows["CATP"].total, rows["CATP"].answered, rows["CATP"].expected) == (117, 2, 4)
    assert (rows["CATP"].minimum, rows["CATP"].maximum) == (7, 110)
    assert rows["CATP"].average == Decimal("58.5")
    assert result.total is rows["CATP"]

    provisional = consolidate(user=people.staff, campaign=world.now, key="officers",
                              include_submitted=True, today=TODAY)
    rows = _rows(provisional)
    assert (rows["PC08"].total, rows["PC08"].answered) == (135, 2)
    assert rows["CATP"].total == 142
    assert rows["CATP"].average == Decimal("47.3")  # 142 / 3, to one decimal place


def test_distributions_count_each_choice(world: World, people: Any) -> None:
    rating = consolidate(user=people.staff, campaign=world.now, key="rating",
                         include_submitted=False, today=TODAY)
    assert rating.item.kind == CHOICES
    assert [value for value, _label in rating.choices] == ["good", "fair", "poor"]
    assert rating.total.counts == {"good": 1, "fair": 1, "poor": 0}
    assert _rows(rating)["PC08"].own == ["good"]
    papers = consolidate(user=people.staff, campaign=world.now, key="has_papers",
                         include_submitted=True, today=TODAY)
    assert papers.total.counts == {"true": 1, "false": 1}  # PC08-D1 left it blank
    skills = consolidate(user=people.staff, campaign=world.before, key="skills",
                         include_submitted=False, today=TODAY)
    assert skills.total.counts == {"it": 2, "english": 1}
    column = consolidate(user=people.staff, campaign=world.now, key="vehicles.condition",
                         include_submitted=False, today=TODAY)
    assert column.total.counts == {"good": 2, "fair": 2, "poor": 0}  # one a row


def test_missing_list_names_units_not_counted_with_lateness(world: World, people: Any) -> None:
    result = consolidate(user=people.staff, campaign=world.now, key="officers",
                         include_submitted=False, today=TODAY)
    assert [(m.unit.code, m.unit.status, m.days_late) for m in result.missing] == [
        ("PC08-D1", "submitted", 5), ("PX05", "draft", 5)]
    assert result.missing[1].unit.saved_at is None  # never started
    provisional = consolidate(user=people.staff, campaign=world.now, key="officers",
                              include_submitted=True, today=dt.date(2026, 5, 9))
    assert [(m.unit.code, m.days_late) for m in provisional.missing] == [("PX05", 0)]


def test_a_unit_manager_sees_their_subtree_only(world: World, people: Any) -> None:
    result = consolidate(user=people.manager, campaign=world.now, key="officers",
                         include_submitted=True, today=TODAY)
    assert [row.unit.code for row in result.rows] == ["PC08", "PC08-D1"]
    assert result.total.total == 135 and result.members == 2
    outsider = consolidate(user=people.outsider, campaign=world.now, key="officers",
                           include_submitted=True, today=TODAY)
    assert [row.unit.code for row in outsider.rows] == ["PC06"]
    assert outsider.total.total == 7


def test_unknown_key_falls_back_to_the_first_number(world: World, people: Any) -> None:
    result = consolidate(user=people.staff, campaign=world.now, key="nope.x.y",
                         include_submitted=False, today=TODAY)
    assert result.item.key == "officers"


# The page ------------------------------------------------------------------------------------


def _url(world: World, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/surveys/campaigns/{world.now.pk}/consolidation/" + (f"?{query}" if query else "")


def test_page_shows_the_table_the_chart_and_the_missing_list(world: World, people: Any,
                                                              login: Any) -> None:
    page = login(people.staff).get(_url(world, field="officers"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "style=" not in text
    assert "PX05" not in text or "Thanh tra" in text
    assert "Thanh tra" in text  # PX05 in the missing list
    assert "117" in text


def test_page_labels_provisional_figures(world: World, people: Any, login: Any) -> None:
    client = login(people.staff)
    accepted = client.get(_url(world)).content.decode()
    provisional = client.get(_url(world, submitted="1")).content.decode()
    assert "alert-warning" not in accepted and "alert-warning" in provisional


@pytest.mark.parametrize("persona", ["other_staff"])
def test_a_campaign_out_of_scope_is_404(world: World, people: Any, login: Any,
                                        persona: str) -> None:
    client = login(getattr(people, persona))
    assert client.get(_url(world)).status_code == 404
    assert client.get(f"/surveys/campaigns/{world.now.pk}/export.xlsx").status_code == 404


def test_page_queries_do_not_grow_with_units(world: World, people: Any, login: Any,
                                             django_assert_max_num_queries: Any) -> None:
    client = login(people.staff)
    client.get(_url(world))  # warm caches (session, definition)
    with django_assert_max_num_queries(14):
        assert client.get(_url(world, field="vehicles.quantity")).status_code == 200
