"""The survey workflow through the services: who may do what, history kept, conflicts."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dondoc.audit.models import AuditEvent
from dondoc.core.concurrency import ConflictError
from dondoc.notifications.models import Notification
from dondoc.organization import scoping
from dondoc.surveys import services
from dondoc.surveys.builtin_forms import BUILTIN_FORMS, ensure_builtin_forms
from dondoc.surveys.definition import DefinitionError
from dondoc.surveys.models import (
    Campaign,
    CampaignStatus,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
    SurveyForm,
)
from dondoc.surveys.services import SubmissionProblems, WorkflowError
from dondoc.surveys.tests.conftest import VEHICLES_FILLED, Survey


def fresh(submission: Submission) -> Submission:
    return Submission.objects.select_related("current", "campaign__form").get(pk=submission.pk)


def fill_and_submit(survey: Survey, people: Any, raw: dict[str, Any] | None = None
                    ) -> Submission:
    version, problems = services.save_draft(survey.pc08, raw or VEHICLES_FILLED,
                                            people.officer)
    assert version is not None, problems
    return services.submit(fresh(survey.pc08), people.manager)


# --- built-in forms ---------------------------------------------------------------------------

def test_the_five_builtin_forms_are_installed_once(db: None) -> None:
    keys = set(SurveyForm.objects.filter(builtin=True).values_list("key", flat=True))
    assert keys == {"organisation", "staff_qualifications", "land_headquarters", "equipment",
                    "vehicles"}
    assert ensure_builtin_forms() == 0
    assert SurveyForm.objects.count() == 5
    SurveyForm.objects.filter(key="vehicles").delete()
    assert ensure_builtin_forms() == 1
    assert SurveyForm.objects.get(key="vehicles").title("en") == "Vehicles"


@pytest.mark.parametrize("data", BUILTIN_FORMS, ids=lambda d: d["key"])
def test_builtin_forms_have_both_languages_everywhere(data: dict[str, Any]) -> None:
    form = SurveyForm(definition=data).parsed
    for f in form.fields:
        assert f.label("vi") and f.labels.get("en"), f.key
        for column in f.columns:
            assert column.labels.get("vi") and column.labels.get("en"), column.key
    for rule in form.rules:
        assert rule.messages.get("vi") and rule.messages.get("en"), rule.key


def test_builtin_staff_form_rules(db: None) -> None:
    form = SurveyForm.objects.get(key="staff_qualifications").parsed
    from dondoc.surveys.definition import clean_answers

    raw = {"total": 10, "women": 11, "age_bands": [{"row": "under_30", "people": 4},
                                                   {"row": "from_50", "people": 5}],
           "education": [{"row": "university", "people": 12}]}
    with translation.override("en"):
        _answers, problems = clean_answers(form, raw, partial=True)
    codes = {p.code for p in problems}
    assert codes == {"rule:women_le_total", "rule:age_sum", "rule:education_sum"}


# --- forms ------------------------------------------------------------------------------------

def test_importing_an_existing_key_makes_a_new_version(db: None, people: Any) -> None:
    data = copy.deepcopy(SurveyForm.objects.get(key="vehicles").definition)
    data["title"]["vi"] = "Phương tiện (sửa đổi)"
    form = services.form_import(actor=people.staff, data=data)
    assert (form.key, form.version, form.definition["version"]) == ("vehicles", 3, 3)
    assert SurveyForm.objects.get(key="vehicles", version=2).title("vi") == "Phương tiện"
    assert AuditEvent.objects.filter(object_type="surveys.surveyform",
                                     object_id=str(form.pk)).exists()


def test_a_bad_form_lists_every_problem_and_saves_nothing(db: None, people: Any) -> None:
    data = copy.deepcopy(SurveyForm.objects.get(key="vehicles").definition)
    data["key"] = "vehicles_b"
    data["sections"][0]["fields"][0]["columns"][0]["type"] = "number"
    data["rules"][0]["expr"] = "__import__('os')"
    with pytest.raises(DefinitionError) as info:
        services.form_import(actor=people.staff, data=data)
    assert len(info.value.problems) == 2
    assert not SurveyForm.objects.filter(key="vehicles_b").exists()


def test_only_staff_import_forms(db: None, people: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.form_import(actor=people.manager, data=BUILTIN_FORMS[0])


# --- campaigns --------------------------------------------------------------------------------

def test_opening_a_campaign_creates_a_draft_per_unit_and_tells_them(survey: Survey,
                                                                    people: Any) -> None:
    assert survey.campaign.campaign_units.count() == 3
    assert Submission.objects.filter(campaign=survey.campaign).count() == 3
    assert {s.status for s in Submission.objects.filter(campaign=survey.campaign)} == {
        SubmissionStatus.DRAFT}
    told = Notification.objects.filter(kind="survey_opened", recipient=people.manager)
    assert told.count() == 1 and told.get().object_id == survey.pc08.pk
    with pytest.raises(WorkflowError):
        services.campaign_open(actor=people.staff, campaign=survey.campaign)


def test_campaign_bad_inputs_are_refused_on_their_fields(survey: Survey, people: Any,
                                                         org: Any) -> None:
    other_form = SurveyForm.objects.get(key="equipment")
    with pytest.raises(ValidationError) as info:
        services.campaign_create(
            actor=people.staff, title=" ", form=survey.form,
            reference_date=dt.date(2026, 6, 1), deadline=dt.date(2026, 5, 1),
            units=[org.other])
    assert set(info.value.message_dict) == {"title", "deadline", "units"}
    with pytest.raises(ValidationError) as info:
        services.campaign_create(
            actor=people.staff, title="T", form=other_form, reference_date=dt.date(2026, 6, 1),
            deadline=dt.date(2026, 7, 1), units=[], baseline=survey.campaign)
    assert set(info.value.message_dict) == {"units", "baseline"}
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=people.manager, title="T", form=other_form,
            reference_date=dt.date(2026, 6, 1), deadline=dt.date(2026, 7, 1),
            units=[org.pc08])


def test_a_closed_campaign_takes_no_more_answers(survey: Survey, people: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.campaign_close(actor=people.other_staff, campaign=survey.campaign)
    services.campaign_close(actor=people.staff, campaign=survey.campaign)
    assert Campaign.objects.get(pk=survey.campaign.pk).status == CampaignStatus.CLOSED
    with pytest.raises(WorkflowError):
        services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)


# --- visibility -------------------------------------------------------------------------------

def test_a_unit_sees_its_own_and_its_subtrees_submissions(survey: Survey, people: Any) -> None:
    def seen(user: Any) -> set[int]:
        return set(scoping.submissions_visible_to(user).values_list("pk", flat=True))

    assert seen(people.manager) == {survey.pc08.pk, survey.team.pk}
    assert seen(people.officer) == {survey.pc08.pk, survey.team.pk}
    assert seen(people.team_officer) == {survey.team.pk}
    assert seen(people.outsider) == {survey.pc06.pk}
    assert seen(people.staff) == {survey.pc08.pk, survey.team.pk, survey.pc06.pk}
    assert seen(people.leader) == seen(people.staff) == seen(people.inspector)
    assert seen(people.other_staff) == {survey.other.pk}
    assert seen(people.admin) == {survey.pc08.pk, survey.team.pk, survey.pc06.pk,
                                  survey.other.pk}


def test_draft_campaigns_are_seen_only_by_their_managers(survey: Survey, people: Any,
                                                         org: Any) -> None:
    draft = services.campaign_create(
        actor=people.staff, title="Chưa mở", form=survey.form,
        reference_date=dt.date(2026, 6, 1), deadline=dt.date(2026, 7, 1), units=[org.pc08])
    assert scoping.campaigns_visible_to(people.staff).filter(pk=draft.pk).exists()
    assert not scoping.campaigns_visible_to(people.manager).filter(pk=draft.pk).exists()
    assert scoping.campaigns_visible_to(people.manager).filter(pk=survey.campaign.pk).exists()
    assert not scoping.campaigns_visible_to(people.other_staff).filter(
        pk=survey.campaign.pk).exists()
    assert scoping.can_create_campaigns(people.staff)
    assert not scoping.can_create_campaigns(people.manager)
    assert set(scoping.campaigns_manageable_by(people.staff)) == {survey.campaign, draft}
    assert not scoping.campaigns_manageable_by(people.leader).exists()


@pytest.mark.parametrize(("who", "allowed"), [
    ("officer", True), ("manager", True), ("team_officer", False), ("outsider", False),
    ("viewer", False), ("leader", False), ("other_staff", False),
])
def test_who_drafts_the_pc08_answer(survey: Survey, people: Any, who: str,
                                    allowed: bool) -> None:
    if allowed:
        version, _problems = services.save_draft(survey.pc08, VEHICLES_FILLED,
                                                 getattr(people, who))
        assert version is not None
    else:
        with pytest.raises(PermissionDenied):
            services.save_draft(survey.pc08, VEHICLES_FILLED, getattr(people, who))


def test_only_the_unit_manager_submits(survey: Survey, people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    for user in (people.officer, people.staff, people.outsider):
        with pytest.raises(PermissionDenied):
            services.submit(fresh(survey.pc08), user)
    assert services.submit(fresh(survey.pc08), people.manager).status == "submitted"


def test_staff_of_the_agency_review_but_never_their_own_unit(survey: Survey, people: Any,
                                                              org: Any) -> None:
    assert set(scoping.submissions_reviewable_by(people.staff)) == {
        survey.pc08, survey.team, survey.pc06}
    own = services.campaign_create(
        actor=people.staff, title="Có phòng tham mưu", form=survey.form,
        reference_date=dt.date(2026, 5, 1), deadline=dt.date(2026, 5, 31), units=[org.pv01])
    services.campaign_open(actor=people.staff, campaign=own)
    assert not scoping.submissions_reviewable_by(people.staff).filter(campaign=own).exists()
    assert not scoping.submissions_reviewable_by(people.manager).exists()
    assert not scoping.submissions_reviewable_by(people.other_staff).filter(
        campaign=survey.campaign).exists()


# --- workflow ---------------------------------------------------------------------------------

def test_draft_submit_return_resubmit_accept_keeps_the_whole_history(
        survey: Survey, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    first, problems = services.save_draft(survey.pc08, {"vehicles": VEHICLES_FILLED[
        "vehicles"][:1]}, people.officer)
    assert first is not None and first.number == 1 and problems == []
    second, _ = services.save_draft(fresh(survey.pc08), VEHICLES_FILLED, people.officer)
    assert second is not None and second.number == 2
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submit(fresh(survey.pc08), people.manager)
    assert submission.status == SubmissionStatus.SUBMITTED and submission.submitted_at
    assert Notification.objects.filter(kind="survey_submitted", recipient=people.staff).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_(fresh(survey.pc08), people.staff, "Số xe mô tô chưa khớp sổ sách")
    returned = fresh(survey.pc08)
    assert returned.status == SubmissionStatus.RETURNED and returned.editable
    assert Notification.objects.filter(kind="survey_returned",
                                       recipient=people.manager).exists()
    corrected = copy.deepcopy(VEHICLES_FILLED)
    corrected["vehicles"][1].update(quantity="13", fair="4")
    services.save_draft(returned, corrected, people.officer)
    assert fresh(survey.pc08).status == SubmissionStatus.RETURNED  # still to resubmit
    services.submit(fresh(survey.pc08), people.manager)
    services.accept(fresh(survey.pc08), people.staff)

    accepted = fresh(survey.pc08)
    assert accepted.status == SubmissionStatus.ACCEPTED and accepted.decided_by == people.staff
    history = list(SubmissionVersion.objects.filter(submission=accepted).order_by("number")
                   .values_list("number", "status", "note"))
    assert history == [
        (1, "draft", ""), (2, "draft", ""), (3, "submitted", ""),
        (4, "returned", "Số xe mô tô chưa khớp sổ sách"), (5, "returned", ""),
        (6, "submitted", ""), (7, "accepted", "")]
    assert accepted.answers["vehicles"][1]["quantity"] == 13
    assert SubmissionVersion.objects.get(submission=accepted, number=3).answers[
        "vehicles"][1]["quantity"] == 12
    assert accepted.first_submitted_at < accepted.submitted_at or \
        accepted.first_submitted_at == accepted.submitted_at
    assert AuditEvent.objects.filter(object_type="surveys.submission",
                                     object_id=str(accepted.pk)).count() == 7


def test_an_accepted_answer_is_read_only_until_staff_reopen_it(survey: Survey,
                                                               people: Any) -> None:
    fill_and_submit(survey, people)
    services.accept(fresh(survey.pc08), people.staff)
    with pytest.raises(WorkflowError):
        services.save_draft(fresh(survey.pc08), VEHICLES_FILLED, people.officer)
    version = fresh(survey.pc08).current
    assert version is not None
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        version.delete()
    services.return_(fresh(survey.pc08), people.staff, "Mở lại để bổ sung")
    assert fresh(survey.pc08).status == SubmissionStatus.RETURNED
    statuses = list(fresh(survey.pc08).versions.values_list("status", flat=True))
    assert statuses == ["draft", "submitted", "accepted", "returned"]


def test_steps_out_of_order_are_refused(survey: Survey, people: Any) -> None:
    with pytest.raises(WorkflowError):
        services.submit(survey.pc08, people.manager)  # nothing saved yet
    with pytest.raises(WorkflowError):
        services.accept(survey.pc08, people.staff)
    with pytest.raises(WorkflowError):
        services.return_(survey.pc08, people.staff, "x")
    fill_and_submit(survey, people)
    with pytest.raises(WorkflowError):
        services.save_draft(fresh(survey.pc08), VEHICLES_FILLED, people.officer)
    with pytest.raises(ValidationError):
        services.return_(fresh(survey.pc08), people.staff, "  ")


def test_submitting_checks_everything_and_errors_block(survey: Survey, people: Any) -> None:
    partial = {"vehicles": [{"row": "cars", "quantity": "3", "good": "1", "fair": "1",
                             "unusable": "0"}]}
    version, problems = services.save_draft(survey.pc08, partial, people.officer)
    assert version is not None  # a rule broken does not block a draft...
    assert [p.code for p in problems] == ["rule:condition_sum"]
    with pytest.raises(SubmissionProblems) as info:  # ...but it blocks submitting
        services.submit(fresh(survey.pc08), people.manager)
    codes = {(p.row, p.column, p.code) for p in info.value.problems}
    assert (0, "good", "rule:condition_sum") in codes
    assert (1, "quantity", "required") in codes  # motorbikes left empty
    assert not info.value.needs_confirmation
    assert fresh(survey.pc08).status == SubmissionStatus.DRAFT


def test_warnings_need_a_confirmation(survey: Survey, people: Any) -> None:
    form = SurveyForm.objects.get(key="equipment")
    campaign = services.campaign_create(
        actor=people.staff, title="Thiết bị", form=form, reference_date=dt.date(2026, 5, 1),
        deadline=dt.date(2026, 5, 31), units=[people.manager.unit])
    services.campaign_open(actor=people.staff, campaign=campaign)
    submission = Submission.objects.get(campaign=campaign)
    rows = [{"row": key, "standard": 10, "actual": 8, "good": 8, "fair": 0, "unusable": 0}
            for key in ("computers", "cameras", "communications", "support_tools",
                        "fire_equipment")]
    services.save_draft(submission, {"equipment": rows}, people.officer)
    with pytest.raises(SubmissionProblems) as info:
        services.submit(fresh(submission), people.manager)
    assert info.value.needs_confirmation
    assert {p.severity for p in info.value.problems} == {"warning"}
    services.submit(fresh(submission), people.manager, confirm_warnings=True)
    assert fresh(submission).status == SubmissionStatus.SUBMITTED


def test_unreadable_values_save_nothing(survey: Survey, people: Any) -> None:
    raw = {"vehicles": [{"row": "cars", "quantity": "ba"}]}
    version, problems = services.save_draft(survey.pc08, raw, people.officer)
    assert version is None
    assert [(p.path, p.code) for p in problems] == [("vehicles[0].quantity",
                                                     "invalid_integer")]
    assert not SubmissionVersion.objects.filter(submission=survey.pc08).exists()


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(survey: Survey,
                                                            people: Any) -> None:
    loaded = fresh(survey.pc08).lock_version
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer, lock_version=loaded)
    other = {"vehicles": [{"row": "cars", "quantity": "99"}]}
    with pytest.raises(ConflictError):
        services.save_draft(survey.pc08, other, people.manager, lock_version=loaded)
    assert fresh(survey.pc08).answers["vehicles"][0]["quantity"] == 3
    assert fresh(survey.pc08).versions.count() == 1
    with pytest.raises(ConflictError):
        services.submit(survey.pc08, people.manager, lock_version=loaded)


def test_a_file_answer_must_be_uploaded_to_the_same_submission(survey: Survey, people: Any,
                                                               org: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = SurveyForm.objects.get(key="land_headquarters")
    campaign = services.campaign_create(
        actor=people.staff, title="Trụ sở", form=form, reference_date=dt.date(2026, 5, 1),
        deadline=dt.date(2026, 5, 31), units=[org.pc08, org.pc06])
    services.campaign_open(actor=people.staff, campaign=campaign)
    mine = Submission.objects.get(campaign=campaign, unit=org.pc08)
    theirs = Submission.objects.get(campaign=campaign, unit=org.pc06)
    upload = SimpleUploadedFile("so-do.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    item = services.attach_file(mine, people.officer, "site_plan", upload)
    answer = {"site_plan": {"attachment": item.pk, "name": "so-do.pdf"}}
    version, _problems = services.save_draft(mine, answer, people.officer)
    assert version is not None and version.answers["site_plan"]["attachment"] == item.pk
    with pytest.raises(ValidationError):
        services.save_draft(theirs, answer, people.outsider)
    with pytest.raises(ValidationError):
        services.attach_file(mine, people.officer, "needs_summary",
                             SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
