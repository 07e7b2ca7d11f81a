"""The form definition module: parsing, answer cleaning, rules (pure, no database)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import translation

from dondoc.surveys.definition import (
    DefinitionError,
    FormDefinition,
    Problem,
    check_expression,
    clean_answers,
    field_value,
    has_errors,
    numeric_total,
    parse_definition,
)


def L(vi: str, en: str | None = None) -> dict[str, str]:
    return {"vi": vi, "en": en or vi}


CHOICES = [{"value": "red_book", "label": L("Sổ đỏ", "Red book")},
           {"value": "none", "label": L("Chưa có", "None")}]
SKILLS = [{"value": "a", "label": L("Chứng chỉ A", "Level A")},
          {"value": "b", "label": L("Chứng chỉ B", "Level B")},
          {"value": "c", "label": L("Chứng chỉ C", "Level C")}]

FORM: dict[str, Any] = {
    "key": "sample",
    "version": 1,
    "title": L("Mẫu thử", "Sample"),
    "description": L("Mô tả", "Description"),
    "sections": [
        {"key": "staff", "title": L("Cán bộ", "Staff"), "help": L(""),
         "fields": [
             {"key": "officers_total", "type": "integer", "label": L("Tổng số", "Total"),
              "help": L("Tính đến ngày báo cáo", "At the reference date"),
              "required": True, "min": 0, "max": 100000},
             {"key": "university", "type": "integer", "label": L("Đại học", "University"),
              "min": 0},
             {"key": "postgraduate", "type": "integer", "label": L("Sau đại học"), "min": 0},
             {"key": "establishment", "type": "integer", "label": L("Biên chế"), "min": 0},
             {"key": "actual_staff", "type": "integer", "label": L("Hiện có"), "min": 0},
             {"key": "area_m2", "type": "decimal", "label": L("Diện tích"), "places": 2,
              "min": 0, "unit": L("m²")},
             {"key": "legal_status", "type": "choice", "label": L("Pháp lý"),
              "choices": CHOICES},
             {"key": "it_skills", "type": "multichoice", "label": L("Tin học"),
              "choices": SKILLS},
             {"key": "built_on", "type": "date", "label": L("Ngày xây")},
             {"key": "has_papers", "type": "boolean", "label": L("Có giấy tờ")},
             {"key": "notes", "type": "text", "label": L("Ghi chú"), "max_length": 20},
             {"key": "plan_scan", "type": "file", "label": L("Bản vẽ")},
         ]},
        {"key": "vehicles", "title": L("Phương tiện", "Vehicles"),
         "fields": [
             {"key": "vehicle_rows", "type": "table", "label": L("Xe", "Vehicles"),
              "rows": [{"key": "car", "label": L("Ô tô", "Cars")},
                       {"key": "motorbike", "label": L("Mô tô", "Motorbikes")}],
              "columns": [
                  {"key": "quantity", "type": "integer", "label": L("Số lượng"),
                   "required": True, "min": 0},
                  {"key": "good", "type": "integer", "label": L("Tốt"), "min": 0},
                  {"key": "condition", "type": "choice", "label": L("Tình trạng"),
                   "choices": [{"value": "good", "label": L("Tốt", "Good")},
                               {"value": "bad", "label": L("Hỏng", "Bad")}]},
              ]},
             {"key": "sites", "type": "table", "label": L("Trụ sở", "Sites"),
              "min_rows": 1, "max_rows": 3,
              "columns": [
                  {"key": "address", "type": "text", "label": L("Địa chỉ"), "required": True},
                  {"key": "land_m2", "type": "decimal", "label": L("Đất"), "min": 0},
                  {"key": "floor_m2", "type": "decimal", "label": L("Sàn"), "min": 0},
              ]},
         ]},
    ],
    "rules": [
        {"key": "degree_le_total", "expr": "university + postgraduate <= officers_total",
         "severity": "error", "fields": ["university"],
         "message": L("Số có bằng cấp vượt tổng số", "Degree holders exceed the total")},
        {"key": "staff_warn", "expr": "actual_staff <= establishment * 1.1",
         "severity": "warning", "fields": ["actual_staff"],
         "message": L("Vượt biên chế trên 10%", "More than 10% over establishment")},
        {"key": "staff_error", "expr": "actual_staff <= establishment * 1.2",
         "severity": "error", "fields": ["actual_staff"],
         "message": L("Vượt biên chế trên 20%", "More than 20% over establishment")},
        {"key": "good_le_quantity", "table": "vehicle_rows", "expr": "good <= quantity",
         "severity": "error", "fields": ["good"],
         "message": L("Số tốt vượt số lượng", "Good exceeds quantity")},
    ],
}


@pytest.fixture
def defn() -> FormDefinition:
    return parse_definition(copy.deepcopy(FORM))


def form_with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FORM)
    data.update(changes)
    return data


def with_rule(expr: str, **extra: Any) -> dict[str, Any]:
    rule = {"key": "r", "expr": expr, "severity": "error", "fields": [],
            "message": L("Sai", "Wrong"), **extra}
    return form_with(rules=[rule])


def codes(problems: list[Problem]) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.field, p.row, p.column, p.code) for p in problems]


def parse_problems(data: Any) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_definition(data)
    return info.value.problems


# --- parsing ----------------------------------------------------------------------------

def test_a_good_definition_parses(defn: FormDefinition) -> None:
    assert defn.key == "sample" and defn.version == 1
    assert defn.title("vi") == "Mẫu thử" and defn.title("en") == "Sample"
    assert [s.key for s in defn.sections] == ["staff", "vehicles"]
    assert defn.field("officers_total").required is True
    assert defn.field("officers_total").max == D(100000)
    assert defn.field("officers_total").help("en") == "At the reference date"
    assert defn.field("officers_total").section == "staff"
    assert defn.field("vehicle_rows").section == "vehicles"
    assert [r.key for r in defn.field("vehicle_rows").rows] == ["car", "motorbike"]
    assert defn.field("vehicle_rows.quantity").table == "vehicle_rows"
    assert defn.field("legal_status").choices[0].label("en") == "Red book"
    assert defn.field("area_m2").unit("vi") == "m²"
    assert "sites" in [f.key for f in defn.fields]


def test_labels_follow_the_active_language(defn: FormDefinition) -> None:
    with translation.override("en"):
        assert defn.field("vehicle_rows").label() == "Vehicles"
    with translation.override("vi"):
        assert defn.field("vehicle_rows").label() == "Xe"


def test_numeric_keys_include_table_columns(defn: FormDefinition) -> None:
    assert defn.numeric_keys() == [
        "officers_total", "university", "postgraduate", "establishment", "actual_staff",
        "area_m2", "vehicle_rows.quantity", "vehicle_rows.good", "sites.land_m2",
        "sites.floor_m2"]


def test_to_json_round_trips(defn: FormDefinition) -> None:
    assert defn.to_json() == FORM
    assert parse_definition(defn.to_json()).to_json() == FORM


def test_a_plain_text_label_is_accepted_for_both_languages() -> None:
    data = form_with(title="Một tiêu đề")
    assert parse_definition(data).title("en") == "Một tiêu đề"


def test_every_problem_is_listed_at_once() -> None:
    data = form_with(version=0)
    fields = data["sections"][0]["fields"]
    fields.append({"key": "officers_total", "type": "integer", "label": L("Trùng")})
    fields.append({"key": "weird", "type": "colour", "label": L("Màu")})
    fields.append({"key": "Bad Key", "type": "text", "label": L("x")})
    problems = parse_problems(data)
    joined = "\n".join(problems)
    assert "version" in joined
    assert "duplicate field key 'officers_total'" in joined
    assert "unknown or unsupported type 'colour'" in joined
    assert "'Bad Key'" in joined
    assert len(problems) >= 4


@pytest.mark.parametrize(("change", "expected"), [
    ({"key": "sum"}, "reserved"),
    ({"required": "yes"}, "required must be true or false"),
    ({"min": 10, "max": 1}, "min is greater than max"),
    ({"min": "abc"}, "must be a number"),
    ({"min": 0.5}, "must be whole"),
    ({"label": None}, "missing text"),
    ({"label": {"en": "only English"}}, "Vietnamese text (vi) is required"),
    ({"requried": True}, "unknown properties ['requried']"),
])
def test_bad_field_properties_are_reported(change: dict[str, Any], expected: str) -> None:
    data = copy.deepcopy(FORM)
    data["sections"][0]["fields"][0].update(change)
    assert any(expected in p for p in parse_problems(data)), parse_problems(data)


def test_bad_choices_are_reported() -> None:
    data = copy.deepcopy(FORM)
    data["sections"][0]["fields"][6]["choices"] = [{"value": "x", "label": L("X")},
                                                   {"value": "x", "label": L("Y")}]
    data["sections"][0]["fields"][7]["choices"] = []
    joined = "\n".join(parse_problems(data))
    assert "duplicate choice value 'x'" in joined
    assert "choices must be a non-empty list" in joined


def test_tables_cannot_nest_or_hold_files() -> None:
    data = copy.deepcopy(FORM)
    columns = data["sections"][1]["fields"][0]["columns"]
    columns.append({"key": "inner", "type": "table", "label": L("x"), "columns": []})
    columns.append({"key": "scan", "type": "file", "label": L("x")})
    columns.append({"key": "quantity", "type": "integer", "label": L("x")})
    joined = "\n".join(parse_problems(data))
    assert "'table' in a table column" in joined
    assert "'file' in a table column" in joined
    assert "duplicate column key 'quantity'" in joined


def test_table_rows_must_be_unique_and_row_limits_consistent() -> None:
    data = copy.deepcopy(FORM)
    data["sections"][1]["fields"][0]["rows"].append({"key": "car", "label": L("Ô tô")})
    data["sections"][1]["fields"][1]["min_rows"] = 5
    joined = "\n".join(parse_problems(data))
    assert "duplicate row key 'car'" in joined
    assert "min_rows is greater than max_rows" in joined


def test_a_column_key_may_not_repeat_a_field_key() -> None:
    data = copy.deepcopy(FORM)
    data["sections"][1]["fields"][1]["columns"][0]["key"] = "university"
    assert any("also a field key" in p for p in parse_problems(data))


def test_section_problems_are_reported() -> None:
    assert any("non-empty list of sections" in p for p in parse_problems(form_with(sections=[])))
    data = form_with(sections=[{"key": "s", "title": L("S"), "fields": []}])
    assert any("non-empty list of fields" in p for p in parse_problems(data))
    assert parse_problems([1, 2]) == ["the definition must be a JSON object"]


@pytest.mark.parametrize(("expr", "expected"), [
    ("nonexistent > 0", "unknown field 'nonexistent'"),
    ("notes > 0", "not a number"),
    ("sum(vehicle_rows.condition) > 0", "not a number"),
    ("sum(vehicle_rows.nope) > 0", "unknown column 'nope'"),
    ("count(officers_total) > 0", "is not a table"),
    ("value(vehicle_rows, 'truck', 'quantity') > 0", "no fixed row 'truck'"),
    ("value(sites, 'x', 'land_m2') > 0", "no fixed row"),
    ("value(vehicle_rows, 'car') > 0", "three arguments"),
    ("officers_total >", "not valid"),
])
def test_bad_rule_expressions_are_rejected(expr: str, expected: str) -> None:
    assert any(expected in p for p in parse_problems(with_rule(expr))), \
        parse_problems(with_rule(expr))


@pytest.mark.parametrize("expr", [
    "officers_total.__class__",                      # attribute access
    "().__class__.__bases__[0].__subclasses__()",    # the classic sandbox escape
    "__import__('os').system('echo hacked')",        # calls to other names
    "eval('1')",
    "open('/etc/passwd')",
    "officers_total.bit_length()",                   # method calls
    "(lambda: 1)()",                                 # lambdas
    "[x for x in (1, 2)]",                           # comprehensions
    "sum(x for x in (1, 2))",
    "{1: 2}",
    "9 ** 9 ** 9",                                   # huge exponents
    "officers_total ** 2",
    "10000000000000000000000 > officers_total",      # huge constants
    "officers_total if 1 else 0",
    "'text' == officers_total",
    "officers_total[0]",
    "(x := 1)",
    "officers_total << 2",
    "min(officers_total, key=abs)",
    "officers_total in (1, 2)",
    "True",
])
def test_malicious_or_unsupported_expressions_are_rejected(expr: str) -> None:
    parse_problems(with_rule(expr))


def test_very_long_expressions_are_rejected() -> None:
    expr = " + ".join(["officers_total"] * 100) + " > 0"
    assert any("longer than" in p for p in parse_problems(with_rule(expr)))


def test_every_allowed_construct_parses(defn: FormDefinition) -> None:
    expr = ("not (university + postgraduate - 1 * 2 / 4 > officers_total) and "
            "(0 <= sum(vehicle_rows.quantity) <= 1000 or count(sites) == 0) and "
            "value(vehicle_rows, 'car', 'good') <= max(1, min(2, abs(-3))) and -area_m2 < 1.5"
            " and has_papers")
    assert check_expression(expr, defn) == []


def test_rule_problems_are_reported() -> None:
    data = with_rule("officers_total > 0", severity="fatal", fields=["ghost"], message=None)
    joined = "\n".join(parse_problems(data))
    assert "severity must be" in joined
    assert "unknown field 'ghost'" in joined
    assert "missing text" in joined
    data = with_rule("quantity > 0", table="officers_total")
    assert any("not a table of this form" in p for p in parse_problems(data))


# --- cleaning answers: every field type ----------------------------------------------------

def clean(defn: FormDefinition, raw: dict[str, Any], *, partial: bool = True
          ) -> tuple[dict[str, Any], list[Problem]]:
    with translation.override("en"):
        return clean_answers(defn, raw, partial=partial)


@pytest.mark.parametrize(("raw", "expected"), [
    ("120", 120), (" 120 ", 120), (120, 120), (120.0, 120), ("1.200", 1200), ("1,200", 1200),
    ("1 200", 1200), ("12.345", 12345), ("99.999", 99999), ("0", 0), (D("7"), 7), ("12.0", 12),
])
def test_integers_accept_common_writings(defn: FormDefinition, raw: Any, expected: int) -> None:
    answers, problems = clean(defn, {"officers_total": raw})
    assert problems == [] and answers == {"officers_total": expected}


@pytest.mark.parametrize(("raw", "code"), [
    ("abc", "invalid_integer"), ("12.5", "invalid_integer"), ("1,5", "invalid_integer"),
    (12.5, "invalid_integer"), ("1e5", "invalid_integer"), (True, "invalid_integer"),
    ("-1", "min"), ("100001", "max"), ("9" * 30, "out_of_range"), ([1], "invalid_integer"),
    ("12-3", "invalid_integer"),
])
def test_bad_integers_give_clear_errors(defn: FormDefinition, raw: Any, code: str) -> None:
    answers, problems = clean(defn, {"officers_total": raw})
    assert "officers_total" not in answers
    assert codes(problems) == [("officers_total", None, None, code)]
    assert problems[0].severity == "error" and problems[0].message


@pytest.mark.parametrize(("raw", "expected"), [
    ("1520.5", "1520.50"), ("1520,50", "1520.50"), ("1.520,50", "1520.50"),
    ("1,520.50", "1520.50"), (1520.5, "1520.50"), ("3", "3.00"), (D("0.10"), "0.10"),
    ("12.500", "12.50"),
])
def test_decimals_are_stored_exactly_as_text(defn: FormDefinition, raw: Any,
                                             expected: str) -> None:
    answers, problems = clean(defn, {"area_m2": raw})
    assert problems == [] and answers == {"area_m2": expected}


@pytest.mark.parametrize(("raw", "code"), [
    ("1.234", "too_many_places"), ("x1", "invalid_decimal"), ("-0.01", "min"),
    ("NaN", "invalid_decimal"), ("inf", "invalid_decimal"), ("1..2", "invalid_decimal"),
])
def test_bad_decimals_give_clear_errors(defn: FormDefinition, raw: Any, code: str) -> None:
    answers, problems = clean(defn, {"area_m2": raw})
    assert answers == {} and codes(problems) == [("area_m2", None, None, code)]


def test_a_decimal_without_places_keeps_its_digits() -> None:
    data = copy.deepcopy(FORM)
    del data["sections"][0]["fields"][5]["places"]
    answers, problems = clean(parse_definition(data), {"area_m2": "0.125"})
    assert answers == {"area_m2": "0.125"} and problems == []


def test_choices_accept_the_value_or_a_label(defn: FormDefinition) -> None:
    assert clean(defn, {"legal_status": "red_book"})[0] == {"legal_status": "red_book"}
    assert clean(defn, {"legal_status": "Sổ đỏ"})[0] == {"legal_status": "red_book"}
    assert clean(defn, {"legal_status": "red book"})[0] == {"legal_status": "red_book"}
    answers, problems = clean(defn, {"legal_status": "pink_book"})
    assert answers == {} and codes(problems) == [("legal_status", None, None, "invalid_choice")]
    assert "pink_book" in problems[0].message


def test_multichoice_gives_a_list_in_definition_order(defn: FormDefinition) -> None:
    assert clean(defn, {"it_skills": ["c", "a", "a"]})[0] == {"it_skills": ["a", "c"]}
    assert clean(defn, {"it_skills": "b; a"})[0] == {"it_skills": ["a", "b"]}
    assert clean(defn, {"it_skills": []})[0] == {}
    answers, problems = clean(defn, {"it_skills": ["a", "z"]})
    assert answers == {} and codes(problems) == [("it_skills", None, None, "invalid_choice")]


@pytest.mark.parametrize(("raw", "expected"), [
    ("2020-05-01", "2020-05-01"), ("01/05/2020", "2020-05-01"), ("1-5-2020", "2020-05-01"),
    (dt.date(2020, 5, 1), "2020-05-01"), (dt.datetime(2020, 5, 1, 8, 0), "2020-05-01"),
])
def test_dates_are_stored_as_iso(defn: FormDefinition, raw: Any, expected: str) -> None:
    assert clean(defn, {"built_on": raw}) == ({"built_on": expected}, [])


@pytest.mark.parametrize("raw", ["31/02/2020", "2020-13-01", "hôm qua", "05/01/20", 42,
                                 "01/01/1066"])
def test_bad_dates_give_clear_errors(defn: FormDefinition, raw: Any) -> None:
    answers, problems = clean(defn, {"built_on": raw})
    assert answers == {} and codes(problems) == [("built_on", None, None, "invalid_date")]


@pytest.mark.parametrize(("raw", "expected"), [
    (True, True), (False, False), ("yes", True), ("Có", True), ("không", False), ("0", False),
    ("on", True), (1, True),
])
def test_booleans(defn: FormDefinition, raw: Any, expected: bool) -> None:
    assert clean(defn, {"has_papers": raw}) == ({"has_papers": expected}, [])


def test_a_bad_boolean_is_an_error(defn: FormDefinition) -> None:
    assert codes(clean(defn, {"has_papers": "maybe"})[1]) == [
        ("has_papers", None, None, "invalid_boolean")]


def test_text_is_trimmed_and_limited(defn: FormDefinition) -> None:
    assert clean(defn, {"notes": "  ghi chú  "})[0] == {"notes": "ghi chú"}
    answers, problems = clean(defn, {"notes": "x" * 21})
    assert answers == {} and codes(problems) == [("notes", None, None, "too_long")]
    assert "20" in problems[0].message and "21" in problems[0].message


def test_file_answers_reference_an_attachment(defn: FormDefinition) -> None:
    good = {"plan_scan": {"attachment": 17, "name": "x.pdf"}}
    assert clean(defn, good) == (good, [])
    assert codes(clean(defn, {"plan_scan": "x.pdf"})[1]) == [
        ("plan_scan", None, None, "invalid_file")]
    assert codes(clean(defn, {"plan_scan": {"attachment": "17"}})[1]) == [
        ("plan_scan", None, None, "invalid_file")]


def test_blank_values_are_left_out(defn: FormDefinition) -> None:
    raw = {"officers_total": "", "area_m2": None, "notes": "   ", "it_skills": ["", " "],
           "vehicle_rows": [], "sites": [{"address": "", "land_m2": ""}]}
    assert clean(defn, raw) == ({}, [])


def test_unknown_fields_are_reported(defn: FormDefinition) -> None:
    assert codes(clean(defn, {"ghost": 1})[1]) == [("ghost", None, None, "unknown_field")]


def test_required_fields_are_checked_on_submit_only(defn: FormDefinition) -> None:
    assert clean(defn, {}, partial=True) == ({}, [])
    _answers, problems = clean(defn, {}, partial=False)
    assert ("officers_total", None, None, "required") in codes(problems)
    assert ("sites", None, None, "too_few_rows") in codes(problems)
    assert all(p.severity == "error" for p in problems)


def test_bad_values_come_back_with_the_good_ones(defn: FormDefinition) -> None:
    answers, problems = clean(defn, {"officers_total": "12", "university": "abc"})
    assert answers == {"officers_total": 12}
    assert codes(problems) == [("university", None, None, "invalid_integer")]


# --- tables -----------------------------------------------------------------------------------

def test_fixed_row_tables_keep_their_row_keys_in_definition_order(defn: FormDefinition) -> None:
    raw = {"vehicle_rows": [{"row": "motorbike", "quantity": "10", "condition": "Tốt"},
                            {"row": "car", "quantity": 3, "good": "2"}]}
    answers, problems = clean(defn, raw)
    assert problems == []
    assert answers == {"vehicle_rows": [{"row": "car", "quantity": 3, "good": 2},
                                        {"row": "motorbike", "quantity": 10,
                                         "condition": "good"}]}


def test_fixed_rows_may_come_keyed_by_row(defn: FormDefinition) -> None:
    answers, _problems = clean(defn, {"vehicle_rows": {"car": {"quantity": "4"}}})
    assert answers == {"vehicle_rows": [{"row": "car", "quantity": 4}]}


def test_fixed_row_problems_name_the_row_position_and_column(defn: FormDefinition) -> None:
    raw = {"vehicle_rows": [{"row": "motorbike", "quantity": "many"},
                            {"row": "truck", "quantity": 1},
                            {"row": "car", "colour": "red"}]}
    _answers, problems = clean(defn, raw)
    assert ("vehicle_rows", 1, "quantity", "invalid_integer") in codes(problems)
    assert ("vehicle_rows", None, None, "unknown_row") in codes(problems)
    assert ("vehicle_rows", 0, "colour", "unknown_column") in codes(problems)


def test_required_columns_on_submit(defn: FormDefinition) -> None:
    raw = {"officers_total": 1, "sites": [{"address": "1 Lê Duẩn"}],
           "vehicle_rows": [{"row": "car", "good": 1}]}
    assert not has_errors(clean(defn, raw, partial=True)[1])
    problems = clean(defn, raw, partial=False)[1]
    # every fixed row is asked for: the motorbike row too, though nothing was typed in it
    assert codes(problems) == [("vehicle_rows", 0, "quantity", "required"),
                               ("vehicle_rows", 1, "quantity", "required")]


def test_free_rows_drop_blank_rows_and_report_raw_positions(defn: FormDefinition) -> None:
    raw = {"sites": [{"address": "A", "land_m2": "100"}, {"address": "", "land_m2": ""},
                     {"land_m2": "-5", "floor_m2": "20"}]}
    answers, problems = clean(defn, raw, partial=False)
    assert answers["sites"] == [{"address": "A", "land_m2": "100"}, {"floor_m2": "20"}]
    assert ("sites", 2, "land_m2", "min") in codes(problems)
    assert ("sites", 2, "address", "required") in codes(problems)


def test_free_rows_respect_max_rows(defn: FormDefinition) -> None:
    raw = {"sites": [{"address": str(i)} for i in range(5)]}
    answers, problems = clean(defn, raw)
    assert len(answers["sites"]) == 3
    assert codes(problems) == [("sites", None, None, "too_many_rows")]


def test_malformed_tables_are_errors(defn: FormDefinition) -> None:
    assert codes(clean(defn, {"sites": "a,b"})[1]) == [("sites", None, None, "invalid_table")]
    assert codes(clean(defn, {"sites": [1, 2]})[1]) == [("sites", None, None, "invalid_table")]
    answers, problems = clean(defn, {"vehicle_rows": [{"row": "car", "quantity": 1},
                                                      {"row": "car", "quantity": 2}]})
    assert answers == {"vehicle_rows": [{"row": "car", "quantity": 1}]}
    assert codes(problems) == [("vehicle_rows", None, None, "duplicate_row")]


# --- rules ------------------------------------------------------------------------------------

def test_a_cross_field_rule_reports_on_its_anchor(defn: FormDefinition) -> None:
    answers, problems = clean(defn, {"officers_total": 10, "university": 8, "postgraduate": 3})
    assert codes(problems) == [("university", None, None, "rule:degree_le_total")]
    assert problems[0].message == "Degree holders exceed the total"
    assert answers["university"] == 8  # the values are kept so nothing typed is lost
    with translation.override("vi"):
        problems = clean_answers(defn, answers, partial=True)[1]
    assert problems[0].message == "Số có bằng cấp vượt tổng số"


def test_blank_operands_make_a_rule_not_apply(defn: FormDefinition) -> None:
    assert clean(defn, {"university": 8, "postgraduate": 3})[1] == []
    assert clean(defn, {"officers_total": 10, "university": 11})[1] == []


@pytest.mark.parametrize(("actual", "expected"), [
    (100, []), (110, []), (111, ["warning"]), (120, ["warning"]), (121, ["warning", "error"]),
])
def test_warnings_and_errors_at_ten_and_twenty_percent(defn: FormDefinition, actual: int,
                                                       expected: list[str]) -> None:
    problems = clean(defn, {"establishment": 100, "actual_staff": actual})[1]
    assert [p.severity for p in problems] == expected
    assert has_errors(problems) == ("error" in expected)


def test_a_table_rule_is_checked_on_every_row(defn: FormDefinition) -> None:
    raw = {"vehicle_rows": [{"row": "car", "quantity": 2, "good": 3},
                            {"row": "motorbike", "quantity": 5, "good": 5}]}
    problems = clean(defn, raw)[1]
    assert codes(problems) == [("vehicle_rows", 0, "good", "rule:good_le_quantity")]
    raw = {"vehicle_rows": [{"row": "motorbike", "quantity": 5, "good": 6}]}
    assert codes(clean(defn, raw)[1]) == [("vehicle_rows", 1, "good", "rule:good_le_quantity")]


def rule_result(expr: str, answers: dict[str, Any], **extra: Any) -> list[Problem]:
    d = parse_definition(with_rule(expr, **extra))
    return clean_answers(d, answers, partial=True)[1]


TABLE = {"vehicle_rows": [{"row": "car", "quantity": 3, "good": 2},
                          {"row": "motorbike", "quantity": 10}],
         "sites": [{"address": "A", "land_m2": "100.5"}, {"address": "B", "land_m2": "50"},
                   {"address": "C"}]}


@pytest.mark.parametrize(("expr", "holds"), [
    ("sum(vehicle_rows.quantity) == 13", True),
    ("sum(vehicle_rows.quantity) == 12", False),
    ("sum(sites.land_m2) == 150.5", True),
    ("count(sites) == 3", True),
    ("count(vehicle_rows) == 2", True),
    ("value(vehicle_rows, 'car', 'quantity') == 3", True),
    ("value(vehicle_rows, 'motorbike', 'quantity') > 10", False),
    ("min(sum(vehicle_rows.quantity), 5) == 5", True),
    ("max(sum(vehicle_rows.quantity), 5, 20) == 20", True),
    ("abs(3 - sum(vehicle_rows.quantity)) == 10", True),
    ("1 < 2 < 3", True), ("1 < 3 < 2", False),
    ("sum(vehicle_rows.quantity) / 2 == 6.5", True),
    ("not count(sites) == 3 or 1 == 1", True),
    ("1 == 2 and 1 / 0 == 1", False),
    ("2 * 3 - 1 != 5", False),
])
def test_rule_functions_on_known_data(expr: str, holds: bool) -> None:
    assert (rule_result(expr, TABLE) == []) is holds


@pytest.mark.parametrize("expr", [
    "value(vehicle_rows, 'motorbike', 'good') > 100",   # blank cell
    "sum(sites.floor_m2) > 100",                        # blank column
    "officers_total > 100",                             # blank field
    "min(officers_total, 1) > 100",
    "count(sites) / 0 > 1",                              # division by zero: not applicable
])
def test_rules_with_blank_operands_do_not_apply(expr: str) -> None:
    assert rule_result(expr, TABLE) == []


def test_a_rule_on_an_empty_table_uses_count_zero() -> None:
    assert codes(rule_result("count(sites) >= 1", {})) == [("", None, None, "rule:r")]


def test_a_rule_anchor_may_be_a_table_column() -> None:
    problems = rule_result("sum(sites.land_m2) > 1000", TABLE, fields=["sites.land_m2"])
    assert codes(problems) == [("sites", None, "land_m2", "rule:r")]


def test_booleans_count_as_one_and_zero_in_rules() -> None:
    assert rule_result("has_papers == 1", {"has_papers": True}) == []
    assert len(rule_result("has_papers == 1", {"has_papers": False})) == 1


def test_problem_paths_for_api_clients() -> None:
    problem = Problem("sites", 2, "land_m2", "error", "x", "min")
    assert problem.path == "sites[2].land_m2"
    assert problem.as_dict()["path"] == "sites[2].land_m2"
    assert Problem("notes", None, None, "error", "x", "too_long").path == "notes"


# --- reading answers --------------------------------------------------------------------------

def test_field_value_returns_typed_values(defn: FormDefinition) -> None:
    answers = {"officers_total": 12, "area_m2": "10.50", "built_on": "2020-05-01",
               **TABLE}
    assert field_value(defn, answers, "officers_total") == 12
    assert field_value(defn, answers, "area_m2") == D("10.50")
    assert field_value(defn, answers, "built_on") == dt.date(2020, 5, 1)
    assert field_value(defn, answers, "notes") is None
    assert field_value(defn, answers, "vehicle_rows", "car", "quantity") == 3
    assert field_value(defn, answers, "vehicle_rows", 1, "quantity") == 10
    assert field_value(defn, answers, "vehicle_rows", 1, "good") is None
    assert field_value(defn, answers, "sites", 0, "land_m2") == D("100.5")
    assert field_value(defn, answers, "sites", 7, "land_m2") is None
    assert field_value(defn, answers, "sites") == TABLE["sites"]
    with pytest.raises(KeyError):
        field_value(defn, answers, "ghost")


def test_numeric_total(defn: FormDefinition) -> None:
    answers = {"officers_total": 12, "area_m2": "10.50", **TABLE}
    assert numeric_total(defn, answers, "officers_total") == D(12)
    assert numeric_total(defn, answers, "area_m2") == D("10.50")
    assert numeric_total(defn, answers, "vehicle_rows.quantity") == D(13)
    assert numeric_total(defn, answers, "sites.land_m2") == D("150.5")
    assert numeric_total(defn, answers, "sites.floor_m2") is None
    assert numeric_total(defn, {}, "university") is None
    with pytest.raises(KeyError):
        numeric_total(defn, answers, "notes")


def test_cleaned_answers_clean_again_to_themselves(defn: FormDefinition) -> None:
    raw = {"officers_total": "1.200", "area_m2": "10,5", "legal_status": "Sổ đỏ",
           "it_skills": "a;b", "built_on": "01/05/2020", "has_papers": "có", "notes": " n ",
           "plan_scan": {"attachment": 1, "name": "a.pdf"}, **TABLE}
    answers, problems = clean(defn, raw)
    assert problems == []
    assert clean(defn, answers) == (answers, [])
