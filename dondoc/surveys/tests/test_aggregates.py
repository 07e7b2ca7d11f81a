"""Averages are never added up: a number field's ``aggregate`` in the definition, and how
consolidation, the comparison with a baseline and the Excel exports follow it.

The world, on the shared organisation (CATP → PC08 → PC08-D1, CATP → PC06), frozen on
15/05/2026: the "rates" form version 1 as it would have been stored before ``aggregate``
existed (nothing said: everything summed) and version 2 saying the average age and the
occupancy rate are averages; the 2025 campaign (v1: PC08 and PC08-D1 accepted, PC06 never
answered) and the 2026 campaign (v2, baseline 2025: all three accepted).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from dondoc.surveys import definition as defs
from dondoc.surveys import services
from dondoc.surveys.comparison import compare
from dondoc.surveys.consolidation import NUMBER, consolidate, items_of
from dondoc.surveys.exports import export_campaign_xlsx, export_comparison_xlsx
from dondoc.surveys.models import Campaign, Submission

TODAY = dt.date(2026, 5, 15)


def _t(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


RATES_V1: dict[str, Any] = {
    "key": "rates", "version": 1, "title": _t("Phương tiện và trụ sở", "Fleet and sites"),
    "sections": [
        {"key": "general", "title": _t("Thông tin chung", "General"), "fields": [
            {"key": "officers", "type": "integer", "label": _t("Cán bộ", "Officers"),
             "min": 0},
            {"key": "average_age", "type": "decimal", "places": 1, "min": 0,
             "label": _t("Tuổi trung bình của phương tiện", "Average vehicle age")},
        ]},
        {"key": "fleet", "title": _t("Phương tiện", "Vehicles"), "fields": [
            {"key": "vehicles", "type": "table", "label": _t("Phương tiện", "Vehicles"),
             "rows": [{"key": "cars", "label": _t("Ô tô", "Cars")},
                      {"key": "boats", "label": _t("Tàu, xuồng", "Boats")}],
             "columns": [
                 {"key": "quantity", "type": "integer", "label": _t("Số lượng", "Quantity"),
                  "min": 0},
                 {"key": "age", "type": "decimal", "places": 1, "min": 0,
                  "label": _t("Tuổi trung bình", "Average age")}]},
        ]},
        {"key": "premises", "title": _t("Trụ sở", "Sites"), "fields": [
            {"key": "sites", "type": "table", "label": _t("Cơ sở", "Sites"), "columns": [
                {"key": "land", "type": "decimal", "places": 1, "min": 0,
                 "label": _t("Diện tích đất", "Land area")},
                {"key": "occupancy", "type": "decimal", "places": 1, "min": 0, "max": 100,
                 "label": _t("Tỷ lệ sử dụng (%)", "Occupancy (%)")}]},
        ]},
    ],
}


def rates_v2() -> dict[str, Any]:
    data = copy.deepcopy(RATES_V1)
    data["version"] = 2
    general, fleet, premises = (s["fields"] for s in data["sections"])
    general[1]["aggregate"] = "average"
    fleet[0]["columns"][1]["aggregate"] = "average"
    premises[0]["columns"][1]["aggregate"] = "average"
    return data


def _answer(officers: int, age: str, cars: tuple[int, str], boats: tuple[int, str | None],
            sites: list[tuple[str, str]]) -> dict[str, Any]:
    boat_row: dict[str, Any] = {"row": "boats", "quantity": str(boats[0])}
    if boats[1] is not None:
        boat_row["age"] = boats[1]
    return {"officers": str(officers), "average_age": age,
            "vehicles": [{"row": "cars", "quantity": str(cars[0]), "age": cars[1]}, boat_row],
            "sites": [{"land": land, "occupancy": rate} for land, rate in sites]}


ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "before": {
        "PC08": _answer(90, "7,0", (4, "6,0"), (1, "11,0"), [("100", "70")]),
        "PC08-D1": _answer(20, "5,0", (1, "4,0"), (0, None), [("30", "80")]),
    },
    "now": {
        "PC08": _answer(100, "6,0", (4, "5,0"), (1, "10,0"), [("100", "80"), ("50", "60")]),
        "PC08-D1": _answer(20, "4,0", (1, "3,0"), (0, None), [("30", "90")]),
        "PC06": _answer(10, "8,5", (2, "7,0"), (0, None), []),
    },
}


@pytest.fixture(name="rates")
def rates_fixture(org: Any, people: Any, time_machine: Any) -> dict[str, Campaign]:
    time_machine.move_to(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    admin, staff = people.admin, people.staff
    v1 = services.form_import(actor=staff, data=RATES_V1)
    v2 = services.form_import(actor=staff, data=rates_v2())
    units = [org.pc08, org.pc08_d1, org.pc06]
    campaigns: dict[str, Campaign] = {}
    for name, form, day, baseline in (("before", v1, dt.date(2025, 4, 30), None),
                                      ("now", v2, dt.date(2026, 4, 30), "before")):
        campaign = services.campaign_create(
            actor=staff, title=f"Khảo sát {day.year}", form=form, reference_date=day,
            deadline=day + dt.timedelta(days=30), units=units,
            baseline=campaigns.get(baseline or ""))
        services.campaign_open(actor=staff, campaign=campaign)
        for submission in Submission.objects.filter(campaign=campaign).select_related("unit"):
            raw = ANSWERS[name].get(submission.unit.code)
            if raw is None:
                continue
            version, problems = services.save_draft(submission, raw, admin)
            assert version is not None, problems
            services.submit(submission, admin, confirm_warnings=True)
            services.accept(submission, staff)
        campaigns[name] = campaign
    return campaigns


def _by_code(result: Any) -> dict[str, Any]:
    return {row.unit.code: row for row in result.rows}


def _consolidate(people: Any, campaign: Campaign, key: str) -> Any:
    return consolidate(user=people.staff, campaign=campaign, key=key, today=TODAY)


# --- the definition ---------------------------------------------------------------------------


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(defs.DefinitionError) as info:
        defs.parse_definition(data)
    return info.value.problems


def test_a_definition_without_aggregate_sums_as_before() -> None:
    defn = defs.parse_definition(RATES_V1)
    assert defn.field("average_age").aggregate == "sum"
    assert defn.field("vehicles.age").is_summed
    assert defn.numeric_keys() == ["officers", "average_age", "vehicles.quantity",
                                   "vehicles.age", "sites.land", "sites.occupancy"]


def test_an_unknown_aggregate_is_refused_with_a_message_in_the_users_language() -> None:
    data = rates_v2()
    data["sections"][0]["fields"][1]["aggregate"] = "mean"
    with translation.override("en"):
        [problem] = _problems(data)
    assert problem == ("section 1 field 2 (average_age): aggregate must be one of sum, "
                       "average, min, max, not 'mean' (how the figures of units add up)")
    with translation.override("vi"):
        [problem] = _problems(data)
    assert "aggregate phải là một trong các giá trị sum, average, min, max, không phải " \
           "'mean'" in problem


def test_aggregate_is_only_for_numbers() -> None:
    data = copy.deepcopy(RATES_V1)
    data["sections"][0]["fields"].append({"key": "notes", "type": "text", "aggregate": "sum",
                                          "label": _t("Ghi chú", "Notes")})
    assert _problems(data) == ["section 1 field 3 (notes): unknown properties ['aggregate'] "
                               "for type text"]


@pytest.mark.parametrize(("aggregate", "expected"), [
    ("sum", Decimal("18.5")), ("average", Decimal("18.5") / 3), ("min", Decimal("4.0")),
    ("max", Decimal("8.5"))])
def test_combine(aggregate: str, expected: Decimal) -> None:
    values = [Decimal("6.0"), Decimal("4.0"), Decimal("8.5")]
    assert defs.combine(values, aggregate) == expected
    assert defs.combine([], aggregate) is None


def test_an_average_over_fixed_rows_has_no_all_rows_figure_but_free_rows_do() -> None:
    defn = defs.parse_definition(rates_v2())
    assert defn.numeric_keys() == [
        "officers", "average_age", "vehicles.quantity", "vehicles.cars.age",
        "vehicles.boats.age", "sites.land", "sites.occupancy"]
    keys = {item.key: item for group in items_of(defn) for item in group.items
            if item.kind == NUMBER}
    assert "vehicles.age" not in keys  # cars and boats: their mean is no fleet's age
    assert keys["vehicles.cars.age"].aggregate == "average"
    assert keys["sites.occupancy"].label == "Cơ sở — Tỷ lệ sử dụng (%) (trung bình các dòng)"
    answers = {"sites": [{"occupancy": "80.0"}, {"occupancy": "60.0"}],
               "vehicles": [{"row": "cars", "age": "5.0"}, {"row": "boats", "age": "10.0"}]}
    assert defs.numeric_total(defn, answers, "sites.occupancy") == Decimal(70)


# --- consolidation ----------------------------------------------------------------------------


def test_a_parent_shows_the_mean_of_its_units_not_the_sum(rates: dict[str, Campaign],
                                                          people: Any) -> None:
    result = _consolidate(people, rates["now"], "average_age")
    rows = _by_code(result)
    assert result.item is not None and not result.item.is_summed
    assert rows["PC08"].own == Decimal("6.0")
    assert (rows["PC08"].figure, rows["PC08"].with_value) == (Decimal("5.0"), 2)  # (6 + 4) / 2
    assert (rows["CATP"].figure, rows["CATP"].with_value) == (Decimal("6.2"), 3)  # 18,5 / 3
    assert (rows["CATP"].minimum, rows["CATP"].maximum) == (Decimal("4.0"), Decimal("8.5"))
    assert rows["CATP"].cells == ["", "3/3", "6,20", "3", "4", "8,50"]  # no sum shown
    chart = str(result.chart)  # a bar a unit under CATP: PC08's subtree and PC06
    assert ">5<" in chart and ">8,5<" in chart and ">10<" not in chart
    assert "trung bình của từng đơn vị" in chart
    summed = _by_code(_consolidate(people, rates["now"], "officers"))
    assert summed["CATP"].figure == 130 and summed["CATP"].cells[2] == "130"


def test_a_fixed_rows_cell_and_a_free_tables_rows_are_averaged(rates: dict[str, Campaign],
                                                               people: Any) -> None:
    cars = _by_code(_consolidate(people, rates["now"], "vehicles.cars.age"))
    assert cars["CATP"].figure == Decimal("5.0")  # (5 + 3 + 7) / 3
    boats = _by_code(_consolidate(people, rates["now"], "vehicles.boats.age"))
    assert (boats["CATP"].figure, boats["CATP"].with_value) == (Decimal("10.0"), 1)
    occupancy = consolidate(user=people.staff, campaign=rates["now"], key="sites.occupancy",
                            today=TODAY)
    assert occupancy.item is not None and occupancy.item.key == "sites.occupancy"
    rows = _by_code(occupancy)
    assert rows["PC08"].own == Decimal(70)  # its two sites: (80 + 60) / 2
    assert rows["PC08"].figure == Decimal("80.0")  # PC08 70 and its team 90
    assert (rows["CATP"].figure, rows["CATP"].with_value) == (Decimal("80.0"), 2)  # PC06: none
    land = _by_code(_consolidate(people, rates["now"], "sites.land"))
    assert land["CATP"].figure == 180  # an area adds up


def test_a_stored_version_without_aggregate_still_sums(rates: dict[str, Campaign],
                                                       people: Any) -> None:
    rows = _by_code(_consolidate(people, rates["before"], "average_age"))
    assert rows["CATP"].figure == Decimal("12.0")
    all_rows = _by_code(_consolidate(people, rates["before"], "vehicles.age"))
    assert all_rows["PC08"].own == Decimal("17.0")


def test_the_page_shows_averages_and_how_many_units(rates: dict[str, Campaign], people: Any,
                                                    login: Any,
                                                    django_assert_max_num_queries: Any) -> None:
    client = login(people.staff)
    url = f"/surveys/campaigns/{rates['now'].pk}/consolidation/?field=average_age"
    client.get(url)  # warm caches (session, definition)
    with django_assert_max_num_queries(14):
        page = client.get(url)
    text = page.content.decode()
    assert "Số đơn vị tính trung bình" in text and ">Tổng<" not in text
    assert "Số liệu này không cộng dồn" in text and "trung bình của từng đơn vị" in text
    summed = client.get(url.replace("average_age", "officers")).content.decode()
    assert "Số đơn vị tính trung bình" not in summed and "Số liệu này không" not in summed


# --- comparison -------------------------------------------------------------------------------


def test_averages_are_compared_as_averages(rates: dict[str, Campaign], people: Any) -> None:
    result = compare(user=people.staff, campaign=rates["now"], baseline=rates["before"])
    fields = {row.key: row for row in result.fields}
    age = fields["average_age"]  # the baseline's version summed it; this one says average
    assert age.aggregate == "average" and result.answered_both == 2
    # like for like, PC08 and PC08-D1: (7 + 5) / 2 = 6 then, (6 + 4) / 2 = 5 now
    assert (age.like_for_like.baseline, age.like_for_like.now) == (6, 5)
    assert age.like_for_like.change == -1 and age.like_for_like.percent == Decimal("-16.7")
    assert age.overall.baseline == 6 and age.overall.now == Decimal("18.5") / 3  # PC06 too
    assert fields["officers"].like_for_like.now == 120  # counts still add up
    # the fixed rows' average age compared row by row (no "all rows" sum of ages)
    assert "vehicles.age" not in fields
    cars = fields["vehicles.cars.age"]
    assert cars.label == "Phương tiện — Ô tô — Tuổi trung bình"
    assert (cars.like_for_like.baseline, cars.like_for_like.now) == (5, 4)
    occupancy = fields["sites.occupancy"].like_for_like  # PC08: 70 then 70; team 80 then 90
    assert (occupancy.baseline, occupancy.now) == (75, 80)
    per_unit = {row.unit.code: row.change for row in result.per_unit("average_age")}
    assert (per_unit["PC08"].baseline, per_unit["PC08"].now) == (Decimal("7.0"), Decimal("6.0"))


def test_the_comparison_page_and_workbook_say_average(rates: dict[str, Campaign], people: Any,
                                                      login: Any) -> None:
    page = login(people.staff).get(f"/surveys/campaigns/{rates['now'].pk}/comparison/")
    assert "trung bình các đơn vị" in page.content.decode()
    result = compare(user=people.staff, campaign=rates["now"], baseline=rates["before"])
    out = io.BytesIO()
    export_comparison_xlsx(result, out)
    overall = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    rows = {row[0]: row for row in overall.iter_rows(min_row=5, values_only=True)}
    assert rows["average_age"][2:5] == (6, 5, -1)
    assert rows["average_age"][7] == pytest.approx(37 / 6)


# --- the campaign workbook --------------------------------------------------------------------


def _sheet(people: Any, campaign: Campaign, name: str) -> tuple[list[str], list[Any]]:
    out = io.BytesIO()
    export_campaign_xlsx(user=people.staff, campaign=campaign, out=out, today=TODAY)
    sheet = load_workbook(io.BytesIO(out.getvalue()))[name]
    heads = [cell.value for cell in sheet[4]]
    keys = [cell.value for cell in sheet[5]]
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    return heads, [dict(zip(keys, row, strict=True)) for row in rows]


def test_the_workbooks_subtotals_average_the_averages(rates: dict[str, Campaign],
                                                      people: Any) -> None:
    heads, rows = _sheet(people, rates["now"], "Thông tin chung")
    catp, pc08_subtotal, pc08_own = rows[0], rows[1], rows[2]
    assert (catp["unit"], pc08_subtotal["unit"], pc08_own["unit"]) == ("CATP", "PC08", "PC08")
    assert catp["officers"] == 130 and pc08_subtotal["officers"] == 120
    assert catp["average_age"] == pytest.approx(37 / 6)  # not 18.5
    assert pc08_subtotal["average_age"] == 5 and pc08_own["average_age"] == 6
    assert "Tuổi trung bình của phương tiện (dòng cộng: trung bình các đơn vị)" in heads
    _heads, rows = _sheet(people, rates["now"], "Phương tiện")
    assert rows[0]["vehicles.cars.age"] == 5 and rows[0]["vehicles.cars.quantity"] == 7
    heads, rows = _sheet(people, rates["now"], "Trụ sở")
    assert (rows[0]["sites.occupancy"], rows[2]["sites.occupancy"]) == (80, 70)
    assert rows[0]["sites.land"] == 180
    assert "Cơ sở — Tỷ lệ sử dụng (%) (trung bình các dòng) (dòng cộng: trung bình các " \
           "đơn vị)" in heads
    # the version stored without "aggregate": summed, as before
    _heads, rows = _sheet(people, rates["before"], "Thông tin chung")
    assert rows[0]["average_age"] == 12


def test_the_built_in_vehicles_form_averages_the_average_age() -> None:
    from dondoc.surveys.builtin_forms import BUILTIN_FORMS

    for data in BUILTIN_FORMS:
        defn = defs.parse_definition(data)
        averaged = [key for key in defn.numeric_keys() if defn.aggregate_of(key) != "sum"]
        if defn.key == "vehicles":
            assert averaged == [f"vehicles.{row}.average_age" for row in (
                "cars", "motorbikes", "boats", "fire_rescue", "specialised")]
            assert defn.version == 2
        else:
            assert averaged == [], defn.key  # counts and areas: they add up



def test_the_form_page_says_which_numbers_are_not_added_up(rates: dict[str, Campaign],
                                                           people: Any, login: Any) -> None:
    client = login(people.staff)
    text = client.get(f"/surveys/forms/{rates['now'].form_id}/").content.decode()
    assert "Tuổi trung bình của phương tiện: trung bình các đơn vị (không cộng dồn)" in text
    assert "Cơ sở — Tỷ lệ sử dụng (%): trung bình các đơn vị" in text
    older = client.get(f"/surveys/forms/{rates['before'].form_id}/").content.decode()
    assert "mọi số liệu của biểu mẫu này đều được cộng dồn" in older
    assert '<code>"aggregate": "average"</code>' in client.get(
        "/surveys/forms/import/").content.decode()
