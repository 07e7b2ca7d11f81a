"""A small world for the consolidation, comparison and export tests (no tests here).

On the shared organisation (see the root conftest) and the frozen day 15/05/2026:

* the "fleet" form, version 1 and version 2 (v2 adds ``cameras``, drops ``area``);
* ``before``: the 2025 campaign (v1), closed, PC08, its team PC08-D1 and PC06 accepted;
* ``now``: the 2026 campaign (v2, baseline ``before``) asking PC08, PC08-D1, PC06 and
  PX05: PC08 and PC06 accepted, PC08-D1 submitted (not accepted), PX05 not started.

Everything goes through the real services. ``ANSWERS`` holds what each unit typed, so a
test can compute the expected figures on its own.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from dondoc.surveys import services
from dondoc.surveys.models import Campaign, Submission, SurveyForm


def _t(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


CONDITIONS = [{"value": "good", "label": _t("Tốt", "Good")},
              {"value": "fair", "label": _t("Trung bình", "Fair")},
              {"value": "poor", "label": _t("Kém", "Poor")}]

FLEET_V1: dict[str, Any] = {
    "key": "fleet", "version": 1, "title": _t("Phương tiện và trụ sở", "Fleet and sites"),
    "sections": [
        {"key": "general", "title": _t("Thông tin chung", "General"), "fields": [
            {"key": "officers", "type": "integer", "label": _t("Tổng số cán bộ", "Officers"),
             "min": 0, "required": True},
            {"key": "area", "type": "decimal", "places": 2,
             "label": _t("Diện tích (m²)", "Area (m²)"), "min": 0},
            {"key": "rating", "type": "choice", "label": _t("Đánh giá chung", "Rating"),
             "choices": CONDITIONS},
            {"key": "has_papers", "type": "boolean", "label": _t("Có giấy tờ", "Has papers")},
            {"key": "skills", "type": "multichoice", "label": _t("Kỹ năng", "Skills"),
             "choices": [{"value": "it", "label": _t("Tin học", "IT")},
                         {"value": "english", "label": _t("Tiếng Anh", "English")}]},
            {"key": "built_on", "type": "date", "label": _t("Ngày xây dựng", "Built on")},
            {"key": "notes", "type": "text", "label": _t("Ghi chú", "Notes")},
        ]},
        {"key": "fleet", "title": _t("Phương tiện", "Vehicles"), "fields": [
            {"key": "vehicles", "type": "table", "label": _t("Phương tiện", "Vehicles"),
             "rows": [{"key": "cars", "label": _t("Ô tô", "Cars")},
                      {"key": "motorbikes", "label": _t("Mô tô", "Motorbikes")}],
             "columns": [
                 {"key": "quantity", "type": "integer", "label": _t("Số lượng", "Quantity"),
                  "min": 0},
                 {"key": "good", "type": "integer", "label": _t("Tốt", "Good"), "min": 0},
                 {"key": "condition", "type": "choice", "label": _t("Tình trạng", "Condition"),
                  "choices": CONDITIONS}]},
        ]},
        {"key": "premises", "title": _t("Trụ sở", "Sites"), "fields": [
            {"key": "sites", "type": "table", "label": _t("Cơ sở", "Sites"), "columns": [
                {"key": "address", "type": "text", "label": _t("Địa chỉ", "Address")},
                {"key": "land", "type": "decimal", "places": 1,
                 "label": _t("Diện tích đất", "Land area"), "min": 0},
                {"key": "condition", "type": "choice", "label": _t("Tình trạng", "Condition"),
                 "choices": CONDITIONS}]},
        ]},
    ],
    "rules": [{"key": "good_le_quantity", "expr": "sum(vehicles.good) <= sum(vehicles.quantity)",
               "severity": "error", "fields": ["vehicles"],
               "message": _t("Số tốt không vượt quá số lượng.", "Good cannot exceed quantity.")}],
}


def fleet_v2() -> dict[str, Any]:
    data = copy.deepcopy(FLEET_V1)
    data["version"] = 2
    general = data["sections"][0]["fields"]
    data["sections"][0]["fields"] = [f for f in general if f["key"] != "area"] + [
        {"key": "cameras", "type": "integer", "label": _t("Camera", "Cameras"), "min": 0}]
    return data


def _vehicles(cars: int, good_cars: int, bikes: int, good_bikes: int) -> list[dict[str, Any]]:
    return [{"row": "cars", "quantity": str(cars), "good": str(good_cars), "condition": "good"},
            {"row": "motorbikes", "quantity": str(bikes), "good": str(good_bikes),
             "condition": "fair"}]


# What each unit typed (raw, as from the browser), by campaign and unit code.
ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "before": {
        "PC08": {"officers": "100", "area": "1520,50", "rating": "good", "has_papers": "yes",
                 "skills": ["it", "english"], "built_on": "01/05/2020",
                 "vehicles": _vehicles(4, 3, 20, 15),
                 "sites": [{"address": "1 Lê Duẩn", "land": "1200", "condition": "good"},
                           {"address": "5 Trần Phú", "land": "300,5", "condition": "poor"}]},
        "PC08-D1": {"officers": "20", "area": "200", "rating": "fair", "has_papers": "no",
                    "skills": ["it"], "vehicles": _vehicles(1, 1, 5, 5),
                    "sites": [{"address": "9 Hùng Vương", "land": "150", "condition": "fair"}]},
        "PC06": {"officers": "0", "area": "0", "rating": "poor", "has_papers": "yes",
                 "vehicles": _vehicles(2, 0, 8, 2)},
    },
    "now": {
        "PC08": {"officers": "110", "rating": "good", "has_papers": "yes", "cameras": "12",
                 "skills": ["english"], "vehicles": _vehicles(5, 5, 22, 20),
                 "sites": [{"address": "1 Lê Duẩn", "land": "1200", "condition": "good"}]},
        "PC08-D1": {"officers": "25", "rating": "good", "cameras": "3",
                    "vehicles": _vehicles(2, 1, 6, 6)},
        "PC06": {"officers": "7", "rating": "fair", "has_papers": "no", "cameras": "0",
                 "vehicles": _vehicles(2, 2, 9, 4),
                 "notes": "=SUM(A1:A9) không phải công thức"},
    },
}


@dataclass
class World:
    v1: SurveyForm
    v2: SurveyForm
    before: Campaign
    now: Campaign
    subs: dict[str, dict[str, Submission]]  # campaign name → unit code → submission


def fill(submission: Submission, raw: dict[str, Any], *, drafter: Any, manager: Any) -> None:
    version, problems = services.save_draft(submission, raw, drafter)
    assert version is not None, problems
    services.submit(submission, manager, confirm_warnings=True)


@pytest.fixture(name="world")
def world_fixture(org: Any, people: Any, time_machine: Any) -> World:
    time_machine.move_to(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    admin, staff = people.admin, people.staff
    v1 = services.form_import(actor=staff, data=FLEET_V1)
    v2 = services.form_import(actor=staff, data=fleet_v2())
    units = {"PC08": org.pc08, "PC08-D1": org.pc08_d1, "PC06": org.pc06, "PX05": org.px05}
    before = services.campaign_create(
        actor=staff, title="Khảo sát 2025", form=v1, reference_date=dt.date(2025, 6, 30),
        deadline=dt.date(2025, 7, 31), units=[units[c] for c in ("PC08", "PC08-D1", "PC06")])
    services.campaign_open(actor=staff, campaign=before)
    subs: dict[str, dict[str, Submission]] = {"before": {}, "now": {}}
    for submission in Submission.objects.filter(campaign=before).select_related("unit"):
        subs["before"][submission.unit.code] = submission
        fill(submission, ANSWERS["before"][submission.unit.code], drafter=admin, manager=admin)
        services.accept(submission, staff)
    services.campaign_close(actor=staff, campaign=before)
    now = services.campaign_create(
        actor=staff, title="Khảo sát 2026", form=v2, reference_date=dt.date(2026, 4, 30),
        deadline=dt.date(2026, 5, 10), units=list(units.values()), baseline=before)
    services.campaign_open(actor=staff, campaign=now)
    for submission in Submission.objects.filter(campaign=now).select_related("unit"):
        code = submission.unit.code
        subs["now"][code] = submission
        if code in ANSWERS["now"]:
            fill(submission, ANSWERS["now"][code], drafter=admin, manager=admin)
            if code != "PC08-D1":
                services.accept(submission, staff)
    for by_unit in subs.values():
        for code, submission in by_unit.items():
            by_unit[code] = Submission.objects.select_related("current").get(pk=submission.pk)
    return World(v1=v1, v2=v2, before=before, now=now, subs=subs)
