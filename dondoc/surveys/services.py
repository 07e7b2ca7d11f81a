"""Writes of the surveys: forms, campaigns and the submission workflow.

Every step is atomic, permission-checked through ``organization.scoping``, audited in its
transaction, and notifies on commit. The submission workflow:

    draft ──submit──▶ submitted ──accept──▶ accepted
      ▲                  │                     │
      └──── returned ◀───┘ return_ ◀── reopen ─┘   (return_ on an accepted one)

Each step appends a :class:`SubmissionVersion` (the answers, the status, the comment):
nothing is overwritten. ``Submission.lock_version`` grows at each step; a caller passing
the ``lock_version`` it loaded gets :class:`ConflictError` if someone else saved since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import ConflictError
from dondoc.core.files import sha256_of, storage_name, validate_upload
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.services import WorkflowError
from dondoc.surveys import notices
from dondoc.surveys.definition import (
    DefinitionError,
    Problem,
    clean_answers,
    has_errors,
    parse_definition,
)
from dondoc.surveys.models import (
    Campaign,
    CampaignStatus,
    CampaignUnit,
    Source,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
    SurveyAttachment,
    SurveyForm,
)

__all__ = ["ConflictError", "SubmissionProblems", "WorkflowError", "accept", "attach_file",
           "campaign_close", "campaign_create", "campaign_open", "form_import", "return_",
           "save_draft", "submit"]

TITLE_LIMIT = 300
COMMENT_LIMIT = 4000
ATTACHMENT_TYPES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".jpg", ".jpeg", ".png")


class SubmissionProblems(Exception):
    """The answers cannot be submitted: ``problems`` lists why. With
    ``needs_confirmation`` the only problems are warnings the user has not confirmed."""

    def __init__(self, problems: list[Problem], *, needs_confirmation: bool = False) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems
        self.needs_confirmation = needs_confirmation


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# Forms -----------------------------------------------------------------------------------


@transaction.atomic
def form_import(*, actor: Any, data: Any) -> SurveyForm:
    """Store a form definition (checked; ``DefinitionError`` lists every problem).

    A new key keeps the version given in the JSON; an existing key always becomes the
    next version (a stored version is never changed: campaigns may use it)."""
    if not scoping.can_create_campaigns(actor):
        raise PermissionDenied
    defn = parse_definition(data)
    latest = SurveyForm.objects.select_for_update().filter(key=defn.key).aggregate(
        top=Max("version"))["top"]
    stored = defn.to_json()
    if latest is not None:
        stored["version"] = latest + 1
    form = SurveyForm.objects.create(
        key=defn.key, version=stored["version"], title_vi=defn.title("vi")[:TITLE_LIMIT],
        title_en=defn.titles.get("en", "")[:TITLE_LIMIT], definition=stored,
        created_by=_user(actor))
    record(actor=actor, action=Action.CREATE, obj=form,
           changes={"key": [None, form.key], "version": [None, form.version]},
           message="survey form imported")
    return form


# Campaigns -------------------------------------------------------------------------------


def campaign_create(*, actor: Any, title: str, form: SurveyForm, reference_date: dt.date,
                    deadline: dt.date, units: Sequence[Unit], purpose: str = "",
                    owner_unit: Unit | None = None, baseline: Campaign | None = None
                    ) -> Campaign:
    """A draft campaign asking ``units`` (all in the actor's scope) to answer ``form``.

    ``owner_unit`` defaults to the actor's scope root (their agency). Refused with the
    reason on the field: no title, no unit, a unit outside the scope, a deadline before
    the reference date, a baseline with another form key or outside the scope."""
    if not scoping.can_create_campaigns(actor):
        raise PermissionDenied
    owner = owner_unit or scoping.scope_root(actor) or getattr(actor, "unit", None)
    errors: dict[str, str] = {}
    if owner is None or not scoping.units_visible_to(actor).filter(pk=owner.pk).exists():
        errors["owner_unit"] = _("Choose a managing unit in your scope.")
    if not title.strip():
        errors["title"] = _("Give the campaign a title.")
    elif len(title.strip()) > TITLE_LIMIT:
        errors["title"] = _("At most %(n)d characters.") % {"n": TITLE_LIMIT}
    if deadline < reference_date:
        errors["deadline"] = _("The deadline cannot be before the reference date.")
    unit_ids = {unit.pk for unit in units}
    if not unit_ids:
        errors["units"] = _("Choose at least one responding unit.")
    elif scoping.units_visible_to(actor).filter(pk__in=unit_ids).count() != len(unit_ids):
        errors["units"] = _("Every responding unit must be in your scope.")
    if baseline is not None:
        if baseline.form.key != form.key:
            errors["baseline"] = _("The baseline campaign must use the same form.")
        elif not scoping.campaigns_visible_to(actor).filter(pk=baseline.pk).exists():
            errors["baseline"] = _("Choose a baseline campaign you can see.")
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title.strip(), purpose=purpose.strip(), form=form,
            reference_date=reference_date, deadline=deadline, owner_unit=owner,
            baseline=baseline, created_by=_user(actor))
        CampaignUnit.objects.bulk_create(
            [CampaignUnit(campaign=campaign, unit_id=pk) for pk in sorted(unit_ids)])
        record(actor=actor, action=Action.CREATE, obj=campaign, unit_id=owner.pk,
               changes={"title": [None, campaign.title], "form": [None, str(form)],
                        "units": [None, sorted(unit_ids)],
                        "deadline": [None, deadline.isoformat()]})
    return campaign


def _manageable(actor: Any, campaign: Campaign) -> Campaign:
    if not scoping.campaigns_manageable_by(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_open(*, actor: Any, campaign: Campaign, at: dt.datetime | None = None
                  ) -> Campaign:
    """Open a draft campaign: one draft submission per responding unit, each unit told."""
    campaign = _manageable(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise WorkflowError(_("Only a draft campaign can be opened."))
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = _now(at)
    campaign.save(update_fields=["status", "opened_at"])
    existing = set(Submission.objects.filter(campaign=campaign).values_list("unit_id",
                                                                            flat=True))
    Submission.objects.bulk_create(
        [Submission(campaign=campaign, unit_id=unit_id) for unit_id in
         CampaignUnit.objects.filter(campaign=campaign).values_list("unit_id", flat=True)
         if unit_id not in existing])
    record(actor=actor, action=Action.UPDATE, obj=campaign, unit_id=campaign.owner_unit_id,
           changes={"status": [CampaignStatus.DRAFT, CampaignStatus.OPEN]})
    notices.campaign_opened(
        Submission.objects.filter(campaign=campaign).values_list("pk", flat=True), actor)
    return campaign


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign, at: dt.datetime | None = None
                   ) -> Campaign:
    """Close an open campaign: no more drafts or submissions; reviews may go on."""
    campaign = _manageable(actor, campaign)
    if campaign.status != CampaignStatus.OPEN:
        raise WorkflowError(_("Only an open campaign can be closed."))
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = _now(at)
    campaign.save(update_fields=["status", "closed_at"])
    record(actor=actor, action=Action.UPDATE, obj=campaign, unit_id=campaign.owner_unit_id,
           changes={"status": [CampaignStatus.OPEN, CampaignStatus.CLOSED]})
    return campaign


# Submissions -----------------------------------------------------------------------------


def _locked(submission: Submission, queryset: Any, lock_version: int | None) -> Submission:
    """The submission row locked for the step, if ``queryset`` (the actor's right) holds
    it; ConflictError when ``lock_version`` is stale."""
    if not queryset.filter(pk=submission.pk).exists():
        raise PermissionDenied
    found = Submission.objects.select_for_update(of=("self",)).select_related(
        "campaign__form", "current", "unit").get(pk=submission.pk)
    if lock_version is not None and lock_version != found.lock_version:
        raise ConflictError
    return found


def _append(submission: Submission, *, answers: Mapping[str, Any], status: str, actor: Any,
            source: str, note: str = "", at: dt.datetime | None = None) -> SubmissionVersion:
    number = (submission.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = SubmissionVersion.objects.create(
        submission=submission, number=number, answers=dict(answers), status=status,
        note=note, source=source, created_by=_user(actor), created_at=_now(at))
    submission.current = version
    submission.status = status
    submission.lock_version += 1
    return version


def _save(submission: Submission, fields: Iterable[str]) -> None:
    submission.save(update_fields=["current", "status", "lock_version", "updated_at",
                                   *fields])


def _check_open(submission: Submission) -> None:
    if submission.campaign.status != CampaignStatus.OPEN:
        raise WorkflowError(_("This campaign is not open: answers can no longer be changed."))


@transaction.atomic
def save_draft(submission: Submission, raw_or_answers: Mapping[str, Any], user: Any,
               source: str = Source.BROWSER, *, lock_version: int | None = None,
               note: str = "", at: dt.datetime | None = None
               ) -> tuple[SubmissionVersion | None, list[Problem]]:
    """Save the answers as a new draft version; the problems found (partial check).

    Values that cannot be read (text in a number, a date out of range, a choice that does
    not exist...) block the save: nothing is stored and ``(None, problems)`` returned.
    Cross-field rules and missing answers do not block a draft: they block submitting."""
    submission = _locked(submission, scoping.submissions_editable_by(user), lock_version)
    _check_open(submission)
    if not submission.editable:
        raise WorkflowError(_("This answer was submitted; it can be changed again only if "
                              "it is returned."))
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    answers, problems = clean_answers(submission.campaign.form.parsed, raw_or_answers,
                                      partial=True)
    if any(p.severity == "error" and not p.code.startswith("rule:") for p in problems):
        return None, problems
    _check_attachments(submission, answers)
    status = submission.status if submission.status == SubmissionStatus.RETURNED \
        else SubmissionStatus.DRAFT
    before = submission.current.number if submission.current else None
    version = _append(submission, answers=answers, status=status, actor=user, source=source,
                      note=note.strip()[:COMMENT_LIMIT], at=at)
    _save(submission, [])
    record(actor=user, action=Action.UPDATE, obj=submission, unit_id=submission.unit_id,
           changes={"version": [before, version.number], "source": [None, source],
                    "answers": [None, len(answers)]},
           message="survey draft saved")
    return version, problems


def _check_attachments(submission: Submission, answers: Mapping[str, Any]) -> None:
    """A file answer must name a file uploaded to this very submission."""
    defn = submission.campaign.form.parsed
    wanted = {answers[f.key]["attachment"]: f.key for f in defn.fields
              if f.type == "file" and isinstance(answers.get(f.key), Mapping)}
    if not wanted:
        return
    found = set(SurveyAttachment.objects.filter(submission=submission,
                                                pk__in=list(wanted)).values_list("pk",
                                                                                 flat=True))
    missing = sorted(key for pk, key in wanted.items() if pk not in found)
    if missing:
        raise ValidationError({key: _("This file is not attached to this answer.")
                               for key in missing})


@transaction.atomic
def attach_file(submission: Submission, user: Any, field_key: str, upload: UploadedFile
                ) -> SurveyAttachment:
    """Store a file for a file field; the answers then reference it by id."""
    submission = _locked(submission, scoping.submissions_editable_by(user), None)
    _check_open(submission)
    if not submission.editable:
        raise WorkflowError(_("This answer was submitted; it can be changed again only if "
                              "it is returned."))
    defn = submission.campaign.form.parsed
    if not defn.has_field(field_key) or defn.field(field_key).type != "file":
        raise ValidationError({field_key: _("This field does not take a file.")})
    validate_upload(upload, allowed=ATTACHMENT_TYPES)
    item = SurveyAttachment(submission=submission, field_key=field_key,
                            original_name=(upload.name or "")[:255], size=upload.size or 0,
                            sha256=sha256_of(upload), uploaded_by=_user(user))
    item.file.save(storage_name("surveys", upload.name or ""), upload, save=False)
    item.save()
    record(actor=user, action=Action.CREATE, obj=item, unit_id=submission.unit_id,
           changes={"submission": [None, submission.pk], "field": [None, field_key],
                    "sha256": [None, item.sha256]})
    return item


@transaction.atomic
def submit(submission: Submission, user: Any, *, lock_version: int | None = None,
           confirm_warnings: bool = False, at: dt.datetime | None = None) -> Submission:
    """Submit the current answers (full check). Errors refuse it
    (:class:`SubmissionProblems`); warnings refuse it unless ``confirm_warnings``."""
    submission = _locked(submission, scoping.submissions_submittable_by(user), lock_version)
    _check_open(submission)
    if not submission.editable:
        raise WorkflowError(_("This answer was already submitted."))
    if submission.current is None:
        raise WorkflowError(_("Save the answers before submitting them."))
    answers, problems = clean_answers(submission.campaign.form.parsed,
                                      submission.current.answers, partial=False)
    if has_errors(problems):
        raise SubmissionProblems(problems)
    if problems and not confirm_warnings:
        raise SubmissionProblems(problems, needs_confirmation=True)
    before = submission.status
    _append(submission, answers=answers, status=SubmissionStatus.SUBMITTED, actor=user,
            source=submission.current.source,
            note=_("Warnings confirmed by the submitter.") if problems else "", at=at)
    submission.submitted_at = _now(at)
    submission.first_submitted_at = submission.first_submitted_at or submission.submitted_at
    submission.submitted_by = _user(user)
    _save(submission, ["submitted_at", "first_submitted_at", "submitted_by"])
    record(actor=user, action=Action.UPDATE, obj=submission, unit_id=submission.unit_id,
           changes={"status": [before, SubmissionStatus.SUBMITTED],
                    "version": [None, submission.current.number if submission.current
                                else None],
                    "warnings": [None, len(problems)]})
    notices.submitted(submission, user)
    return submission


@transaction.atomic
def accept(submission: Submission, user: Any, *, note: str = "",
           lock_version: int | None = None, at: dt.datetime | None = None) -> Submission:
    """Accept a submitted answer: from then on it is read-only (staff may reopen it)."""
    submission = _locked(submission, scoping.submissions_reviewable_by(user), lock_version)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise WorkflowError(_("Only a submitted answer can be accepted."))
    assert submission.current is not None
    _append(submission, answers=submission.current.answers, status=SubmissionStatus.ACCEPTED,
            actor=user, source=submission.current.source, note=note.strip()[:COMMENT_LIMIT],
            at=at)
    submission.decided_at = _now(at)
    submission.decided_by = _user(user)
    _save(submission, ["decided_at", "decided_by"])
    record(actor=user, action=Action.UPDATE, obj=submission, unit_id=submission.unit_id,
           changes={"status": [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]})
    # Targets measured from this form record the accepted figures (issue 13).
    from dondoc.targets.from_surveys import measurements_from_accepted

    measurements_from_accepted(actor=user, submission=submission)
    notices.decided(submission, notices.SURVEY_ACCEPTED, user)
    return submission


@transaction.atomic
def return_(submission: Submission, user: Any, comment: str, *,
            lock_version: int | None = None, at: dt.datetime | None = None) -> Submission:
    """Return a submitted answer to its unit with a comment, or reopen an accepted one
    (the accepted version stays in the history). The campaign must be open."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the answer is returned.")})
    if len(comment) > COMMENT_LIMIT:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": COMMENT_LIMIT}})
    submission = _locked(submission, scoping.submissions_reviewable_by(user), lock_version)
    if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
        raise WorkflowError(_("Only a submitted or accepted answer can be returned."))
    _check_open(submission)
    assert submission.current is not None
    before = submission.status
    _append(submission, answers=submission.current.answers, status=SubmissionStatus.RETURNED,
            actor=user, source=submission.current.source, note=comment, at=at)
    submission.decided_at = _now(at)
    submission.decided_by = _user(user)
    _save(submission, ["decided_at", "decided_by"])
    record(actor=user, action=Action.UPDATE, obj=submission, unit_id=submission.unit_id,
           changes={"status": [before, SubmissionStatus.RETURNED], "comment": [None, comment]})
    notices.decided(submission, notices.SURVEY_RETURNED, user, comment)
    return submission


def definition_problems(data: Any) -> list[str]:
    """Every problem of a form definition (empty when it is valid)."""
    try:
        parse_definition(data)
    except DefinitionError as exc:
        return exc.problems
    return []
