"""Surveys in the JSON API (``/api/v1/surveys/...``): campaigns, submissions with the
answers of their current version, and saving a draft — same scoping and services as the
pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, person, responses, unit_ref, user
from dondoc.api.errors import ApiError
from dondoc.api.schemas import Body, ObjectId, QueryId
from dondoc.organization import scoping
from dondoc.surveys import selectors, services
from dondoc.surveys.definition import Problem
from dondoc.surveys.models import (
    Campaign,
    CampaignStatus,
    Source,
    Submission,
    SubmissionStatus,
)

router = Router(tags=["surveys"])


class CampaignQuery(PageQuery):
    status: CampaignStatus | None = Field(None, description="draft, open or closed.")


class CampaignOut(Schema):
    id: int
    title: str
    purpose: str
    form: dict[str, Any] = Field(description="key, version and title of the form version.")
    reference_date: dt.date
    deadline: dt.date
    owner_unit: dict[str, Any]
    status: CampaignStatus
    baseline: int | None
    units: int = Field(description="Number of responding units.")
    submitted: int = Field(description="Units that submitted (accepted included).")
    accepted: int
    definition: dict[str, Any] | None = Field(None, description="The form definition (JSON), "
                                                                "in the detail only.")


class CampaignPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CampaignOut]


class SubmissionQuery(PageQuery):
    campaign: QueryId | None = Field(None, description="Submissions of this campaign.")
    unit: QueryId | None = Field(None, description="Submissions of this unit.")
    status: SubmissionStatus | None = Field(None, description=(
        "draft, submitted, returned or accepted."))


class SubmissionOut(Schema):
    id: int
    campaign: int
    unit: dict[str, Any]
    status: SubmissionStatus
    lock_version: int = Field(description="Send it back when saving, to detect a conflict.")
    version: int | None = Field(description="Number of the current version.")
    answers: dict[str, Any] | None = Field(None, description=(
        "The answers of the current version (in the detail only), as described in "
        "docs/surveys.md."))
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    saved_by: str
    saved_at: dt.datetime | None


class SubmissionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SubmissionOut]


class ProblemOut(Schema):
    path: str = Field(description="field, table[row] or table[row].column (rows from 0).")
    field: str
    row: int | None
    column: str | None
    severity: str
    code: str
    message: str


class DraftIn(Body):
    answers: dict[str, Any] = Field(description=(
        "The answers by field key; numbers as numbers or text, decimals as text, dates as "
        "YYYY-MM-DD, table rows as lists of objects (fixed rows carry \"row\")."))
    lock_version: int | None = Field(None, ge=0, description=(
        "The lock_version you read; a newer one on the server answers 412."))


class DraftOut(Schema):
    submission: SubmissionOut
    problems: list[ProblemOut] = Field(description=(
        "Messages that did not stop the draft (cross-field checks, warnings)."))


def present_campaign(campaign: Campaign, *, detail: bool = False) -> dict[str, Any]:
    return {"id": campaign.pk, "title": campaign.title, "purpose": campaign.purpose,
            "form": {"id": campaign.form_id, "key": campaign.form.key,
                     "version": campaign.form.version, "title": campaign.form.title()},
            "reference_date": campaign.reference_date, "deadline": campaign.deadline,
            "owner_unit": unit_ref(campaign.owner_unit), "status": campaign.status,
            "baseline": campaign.baseline_id,
            "units": getattr(campaign, "unit_count", 0),
            "submitted": getattr(campaign, "submitted_count", 0),
            "accepted": getattr(campaign, "accepted_count", 0),
            "definition": campaign.form.definition if detail else None}


def present_submission(submission: Submission, *, detail: bool = False) -> dict[str, Any]:
    current = submission.current
    return {"id": submission.pk, "campaign": submission.campaign_id,
            "unit": unit_ref(submission.unit), "status": submission.status,
            "lock_version": submission.lock_version,
            "version": current.number if current else None,
            "answers": (current.answers if current else {}) if detail else None,
            "submitted_at": submission.submitted_at, "decided_at": submission.decided_at,
            "saved_by": person(current.created_by) if current else "",
            "saved_at": current.created_at if current else None}


def _submissions(caller: Any) -> Any:
    return scoping.submissions_visible_to(caller).select_related(
        "unit", "current__created_by").order_by("campaign_id", "unit__path")


@router.get("/surveys/campaigns", response=responses({200: CampaignPage}),
            summary="List survey campaigns")
def campaign_list(request: HttpRequest, query: Query[CampaignQuery]) -> dict[str, Any]:
    """The campaigns you may see (those your scope manages, and the open or closed ones
    asking a unit of your scope), newest reference date first."""
    campaigns = selectors.campaign_list(user=user(request), status=query.status)
    return paginate(campaigns, query, lambda page: [present_campaign(c) for c in page])


@router.get("/surveys/campaigns/{campaign_id}", response=responses({200: CampaignOut}),
            summary="One survey campaign")
def campaign_detail(request: HttpRequest, campaign_id: ObjectId) -> dict[str, Any]:
    """The campaign with its form definition."""
    campaign = scoping.get_visible_or_404(selectors.campaign_list(user=user(request)),
                                          pk=campaign_id)
    return present_campaign(campaign, detail=True)


@router.get("/surveys/submissions", response=responses({200: SubmissionPage}),
            summary="List survey submissions")
def submission_list(request: HttpRequest, query: Query[SubmissionQuery]) -> dict[str, Any]:
    """The submissions you may see: your unit's and its sub-units', or every one of the
    campaigns your scope manages."""
    submissions = _submissions(user(request))
    if query.campaign is not None:
        submissions = submissions.filter(campaign_id=query.campaign)
    if query.unit is not None:
        submissions = submissions.filter(unit_id=query.unit)
    if query.status is not None:
        submissions = submissions.filter(status=query.status)
    return paginate(submissions, query, lambda page: [present_submission(s) for s in page])


@router.get("/surveys/submissions/{submission_id}", response=responses({200: SubmissionOut}),
            summary="One survey submission")
def submission_detail(request: HttpRequest, submission_id: ObjectId) -> dict[str, Any]:
    """The submission with the answers of its current version."""
    submission = scoping.get_visible_or_404(_submissions(user(request)), pk=submission_id)
    return present_submission(submission, detail=True)


def _problem_out(problem: Problem) -> dict[str, Any]:
    return {"path": problem.path, "field": problem.field, "row": problem.row,
            "column": problem.column, "severity": problem.severity, "code": problem.code,
            "message": problem.message}


@router.put("/surveys/submissions/{submission_id}/draft",
            response=responses({200: DraftOut}, 412), summary="Save a draft of the answers")
def draft_save(request: HttpRequest, submission_id: ObjectId, payload: DraftIn
               ) -> dict[str, Any]:
    """Save the answers as a new draft version (officers and managers of the unit, while
    the campaign is open and the answer is a draft or returned). Values that cannot be
    read answer 422 with ``errors`` keyed by path (``vehicles[1].quantity``) and save
    nothing; cross-field checks come back in ``problems`` and block only submitting."""
    caller = user(request)
    submission = scoping.get_visible_or_404(_submissions(caller), pk=submission_id)
    version, problems = services.save_draft(submission, payload.answers, caller, Source.API,
                                            lock_version=payload.lock_version)
    if version is None:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            if problem.severity == "error":
                errors.setdefault(problem.path or "answers", []).append(problem.message)
        raise ApiError(422, "invalid", _("Some answers are not valid; nothing was saved."),
                       errors)
    fresh = _submissions(caller).get(pk=submission.pk)
    return {"submission": present_submission(fresh, detail=True),
            "problems": [_problem_out(p) for p in problems]}



