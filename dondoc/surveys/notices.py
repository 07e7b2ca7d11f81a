"""Who is told of survey events, through the notification centre.

- a campaign **opened**: each responding unit (its managers, else its officers), linked
  to the unit's submission;
- a submission **submitted**: the staff who may accept or return it;
- a submission **returned** or **accepted**: the unit and the person who submitted it;
- **survey due** (reminders, in the daily digest): units that have not submitted 7, 3
  and 1 days before the deadline and on the day, then weekly once it has passed, and a
  returned submission every 3 days. The notification's unique key (kind, object, day)
  makes the pass idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dondoc.notifications import kinds as registry
from dondoc.notifications.services import after_commit, notify
from dondoc.organization.models import Role, Unit, User
from dondoc.surveys.models import CampaignStatus, Submission, SubmissionStatus

SURVEY_OPENED = "survey_opened"
SURVEY_SUBMITTED = "survey_submitted"
SURVEY_RETURNED = "survey_returned"
SURVEY_ACCEPTED = "survey_accepted"
SURVEY_DUE = "survey_due"
DUE_DAYS_BEFORE = (7, 3, 1, 0)
LATE_EVERY_DAYS = 7
RETURNED_EVERY_DAYS = 3

_KINDS = [
    registry.Kind(SURVEY_OPENED, _("Survey opened"),
                  _("%(unit)s is asked to answer the survey %(campaign)s by %(day)s"),
                  icon="ui-checks"),
    registry.Kind(SURVEY_SUBMITTED, _("Survey answer submitted"),
                  _("%(unit)s submitted its answer to %(campaign)s"),
                  icon="file-earmark-arrow-up"),
    registry.Kind(SURVEY_RETURNED, _("Survey answer returned"),
                  _("The answer of %(unit)s to %(campaign)s was returned: %(reason)s"),
                  icon="arrow-return-left"),
    registry.Kind(SURVEY_ACCEPTED, _("Survey answer accepted"),
                  _("The answer of %(unit)s to %(campaign)s was accepted"),
                  icon="check-circle"),
    registry.Kind(SURVEY_DUE, _("Survey due"),
                  _("The answer of %(unit)s to %(campaign)s is due on %(day)s"),
                  icon="ui-checks", category=registry.Category.REMINDER),
]


def _params(submission: Submission, reason: str = "") -> dict[str, Any]:
    return {"unit": submission.unit.label, "campaign": submission.campaign.title[:200],
            "day": submission.campaign.deadline.strftime("%d/%m/%Y"), "reason": reason[:200]}


def _fresh(submission_id: int) -> Submission:
    return Submission.objects.select_related("unit", "campaign__owner_unit",
                                             "submitted_by").get(pk=submission_id)


def reviewers(submission: Submission) -> list[User]:
    """Staff who may accept or return the submission."""
    from dondoc.organization import scoping

    unit = submission.campaign.owner_unit
    step = Unit.steplen
    ancestors = [unit.path[: step * depth] for depth in range(1, len(unit.path) // step + 1)]
    root = (Unit.objects.filter(path__in=ancestors, is_scope_root=True).order_by("-depth")
            .values_list("path", flat=True).first()) or unit.path
    candidates = User.objects.filter(role=Role.STAFF, is_active=True,
                                     unit__path__startswith=root).select_related("unit")
    return [user for user in candidates
            if scoping.submissions_reviewable_by(user).filter(pk=submission.pk).exists()]


def campaign_opened(submission_ids: Iterable[int], actor: Any) -> None:
    ids = list(submission_ids)

    def work() -> None:
        for submission in Submission.objects.filter(pk__in=ids).select_related(
                "unit", "campaign"):
            notify([submission.unit], SURVEY_OPENED, submission, _params(submission),
                   actor=actor, key=f"{SURVEY_OPENED}:{submission.campaign_id}")
    after_commit(work)


def submitted(submission: Submission, actor: Any) -> None:
    pk, lock = submission.pk, submission.lock_version

    def work() -> None:
        fresh = _fresh(pk)
        notify(reviewers(fresh), SURVEY_SUBMITTED, fresh, _params(fresh), actor=actor,
               key=f"{SURVEY_SUBMITTED}:{lock}")
    after_commit(work)


def decided(submission: Submission, kind: str, actor: Any, reason: str = "") -> None:
    pk, lock = submission.pk, submission.lock_version

    def work() -> None:
        fresh = _fresh(pk)
        recipients: list[Any] = [fresh.unit]
        if fresh.submitted_by is not None:
            recipients.append(fresh.submitted_by)
        notify(recipients, kind, fresh, _params(fresh, reason), actor=actor,
               key=f"{kind}:{lock}")
    after_commit(work)


def _reminded_on(submission: Submission, day: dt.date) -> bool:
    from dondoc.notifications import reminders

    days_left = (submission.campaign.deadline - day).days
    if submission.status == SubmissionStatus.RETURNED:
        returned = submission.decided_at.date() if submission.decided_at else day
        return (day - returned).days % RETURNED_EVERY_DAYS == 0 and (day - returned).days > 0
    return reminders.deadline_reminder_day(days_left, before=DUE_DAYS_BEFORE,
                                           late_every=LATE_EVERY_DAYS)


def survey_due_source(day: dt.date) -> list[Any]:
    """The reminder pass's source of "survey due" notices (see the module docstring).

    It writes them itself and returns no task reminders."""
    waiting = Submission.objects.filter(
        campaign__status=CampaignStatus.OPEN,
        status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]).select_related(
            "unit", "campaign")
    for submission in waiting:
        if not _reminded_on(submission, day):
            continue
        notify([submission.unit], SURVEY_DUE, submission, _params(submission), key_date=day,
               key=f"{SURVEY_DUE}:{submission.pk}")
    return []


def connect() -> None:
    """Register the objects and kinds and the survey-due source."""
    from dondoc.notifications import reminders
    from dondoc.organization import scoping

    for kind in _KINDS:
        registry.KINDS.setdefault(kind.name, kind)
    registry.register_object(
        "surveys.submission", url=lambda pk: reverse("survey_submission", args=[pk]),
        visible=lambda user: scoping.submissions_visible_to(user))
    registry.register_object(
        "surveys.campaign", url=lambda pk: reverse("survey_campaign", args=[pk]),
        visible=lambda user: scoping.campaigns_visible_to(user))
    reminders.add_source(survey_due_source)
