"""A survey world on the shared organisation (see the root conftest): the vehicles form,
one open campaign of the city police (CATP) asking PC08, its team PC08-D1 and PC06, and
one campaign of another agency. Today is 15/05/2026 (frozen)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from dondoc.api.tests.conftest import _fresh_rate_limits, api  # noqa: F401
from dondoc.surveys import services
from dondoc.surveys.models import Campaign, Submission, SurveyForm

VEHICLES_FILLED = {"vehicles": [
    {"row": "cars", "quantity": "3", "good": "2", "fair": "1", "unusable": "0",
     "average_age": "6,5"},
    {"row": "motorbikes", "quantity": "12", "good": "8", "fair": "3", "unusable": "1"},
    {"row": "boats", "quantity": "0", "good": "0", "fair": "0", "unusable": "0"},
    {"row": "fire_rescue", "quantity": "0", "good": "0", "fair": "0", "unusable": "0"},
    {"row": "specialised", "quantity": "1", "good": "1", "fair": "0", "unusable": "0"},
]}


@dataclass
class Survey:
    form: SurveyForm
    campaign: Campaign
    pc08: Submission
    team: Submission
    pc06: Submission
    other_campaign: Campaign
    other: Submission


@pytest.fixture
def survey(org: Any, people: Any, time_machine: Any,
           django_capture_on_commit_callbacks: Any) -> Survey:
    time_machine.move_to(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    form = SurveyForm.objects.filter(key="vehicles").latest("version")
    campaign = services.campaign_create(
        actor=people.staff, title="Khảo sát phương tiện 2026", form=form,
        reference_date=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 31),
        units=[org.pc08, org.pc08_d1, org.pc06], purpose="Số liệu đầu vào cho đề án")
    with django_capture_on_commit_callbacks(execute=True):  # the units are told
        services.campaign_open(actor=people.staff, campaign=campaign)
    other_campaign = services.campaign_create(
        actor=people.other_staff, title="Khảo sát của tỉnh khác", form=form,
        reference_date=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 31), units=[org.other])
    services.campaign_open(actor=people.other_staff, campaign=other_campaign)
    subs = {s.unit_id: s for s in Submission.objects.all()}
    return Survey(form=form, campaign=campaign, pc08=subs[org.pc08.pk],
                  team=subs[org.pc08_d1.pk], pc06=subs[org.pc06.pk],
                  other_campaign=other_campaign, other=subs[org.other.pk])
