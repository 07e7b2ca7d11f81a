"""Reads of the surveys for pages and the API: always through ``organization.scoping``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dondoc.organization import scoping
from dondoc.surveys.models import (
    Campaign,
    CampaignStatus,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
    SurveyForm,
)

# What the campaign page shows for each unit: the status, or "not started" for a draft
# nobody has saved yet.
NOT_STARTED = "not_started"
STATE_LABELS = {
    NOT_STARTED: _("Not started"),
    SubmissionStatus.DRAFT: _("Draft"),
    SubmissionStatus.SUBMITTED: _("Submitted"),
    SubmissionStatus.RETURNED: _("Returned"),
    SubmissionStatus.ACCEPTED: _("Accepted"),
}
STATE_BADGES = {
    NOT_STARTED: "text-bg-secondary", SubmissionStatus.DRAFT: "text-bg-info",
    SubmissionStatus.SUBMITTED: "text-bg-primary", SubmissionStatus.RETURNED: "text-bg-warning",
    SubmissionStatus.ACCEPTED: "text-bg-success",
}
STATE_ICONS = {
    NOT_STARTED: "circle", SubmissionStatus.DRAFT: "pencil",
    SubmissionStatus.SUBMITTED: "send", SubmissionStatus.RETURNED: "arrow-return-left",
    SubmissionStatus.ACCEPTED: "check-circle",
}
STATES = [NOT_STARTED, *SubmissionStatus.values]


def state_of(submission: Submission) -> str:
    if submission.status == SubmissionStatus.DRAFT and submission.current_id is None:
        return NOT_STARTED
    return str(submission.status)


def campaign_list(*, user: Any, status: str | None = None) -> QuerySet[Campaign]:
    """Campaigns the user sees, with the number of units in each state (one query)."""
    campaigns = scoping.campaigns_visible_to(user).select_related("form", "owner_unit")
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    return campaigns.annotate(
        unit_count=Count("campaign_units", distinct=True),
        submitted_count=Count("submissions", distinct=True, filter=Q(
            submissions__status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED])),
        accepted_count=Count("submissions", distinct=True,
                             filter=Q(submissions__status=SubmissionStatus.ACCEPTED)),
    ).order_by("-reference_date", "-id")


def own_submissions(*, user: Any, campaign_ids: list[int]) -> dict[int, Submission]:
    """The user's own unit's submission in each campaign (for the "answer" links)."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return {}
    return {s.campaign_id: s for s in scoping.submissions_visible_to(user).filter(
        campaign_id__in=campaign_ids, unit_id=unit_id)}


@dataclass
class UnitRow:
    submission: Submission
    state: str
    late: bool

    @property
    def label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.state]

    @property
    def icon(self) -> str:
        return STATE_ICONS[self.state]


def campaign_rows(*, user: Any, campaign: Campaign, state: str | None = None,
                  late: bool = False, today: dt.date | None = None) -> list[UnitRow]:
    """The responding units the user sees, each with its state and lateness."""
    day = today or timezone.localdate()
    submissions = (scoping.submissions_visible_to(user).filter(campaign=campaign)
                   .select_related("unit", "current__created_by", "campaign")
                   .order_by("unit__path"))
    rows = [UnitRow(s, state_of(s), s.is_late(day))
            for s in submissions]
    if state in STATES:
        rows = [row for row in rows if row.state == state]
    if late:
        rows = [row for row in rows if row.late]
    return rows


def state_counts(rows: list[UnitRow]) -> list[tuple[str, Any, int]]:
    counts = {key: 0 for key in STATES}
    for row in rows:
        counts[row.state] += 1
    return [(key, STATE_LABELS[key], counts[key]) for key in STATES]


def submission_page(*, user: Any, pk: Any) -> Submission:
    """The submission for its page (404 outside the user's scope)."""
    return scoping.get_visible_or_404(
        scoping.submissions_visible_to(user).select_related(
            "campaign__form", "campaign__owner_unit", "unit", "current__created_by",
            "submitted_by", "decided_by"), pk=pk)


def history(submission: Submission) -> list[SubmissionVersion]:
    return list(submission.versions.select_related("created_by").order_by("-number"))


def forms_list(*, user: Any) -> QuerySet[SurveyForm]:
    return scoping.survey_forms_visible_to(user).select_related("created_by").annotate(
        campaign_count=Count("campaigns")).order_by("key", "-version")
