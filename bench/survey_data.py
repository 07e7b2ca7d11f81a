"""The survey part of the benchmark city: a 200-field form answered by every unit.

Issue 13's benchmark: a campaign across the city's units (the city police and every unit
under it: 499 at ``BENCH_SCALE=1``, with the ministry above them the city's 500) with a
generated 200-field form — numbers in eight sections, a few choice and yes/no fields,
two fixed-row tables and one free-row table — every submission accepted. The rows are
written with ``bulk_create`` (the services would take minutes for 500 × 3 steps), each
submission with the versions the services leave after draft → submit → accept, its
answers checked once with ``definition.clean_answers`` so that they are what the services
would have stored.

Kept in its own module, not in ``generate.py``: the city is rebuilt when ``generate.py``
changes (its digest is part of the city's shape), and the survey data is added to an
existing city instead (idempotent: an existing campaign of the right size is reused).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

FORM_KEY = "bench-survey"
CAMPAIGN_TITLE = "Khảo sát hiện trạng (benchmark)"
FIELDS = 200
SECTIONS = 8
SEED = 13
FIXED_ROWS = [("car", "Ô tô", "Cars"), ("pickup", "Xe bán tải", "Pickups"),
              ("motorbike", "Mô tô", "Motorbikes"), ("boat", "Tàu, xuồng", "Boats"),
              ("rescue", "Xe chữa cháy, cứu nạn", "Rescue vehicles")]
CONDITIONS = [("good", "Tốt", "Good"), ("fair", "Trung bình", "Fair"),
              ("unusable", "Hỏng", "Unusable")]


def _texts(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def form_definition() -> dict[str, Any]:
    """A form of ``FIELDS`` top-level fields: 189 numbers, 6 choices, 2 yes/no fields, two
    fixed-row tables (5 rows × 4 numbers) and a free-row table (sites)."""
    numbers = FIELDS - 11
    per_section = -(-numbers // SECTIONS)
    sections: list[dict[str, Any]] = []
    made = 0
    for index in range(SECTIONS):
        fields: list[dict[str, Any]] = []
        for _ in range(min(per_section, numbers - made)):
            made += 1
            kind = "decimal" if made % 5 == 0 else "integer"
            field: dict[str, Any] = {
                "key": f"n{made:03d}", "type": kind,
                "label": _texts(f"Chỉ số {made}", f"Figure {made}"), "min": 0,
                "max": 1000000}
            if kind == "decimal":
                field["places"] = 2
            fields.append(field)
        if index < 6:
            fields.append({"key": f"c{index + 1}", "type": "choice",
                           "label": _texts(f"Đánh giá {index + 1}", f"Assessment {index + 1}"),
                           "choices": [{"value": value, "label": _texts(vi, en)}
                                       for value, vi, en in CONDITIONS]})
        if index < 2:
            fields.append({"key": f"b{index + 1}", "type": "boolean",
                           "label": _texts(f"Có giấy tờ {index + 1}", f"Papers {index + 1}")})
        if index in (2, 5):
            number = 1 if index == 2 else 2
            fields.append({
                "key": f"t{number}", "type": "table",
                "label": _texts(f"Phương tiện nhóm {number}", f"Vehicles group {number}"),
                "rows": [{"key": key, "label": _texts(vi, en)} for key, vi, en in FIXED_ROWS],
                "columns": [
                    {"key": "quantity", "type": "integer", "label": _texts("Số lượng", "Quantity"),
                     "min": 0},
                    {"key": "good", "type": "integer", "label": _texts("Tốt", "Good"), "min": 0},
                    {"key": "fair", "type": "integer", "label": _texts("Trung bình", "Fair"),
                     "min": 0},
                    {"key": "age", "type": "decimal", "places": 1,
                     "label": _texts("Tuổi bình quân", "Average age"), "min": 0}]})
        if index == 7:
            fields.append({
                "key": "sites", "type": "table", "label": _texts("Trụ sở", "Sites"),
                "max_rows": 50,
                "columns": [
                    {"key": "address", "type": "text", "label": _texts("Địa chỉ", "Address")},
                    {"key": "area", "type": "decimal", "places": 2,
                     "label": _texts("Diện tích đất (m²)", "Land area (m²)"), "min": 0},
                    {"key": "condition", "type": "choice",
                     "label": _texts("Tình trạng", "Condition"),
                     "choices": [{"value": value, "label": _texts(vi, en)}
                                 for value, vi, en in CONDITIONS]}]})
        sections.append({"key": f"s{index + 1}",
                         "title": _texts(f"Phần {index + 1}", f"Part {index + 1}"),
                         "fields": fields})
    return {"key": FORM_KEY, "version": 1,
            "title": _texts("Khảo sát hiện trạng (benchmark)", "Baseline survey (benchmark)"),
            "description": _texts("", ""), "sections": sections,
            "rules": [{"key": "good_le_quantity", "expr": "sum(t1.good) <= sum(t1.quantity)",
                       "severity": "warning", "fields": ["t1"],
                       "message": _texts("Số tốt không vượt quá số lượng.",
                                         "Good cannot exceed the quantity.")}]}


def _answers(definition: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        for field in section["fields"]:
            kind, key = field["type"], field["key"]
            if kind == "integer":
                answers[key] = rng.randint(0, 5000)
            elif kind == "decimal":
                answers[key] = f"{rng.randint(0, 10_000_000) / 100:.2f}"
            elif kind == "choice":
                answers[key] = rng.choice(CONDITIONS)[0]
            elif kind == "boolean":
                answers[key] = rng.random() < 0.7
            elif kind == "table" and field.get("rows"):
                rows = []
                for row_key, _vi, _en in FIXED_ROWS:
                    quantity = rng.randint(0, 40)
                    good = rng.randint(0, quantity)
                    rows.append({"row": row_key, "quantity": quantity, "good": good,
                                 "fair": quantity - good, "age": f"{rng.randint(0, 200) / 10:.1f}"})
                answers[key] = rows
            elif kind == "table":
                answers[key] = [{"address": f"Số {rng.randint(1, 300)} đường {n + 1}",
                                 "area": f"{rng.randint(100, 500_000) / 100:.2f}",
                                 "condition": rng.choice(CONDITIONS)[0]}
                                for n in range(rng.randint(1, 4))]
    return answers


def ensure_survey(staff: Any, *, log: Any = print) -> Any:
    """The benchmark campaign (created on first use): every unit of the staff user's scope
    answers, every submission accepted. Returns the campaign."""
    from django.db import transaction
    from django.utils import timezone

    from dondoc.organization import scoping
    from dondoc.organization.models import Unit
    from dondoc.surveys import definition as defs
    from dondoc.surveys.models import (
        Campaign,
        CampaignStatus,
        CampaignUnit,
        Source,
        Submission,
        SubmissionStatus,
        SubmissionVersion,
        SurveyForm,
    )

    root = scoping.scope_root(staff)
    assert root is not None
    units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    found = Campaign.objects.filter(title=CAMPAIGN_TITLE, form__key=FORM_KEY).first()
    if found is not None and CampaignUnit.objects.filter(campaign=found).count() == len(units):
        log(f"survey: reusing campaign #{found.pk} ({len(units)} units)")
        return found
    started = time.perf_counter()
    raw = form_definition()
    parsed = defs.parse_definition(raw)
    rng = random.Random(SEED)
    reference = dt.date(timezone.localdate().year, 1, 1)
    with transaction.atomic():
        if found is not None:
            raise SystemExit("survey: the benchmark campaign does not match the city; "
                             "regenerate the city (bench/generate.py --force)")
        form, _created = SurveyForm.objects.get_or_create(
            key=FORM_KEY, version=1, defaults={
                "title_vi": raw["title"]["vi"], "title_en": raw["title"]["en"],
                "definition": raw, "created_by": staff})
        campaign = Campaign.objects.create(
            title=CAMPAIGN_TITLE, purpose="Benchmark", form=form, reference_date=reference,
            deadline=reference + dt.timedelta(days=30), owner_unit=root,
            status=CampaignStatus.CLOSED, created_by=staff,
            opened_at=timezone.now(), closed_at=timezone.now())
        CampaignUnit.objects.bulk_create([CampaignUnit(campaign=campaign, unit=unit)
                                          for unit in units])
        now = timezone.now()
        submissions = Submission.objects.bulk_create([
            Submission(campaign=campaign, unit=unit, status=SubmissionStatus.ACCEPTED,
                       submitted_at=now, first_submitted_at=now, decided_at=now,
                       decided_by=staff, lock_version=3) for unit in units])
        versions: list[SubmissionVersion] = []
        for submission in submissions:
            answers, problems = defs.clean_answers(parsed, _answers(raw, rng), partial=False)
            if defs.has_errors(problems):
                raise RuntimeError(f"generated answers do not pass the form: {problems[:3]}")
            for number, status in enumerate((SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED,
                                             SubmissionStatus.ACCEPTED), start=1):
                versions.append(SubmissionVersion(
                    submission=submission, number=number, answers=answers, status=status,
                    source=Source.BROWSER, created_by=staff, created_at=now))
        SubmissionVersion.objects.bulk_create(versions, batch_size=500)
        current = {version.submission_id: version.pk for version in versions
                   if version.status == SubmissionStatus.ACCEPTED}
        for submission in submissions:
            submission.current_id = current[submission.pk]
        Submission.objects.bulk_update(submissions, ["current"], batch_size=500)
    log(f"survey: campaign #{campaign.pk}, {len(units)} units × {FIELDS} fields generated in "
        f"{time.perf_counter() - started:.1f}s")
    return campaign
