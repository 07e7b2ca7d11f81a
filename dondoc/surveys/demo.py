"""Demo surveys: the vehicles survey of the ward and commune police, a closed 2025 baseline
(every unit answered, all accepted) and an open 2026 campaign compared with it (a mix of
statuses). Figures are assumed. Loaded by ``dondoc demo`` after the organisation.

Units without a demo account are answered by the administrator on their behalf (the
history shows who saved each version); staff of the Staff Department review.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from dondoc.organization.models import Role, Unit, UnitKind, User
from dondoc.surveys import services
from dondoc.surveys.models import Campaign, Submission, SurveyForm

BASELINE_TITLE = "Khảo sát phương tiện năm 2025"
CURRENT_TITLE = "Khảo sát phương tiện năm 2026"
COASTAL = {"P-MAN-THAI", "P-AN-HAI-BAC", "P-THAC-GIAN", "P-MY-AN", "P-KHUE-MY",
           "P-HOA-MINH"}
# How far each unit of the 2026 campaign has got, by its position in the unit list.
CURRENT_STEPS = ["accepted"] * 5 + ["submitted"] * 3 + ["returned"] * 2 + ["draft"] * 3


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _row(key: str, quantity: int, unusable: int, fair: int, age: float) -> dict[str, Any]:
    good = quantity - fair - unusable
    return {"row": key, "quantity": quantity, "good": good, "fair": fair,
            "unusable": unusable, "average_age": f"{age:.1f}" if quantity else None}


def vehicles(unit: Unit, year: int) -> dict[str, Any]:
    """Plausible figures for a ward police, the same each time (seeded by the unit code);
    2026 has more cars and fewer unusable vehicles than 2025."""
    rnd = random.Random(f"{unit.code}-vehicles")  # noqa: S311 - demo figures, not security
    later = year >= 2026
    cars = 1 + (rnd.random() < 0.3) + (1 if later and rnd.random() < 0.6 else 0)
    bikes = rnd.randint(6, 14) + (2 if later else 0)
    bikes_bad = 0 if later and rnd.random() < 0.5 else rnd.randint(0, 2)
    bikes_fair = rnd.randint(1, 4)
    boats = 1 if unit.code in COASTAL else 0
    special = 1 if rnd.random() < 0.25 else 0
    shift = -0.8 if later else 0.0
    rows = [
        _row("cars", cars, 0, rnd.randint(0, 1) if cars > 1 else 0,
             rnd.uniform(3, 8) + shift + (1 if later else 0)),
        _row("motorbikes", bikes, bikes_bad, bikes_fair, rnd.uniform(4, 9) + shift),
        _row("boats", boats, 0, boats, rnd.uniform(6, 12)),
        _row("fire_rescue", 0, 0, 0, 0),
        _row("specialised", special, 0, 0, rnd.uniform(2, 6)),
    ]
    needs = "Đề nghị bổ sung 01 xe ô tô bán tải và 04 mô tô tuần tra." if rnd.random() < 0.5 \
        else "Đề nghị thay thế mô tô đã hỏng, hết niên hạn sử dụng."
    return {"vehicles": [{k: v for k, v in row.items() if v is not None} for row in rows],
            "vehicle_needs": needs}


def _answerer(unit: Unit, admin: User) -> User:
    return (User.objects.filter(unit=unit, role=Role.UNIT_MANAGER, is_active=True).first()
            or admin)


def _step(submission: Submission, goal: str, unit: Unit, year: int, actor: User,
          staff: User, day: dt.date) -> None:
    answers = vehicles(unit, year)
    services.save_draft(submission, answers, actor, at=_at(day, 8))
    if goal == "draft":
        return
    submission.refresh_from_db()
    services.submit(submission, actor, confirm_warnings=True, at=_at(day, 10))
    if goal == "submitted":
        return
    submission.refresh_from_db()
    if goal == "returned":
        services.return_(submission, staff, "Đề nghị đối chiếu số mô tô hỏng với biên bản "
                         "kiểm kê và bổ sung tuổi trung bình.", at=_at(day + dt.timedelta(2)))
        return
    services.accept(submission, staff, at=_at(day + dt.timedelta(days=3)))


def load(stdout: Any) -> None:
    if Campaign.objects.filter(title=BASELINE_TITLE).exists():
        stdout.write("Surveys: demo campaigns already loaded.")
        return
    staff = User.objects.filter(username="thammuu").first()
    admin = User.objects.filter(username="admin").first()
    catp = Unit.objects.filter(code="CATP").first()
    form = SurveyForm.objects.filter(key="vehicles").order_by("-version").first()
    if staff is None or admin is None or catp is None or form is None:
        stdout.write("Surveys: the demo organisation is missing; skipped.")
        return
    wards = list(Unit.objects.filter(kind=UnitKind.WARD, path__startswith=catp.path,
                                     is_active=True).order_by("path"))
    baseline = services.campaign_create(
        actor=staff, title=BASELINE_TITLE, form=form, owner_unit=catp,
        purpose="Đánh giá thực trạng phương tiện của Công an xã, phường làm số liệu đầu vào "
                "cho Đề án xây dựng Công an xã, phường chính quy (Nghị quyết 12-NQ/TW).",
        reference_date=dt.date(2025, 3, 31), deadline=dt.date(2025, 4, 30), units=wards)
    services.campaign_open(actor=staff, campaign=baseline, at=_at(dt.date(2025, 4, 1)))
    for index, submission in enumerate(Submission.objects.filter(campaign=baseline)
                                       .select_related("unit").order_by("unit__path")):
        day = dt.date(2025, 4, 10) + dt.timedelta(days=index % 15)
        _step(submission, "accepted", submission.unit, 2025,
              _answerer(submission.unit, admin), staff, day)
    services.campaign_close(actor=staff, campaign=baseline, at=_at(dt.date(2025, 5, 15)))

    today = timezone.localdate()
    current = services.campaign_create(
        actor=staff, title=CURRENT_TITLE, form=form, owner_unit=catp, baseline=baseline,
        purpose="Cập nhật thực trạng phương tiện sau một năm triển khai; so sánh với đợt "
                "khảo sát năm 2025.",
        reference_date=dt.date(2026, 9, 30),
        deadline=max(dt.date(2026, 12, 15), today + dt.timedelta(days=14)), units=wards)
    opened = min(today, dt.date(2026, 10, 1))
    services.campaign_open(actor=staff, campaign=current, at=_at(opened))
    for index, submission in enumerate(Submission.objects.filter(campaign=current)
                                       .select_related("unit").order_by("unit__path")):
        if index >= len(CURRENT_STEPS):
            continue  # not started yet
        day = min(today - dt.timedelta(days=3), opened + dt.timedelta(days=5 + index))
        _step(submission, CURRENT_STEPS[index], submission.unit, 2026,
              _answerer(submission.unit, admin), staff, day)
    stdout.write(f"Surveys: {len(wards)} ward police in the 2025 baseline and the open 2026 "
                 "vehicles survey.")
