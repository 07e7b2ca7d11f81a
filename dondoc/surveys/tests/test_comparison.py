"""Comparison with the baseline: the maths on known data (n/a for a field missing in one
version, for a blank answer and, in per cent, for a zero baseline), per unit and overall,
the page and its Excel export (see test_consolidation_world)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from dondoc.surveys.comparison import Change, comparable_campaigns, compare
from dondoc.surveys.tests.test_consolidation_world import (  # noqa: F401 - the fixture
    ANSWERS,
    World,
    world_fixture,
)


@pytest.mark.parametrize(("baseline", "now", "change", "percent"), [
    (Decimal(100), Decimal(110), Decimal(10), Decimal("10.0")),
    (Decimal(120), Decimal(117), Decimal(-3), Decimal("-2.5")),
    (Decimal(3), Decimal(4), Decimal(1), Decimal("33.3")),
    (Decimal(0), Decimal(7), Decimal(7), None),  # zero baseline: no per cent
    (Decimal(-4), Decimal(-2), Decimal(2), Decimal("50.0")),
    (None, Decimal(5), None, None),  # missing before
    (Decimal(5), None, None, None),  # missing now
])
def test_change_maths(baseline: Decimal | None, now: Decimal | None,
                      change: Decimal | None, percent: Decimal | None) -> None:
    item = Change(baseline, now)
    assert (item.change, item.percent) == (change, percent)


def _fields(result: Any) -> dict[str, Any]:
    return {row.key: row for row in result.fields}


def test_overall_by_field_key_across_versions(world: World, people: Any) -> None:
    result = compare(user=people.staff, campaign=world.now, baseline=world.before)
    fields = _fields(result)
    # v2 first (its order), then what only v1 has.
    assert list(fields)[:2] == ["officers", "cameras"] and list(fields)[-1] == "area"
    officers = fields["officers"].overall  # 100 + 20 + 0 → 110 + 7 (PC08-D1 not accepted)
    assert (officers.baseline, officers.now, officers.change, officers.percent) == (
        Decimal(120), Decimal(117), Decimal(-3), Decimal("-2.5"))
    area = fields["area"]  # dropped in v2
    assert area.in_baseline and not area.in_now
    assert area.overall.baseline == Decimal("1720.50") and area.overall.now is None
    assert area.overall.change is None and area.overall.percent is None
    cameras = fields["cameras"]  # new in v2
    assert not cameras.in_baseline and cameras.overall.baseline is None
    assert cameras.overall.now == Decimal(12)
    quantity = fields["vehicles.quantity"].overall  # (4+20)+(1+5)+(2+8) → (5+22)+(2+9)
    assert (quantity.baseline, quantity.now) == (Decimal(40), Decimal(38))
    assert (result.answered_baseline, result.answered_now) == (3, 2)


def test_per_unit(world: World, people: Any) -> None:
    result = compare(user=people.staff, campaign=world.now, baseline=world.before,
                     key="officers")
    rows = {row.unit.code: row for row in result.units}
    assert list(rows) == ["PC08", "PC08-D1", "PC06", "PX05"]
    assert (rows["PC08"].change.change, rows["PC08"].change.percent) == (
        Decimal(10), Decimal("10.0"))
    assert rows["PC06"].change.change == Decimal(7) and rows["PC06"].change.percent is None
    assert rows["PC08-D1"].change.now is None and not rows["PC08-D1"].answered_now
    assert rows["PX05"].change.baseline is None and not rows["PX05"].answered_baseline
    provisional = compare(user=people.staff, campaign=world.now, baseline=world.before,
                          key="officers", include_submitted=True)
    team = {row.unit.code: row for row in provisional.units}["PC08-D1"]
    assert (team.change.change, team.change.percent) == (Decimal(5), Decimal("25.0"))


def test_a_unit_manager_compares_their_subtree(world: World, people: Any) -> None:
    result = compare(user=people.manager, campaign=world.now, baseline=world.before,
                     key="officers")
    assert [row.unit.code for row in result.units] == ["PC08", "PC08-D1"]
    assert _fields(result)["officers"].overall.baseline == Decimal(120)


def test_only_campaigns_of_the_same_form_family_are_offered(world: World, people: Any) -> None:
    assert list(comparable_campaigns(people.staff, world.now)) == [world.before]
    assert list(comparable_campaigns(people.other_staff, world.now)) == []


def test_page_and_export(world: World, people: Any, login: Any) -> None:
    client = login(people.staff)
    url = f"/surveys/campaigns/{world.now.pk}/comparison/"
    page = client.get(url)  # the campaign's own baseline by default
    assert page.status_code == 200
    text = page.content.decode()
    assert "Khảo sát 2025" in text and "-2,5%" in text
    missing = client.get(url + "?baseline=987654")
    assert missing.status_code == 200 and "alert-danger" in missing.content.decode()
    export = client.get(f"/surveys/campaigns/{world.now.pk}/comparison.xlsx"
                        f"?baseline={world.before.pk}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    overall, per_unit = book.worksheets
    rows = {row[0]: row for row in overall.iter_rows(min_row=5, values_only=True)}
    # like for like first (PC08 and PC06), then all the units counted
    assert rows["officers"][2:5] == (100, 117, 17)
    assert rows["officers"][5] == pytest.approx(0.17)
    assert rows["officers"][6:9] == (120, 117, -3)
    assert rows["officers"][9] == pytest.approx(-0.025)
    assert rows["area"][3] == "không có"  # n/a
    heads = next(overall.iter_rows(min_row=4, max_row=4, values_only=True))
    assert heads[2] == "Giá trị ban đầu — cùng đơn vị (2 đơn vị)"
    assert heads[6] == "Giá trị ban đầu — toàn bộ đơn vị"
    assert "so sánh cùng đơn vị: 2 đơn vị" in overall["A2"].value
    units = [row[:3] for row in per_unit.iter_rows(min_row=5, values_only=True)]
    assert ("PC08", "Phòng Cảnh sát giao thông", "officers") in units


def _sum(campaign: str, codes: set[str], read: Any) -> Decimal:
    """The sum of ``read(answer)`` over the typed answers of ``codes``, from the fixture's
    raw data (not through the code under test)."""
    return sum((read(ANSWERS[campaign][code]) for code in codes), Decimal(0))


def _officers(answer: dict[str, Any]) -> Decimal:
    return Decimal(answer["officers"])


def _quantity(answer: dict[str, Any]) -> Decimal:
    return sum((Decimal(row["quantity"]) for row in answer["vehicles"]), Decimal(0))


def test_like_for_like_adds_up_only_the_units_counted_in_both(world: World,
                                                               people: Any) -> None:
    result = compare(user=people.staff, campaign=world.now, baseline=world.before)
    both = {"PC08", "PC06"}  # PC08-D1 not accepted now, PX05 not answered now
    assert result.answered_both == 2
    fields = _fields(result)
    officers = fields["officers"].like_for_like
    assert (officers.baseline, officers.now) == (_sum("before", both, _officers),
                                                 _sum("now", both, _officers))
    assert (officers.change, officers.percent) == (Decimal(17), Decimal("17.0"))
    quantity = fields["vehicles.quantity"].like_for_like
    assert (quantity.baseline, quantity.now) == (_sum("before", both, _quantity),
                                                 _sum("now", both, _quantity))
    # the all-units totals stay available, over different sets of units
    assert fields["officers"].overall.baseline == _sum(
        "before", {"PC08", "PC08-D1", "PC06"}, _officers)
    assert fields["cameras"].like_for_like.baseline is None  # not in the baseline's form


def test_like_for_like_with_submitted_answers_counts_the_team_too(world: World,
                                                                  people: Any) -> None:
    result = compare(user=people.staff, campaign=world.now, baseline=world.before,
                     include_submitted=True)
    both = {"PC08", "PC08-D1", "PC06"}
    assert result.answered_both == 3
    officers = _fields(result)["officers"].like_for_like
    assert (officers.baseline, officers.now) == (_sum("before", both, _officers),
                                                 _sum("now", both, _officers))
    assert officers == _fields(result)["officers"].overall  # the same units both times


def test_the_page_heads_with_like_for_like_and_keeps_all_units(world: World, people: Any,
                                                              login: Any) -> None:
    url = f"/surveys/campaigns/{world.now.pk}/comparison/"
    text = login(people.staff).get(url).content.decode()
    headline = text.index("So sánh cùng đơn vị — số đơn vị có số liệu ở cả hai đợt: 2")
    every = text.index("Toàn bộ đơn vị được tính (kỳ gốc: 3 đơn vị, hiện nay: 2 đơn vị)")
    assert headline < text.index("+17,0%") < every < text.index("-2,5%")
    people.staff.language = "en"
    people.staff.save(update_fields=["language"])
    text = login(people.staff).get(url).content.decode()
    assert "Like for like — units that answered both campaigns: 2" in text
    assert "All units counted (baseline: 3 units, now: 2 units)" in text
    assert "+17.0%" in text and "-2.5%" in text
