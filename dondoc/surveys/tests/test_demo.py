"""The demo surveys: a closed 2025 baseline, all accepted, and an open 2026 campaign with a
mix of statuses compared with it; loaded once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from dondoc.organization.models import User
from dondoc.surveys.consolidation import consolidate
from dondoc.surveys.definition import clean_answers, has_errors
from dondoc.surveys.models import Campaign, Submission, SubmissionVersion

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_baseline_and_an_open_vehicles_survey_and_loads_once() -> None:
    call_command("demo", stdout=io.StringIO())
    baseline = Campaign.objects.get(title="Khảo sát phương tiện năm 2025")
    current = Campaign.objects.get(title="Khảo sát phương tiện năm 2026")
    assert (baseline.status, current.status) == ("closed", "open")
    assert current.baseline == baseline and baseline.form.key == "vehicles"
    units = baseline.campaign_units.count()
    assert units >= 10
    assert set(Submission.objects.filter(campaign=baseline).values_list(
        "status", flat=True)) == {"accepted"}
    statuses = set(Submission.objects.filter(campaign=current).values_list("status",
                                                                            flat=True))
    assert statuses == {"accepted", "submitted", "returned", "draft"}
    assert Submission.objects.filter(campaign=current, current__isnull=True).exists()
    form = baseline.form.parsed
    for submission in Submission.objects.filter(campaign=baseline).select_related("current"):
        _answers, problems = clean_answers(form, submission.answers, partial=False)
        assert not has_errors(problems), (submission.unit_id, problems)
    # The average age is averaged up the tree (the form's version 2), not added up.
    staff = User.objects.get(username="thammuu")
    age = consolidate(user=staff, campaign=current, key="vehicles.motorbikes.average_age",
                      include_submitted=True, today=dt.date(2026, 11, 29))
    assert age.item is not None and age.item.aggregate == "average"
    assert age.total is not None and age.total.with_value >= 5
    assert age.total.figure is not None and 3 <= age.total.figure <= 9
    versions = SubmissionVersion.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert SubmissionVersion.objects.count() == versions
