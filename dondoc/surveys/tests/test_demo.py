"""The demo surveys: a closed 2025 baseline, all accepted, and an open 2026 campaign with a
mix of statuses compared with it; loaded once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

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
    versions = SubmissionVersion.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert SubmissionVersion.objects.count() == versions
