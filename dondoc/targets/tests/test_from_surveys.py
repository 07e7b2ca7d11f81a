"""Targets measured from a survey field: linking (with the accepted answers recorded at
once), a measurement on every acceptance that changes a figure, append-only corrections,
audit, and the link page (the survey world of dondoc/surveys/tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dondoc.audit.models import AuditEvent
from dondoc.plans import services as plans
from dondoc.plans.models import DocumentKind
from dondoc.surveys import services as surveys
from dondoc.surveys.models import Campaign, Submission
from dondoc.surveys.tests.test_aggregates import rates_fixture  # noqa: F401 - the fixture
from dondoc.surveys.tests.test_consolidation_world import (  # noqa: F401 - the fixture
    World,
    world_fixture,
)
from dondoc.targets import services
from dondoc.targets.from_surveys import target_link_survey
from dondoc.targets.models import Measurement, Target


@pytest.fixture
def target(world: World, org: Any, people: Any) -> Target:
    document = plans.document_create(
        actor=people.staff, kind=DocumentKind.PLAN, number="5/KH-CAĐN",
        title="Kế hoạch hiện đại hóa", issuer="Công an thành phố Đà Nẵng",
        issue_date=dt.date(2025, 1, 10), owner_unit=org.catp, code_prefix="KH5")
    return services.target_create(
        actor=people.staff, document=document, name="Quân số", measure_unit="người",
        direction="higher", baseline_value=Decimal(100), baseline_date=dt.date(2025, 1, 1),
        target_value=Decimal(200), target_date=dt.date(2026, 12, 31),
        shares=[services.UnitShare(org.pc08, Decimal(150))])


def _live(target: Target) -> dict[tuple[str | None, dt.date], Decimal]:
    return {(m.unit.code if m.unit else None, m.period_end): m.value
            for m in Measurement.objects.filter(target=target, superseded_by__isnull=True)
            .select_related("unit")}


def test_linking_records_what_accepted_answers_already_give(world: World, people: Any,
                                                             target: Target) -> None:
    recorded = target_link_survey(actor=people.staff, target=target, form_key="fleet",
                                  field_key="officers")
    assert len(recorded) == 4
    assert _live(target) == {
        (None, dt.date(2025, 6, 30)): Decimal(120),  # 100 + 20 + 0
        ("PC08", dt.date(2025, 6, 30)): Decimal(120),  # PC08 and its team
        (None, dt.date(2026, 4, 30)): Decimal(117),  # 110 + 7; the team is not accepted
        ("PC08", dt.date(2026, 4, 30)): Decimal(110),
    }
    item = recorded[-1]
    assert item.campaign == world.now and item.entered_by == people.staff
    assert "Khảo sát 2026" in item.note
    target.refresh_from_db()
    assert (target.survey_form_key, target.survey_field) == ("fleet", "officers")


def test_accepting_records_a_correction(world: World, people: Any, target: Target) -> None:
    target_link_survey(actor=people.staff, target=target, form_key="fleet",
                       field_key="officers")
    before = Measurement.objects.count()
    surveys.accept(world.subs["now"]["PC08-D1"], people.staff)
    assert Measurement.objects.count() == before + 2
    assert _live(target)[("PC08", dt.date(2026, 4, 30))] == Decimal(135)  # 110 + 25
    whole = Measurement.objects.get(target=target, unit=None, superseded_by__isnull=True,
                                    period_end=dt.date(2026, 4, 30))
    assert whole.value == Decimal(142)
    assert whole.supersedes is not None and whole.supersedes.value == Decimal(117)
    event = AuditEvent.objects.filter(object_type="targets.measurement").latest("seq")
    assert event.changes["campaign"] == [None, world.now.pk]


def test_an_unchanged_figure_records_nothing(world: World, people: Any,
                                            target: Target) -> None:
    target_link_survey(actor=people.staff, target=target, form_key="fleet",
                       field_key="officers")
    submission = world.subs["now"]["PC06"]
    surveys.return_(submission, people.staff, "Kiểm tra lại")
    submission = Submission.objects.get(pk=submission.pk)
    surveys.submit(submission, people.admin, confirm_warnings=True)
    before = Measurement.objects.count()
    surveys.accept(Submission.objects.get(pk=submission.pk), people.staff)
    assert Measurement.objects.count() == before


def test_table_columns_are_summed_over_rows(world: World, people: Any,
                                            target: Target) -> None:
    target_link_survey(actor=people.staff, target=target, form_key="fleet",
                       field_key="vehicles.quantity")
    assert _live(target)[("PC08", dt.date(2026, 4, 30))] == Decimal(27)  # 5 cars + 22 bikes


def test_an_average_is_measured_as_the_mean_of_the_units(rates: dict[str, Campaign],
                                                          people: Any, org: Any) -> None:
    document = plans.document_create(
        actor=people.staff, kind=DocumentKind.PLAN, number="6/KH-CAĐN",
        title="Kế hoạch thay thế phương tiện", issuer="Công an thành phố Đà Nẵng",
        issue_date=dt.date(2025, 1, 10), owner_unit=org.catp, code_prefix="KH6")
    target = services.target_create(
        actor=people.staff, document=document, name="Tuổi trung bình phương tiện",
        measure_unit="năm", direction="lower", baseline_value=Decimal(8),
        baseline_date=dt.date(2025, 1, 1), target_value=Decimal(5),
        target_date=dt.date(2026, 12, 31), shares=[services.UnitShare(org.pc08, Decimal(5))])
    target_link_survey(actor=people.staff, target=target, form_key="rates",
                       field_key="average_age")
    live = _live(target)
    assert live[(None, dt.date(2026, 4, 30))] == Decimal("6.17")  # (6 + 4 + 8,5) / 3
    assert live[("PC08", dt.date(2026, 4, 30))] == Decimal("5.00")  # (6 + 4) / 2
    # the 2025 campaign's version was stored without "aggregate": summed, as it was
    assert live[("PC08", dt.date(2025, 4, 30))] == Decimal("12.00")


def test_campaigns_before_the_baseline_give_nothing(world: World, people: Any,
                                                    target: Target) -> None:
    target.baseline_date = dt.date(2026, 1, 1)
    target.save(update_fields=["baseline_date"])
    target_link_survey(actor=people.staff, target=target, form_key="fleet",
                       field_key="officers")
    assert {day for _unit, day in _live(target)} == {dt.date(2026, 4, 30)}


def test_bad_links_are_refused(world: World, people: Any, target: Target) -> None:
    with pytest.raises(ValidationError) as error:  # "area" is gone from version 2
        target_link_survey(actor=people.staff, target=target, form_key="fleet",
                           field_key="area")
    assert "survey_field" in error.value.message_dict
    with pytest.raises(ValidationError):
        target_link_survey(actor=people.staff, target=target, form_key="nope",
                           field_key="officers")
    with pytest.raises(ValidationError):  # a choice is not a number
        target_link_survey(actor=people.staff, target=target, form_key="fleet",
                           field_key="rating")
    assert not Measurement.objects.filter(target=target).exists()


def test_unlinking_stops_the_measurements(world: World, people: Any, target: Target) -> None:
    target_link_survey(actor=people.staff, target=target, form_key="fleet",
                       field_key="officers")
    target_link_survey(actor=people.staff, target=target, form_key="", field_key="")
    before = Measurement.objects.count()
    surveys.accept(world.subs["now"]["PC08-D1"], people.staff)
    assert Measurement.objects.count() == before


def test_the_link_page(world: World, people: Any, target: Target, login: Any) -> None:
    url = f"/targets/{target.pk}/survey/"
    staff = login(people.staff)
    page = staff.get(url)
    assert page.status_code == 200 and 'value="fleet:vehicles.quantity"' in page.content.decode()
    response = staff.post(url, {"survey": "fleet:officers"})
    assert response.status_code == 302
    assert Measurement.objects.filter(target=target).count() == 4
    detail = staff.get(f"/targets/{target.pk}/").content.decode()
    assert "officers" in detail and "Khảo sát 2026" in detail
    bad = staff.post(url, {"survey": "fleet:nope"})
    assert bad.status_code == 400
    assert login(people.manager).get(url).status_code == 403
