"""Every URL and every API operation, walked as every persona and as an outsider, with
ids of objects in and out of scope.

The pages come from the URL resolver and the API operations from the OpenAPI schema, so
a URL or an operation added later is walked without touching this file. A path parameter
is filled from the object kind its route names (``OBJECT_OF_PREFIX`` for pages,
``OBJECT_OF_PARAMETER`` for the API); a route whose parameter names no known kind makes
``test_every_parametrised_url_is_walked_or_skipped`` fail until it is added there or
listed in ``SKIPPED`` with a reason.

The rules, for GET and POST (and PATCH in the API):

* an object of another agency answers exactly as a missing one (same status, same
  body): 404 — or 405 where the method is not allowed at all, 403 where the page is not
  the role's whatever the object (e.g. the audit log for an officer) — never its data,
  and nothing is written (the audit log does not grow);
* an object in the agency answers without a server error: 200/302 where the action is
  the persona's, 403 where the object is visible but the action is not, 404 where the
  persona's own scope does not reach it;
* a signed-out visitor is sent to the login page (the API answers 401).

Requests for objects in scope run inside a rolled-back savepoint, so that a POST that
is allowed changes nothing for the next request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dondoc.api.models import ApiToken
from dondoc.api.services import token_create
from dondoc.api.tests.conftest import ApiClient, token_for
from dondoc.api.tests.test_scoping import DETAIL_ENDPOINTS
from dondoc.audit.models import AuditEvent
from dondoc.imports.models import ReviewFlag, UnitGroup
from dondoc.inspections import services as inspections
from dondoc.jobs.kinds import IMPORT_TASKS
from dondoc.jobs.models import Job
from dondoc.notifications.kinds import TASK_COMMENTED
from dondoc.notifications.services import notify
from dondoc.obstacles import services as obstacle_services
from dondoc.plans import services
from dondoc.plans.models import TaskFile
from dondoc.progress.periods import parse_period
from dondoc.reports import services as report_services
from dondoc.reports.render import DEFAULT_TEMPLATE
from dondoc.targets import services as target_services
from dondoc.unitreports import services as unit_reports

MISSING = 987_654_321
PDF = b"%PDF-1.4\n% evidence\n"

# Pages anyone may open signed out: these, and the public portal (``portal/`` but not
# ``portal/manage/``); the site's root leads a visitor to the portal.
PUBLIC = {"login", "logout", "healthz", "set_language"}


def _is_public(route: Any) -> bool:
    return route.name in PUBLIC or (route.pattern.startswith("portal/")
                                    and not route.pattern.startswith("portal/manage/"))

# Page routes (longest prefix first wins) → the kind of object their first id names.
OBJECT_OF_PREFIX = {
    "documents/files/": "attachment",
    "documents/": "document",
    "tasks/files/": "task_file",
    "tasks/": "task",
    "units/": "unit",
    "users/": "user",
    "directions/": "direction",
    "completions/": "completion",
    "extensions/": "extension",
    "audit/": "audit_event",
    "accounts/tokens/": "token",
    "review-flags/": "review_flag",
    "unit-groups/": "unit_group",
    "jobs/": "job",
    "reports/templates/": "report_template",
    "reports/": "report",
    "inspections/": "inspection",
    "meetings/conclusions/": "meeting_conclusion",
    "meetings/": "meeting",
    "urging/": "urging_letter",
    "notifications/": "notification",
    "unit-reports/files/": "unit_report_file",
    "unit-reports/": "unit_report",
    "obstacles/": "obstacle",
    "targets/measurements/": "target_measurement",
    "targets/": "target",
    "surveys/campaigns/": "survey_campaign",
    "surveys/submissions/": "survey_submission",
    "surveys/files/": "survey_file",
}
# API path parameters → the kind of object they name.
OBJECT_OF_PARAMETER = {
    "unit_id": "unit", "document_id": "document", "task_id": "task",
    "direction_id": "direction", "request_id": "completion", "extension_id": "extension",
    "file_id": "task_file", "notification_id": "notification",
    "inspection_id": "inspection", "meeting_id": "meeting",
    "report_id": "unit_report", "obligation_id": "obligation",
    "letter_id": "urging_letter",
    "obstacle_id": "obstacle",
    "target_id": "target",
    "consolidated_report_id": "report",
    "campaign_id": "survey_campaign", "submission_id": "survey_submission",
}
# Parametrised routes not walked, each with the reason.
PORTAL_OBJECTS = ("the public portal: one per installation, its news, categories and links "
                  "belong to no agency (scoping and publication in dondoc/portal/tests)")
SKIPPED: dict[str, str] = {
    "api/v1/<path:rest>": "the API's catch-all 404 (walked through the OpenAPI schema)",
    "urging/template/<str:which>.docx": "a template file by name (default, current), "
                                        "no object: tested in dondoc/urging/tests",
    "notifications/rules/<int:pk>/": "reminder rules belong to the installation, not to an "
    "agency (staff-only, tested in dondoc/notifications/tests/test_pages.py)",
    **{pattern: PORTAL_OBJECTS for pattern in (
        "portal/news/<slug:slug>/", "portal/category/<slug:slug>/",
        "portal/category/<slug:slug>/rss/", "portal/category/<slug:slug>/atom/",
        "portal/tag/<slug:slug>/", "portal/images/<int:pk>/", "portal/progress/<int:pk>/",
        "portal/manage/articles/<int:pk>/", "portal/manage/articles/<int:pk>/publish/",
        "portal/manage/articles/<int:pk>/unpublish/", "portal/manage/categories/<int:pk>/",
        "portal/manage/links/<int:pk>/")},
    "portal/language/<str:code>/": "the portal's language switch: names a language, no object",
    **{pattern: "survey forms are shared reference material of the installation, readable "
                "by every signed-in user (tested in dondoc/surveys/tests/test_pages.py)"
       for pattern in ("surveys/forms/<int:pk>/", "surveys/forms/<int:pk>/export/")},
}
# Non-integer parameters get a value that names nothing (e.g. an import preview token).
PLACEHOLDER = {"str": "0123456789abcdef0123456789abcdef", "path": "nothing/here",
               "slug": "nothing"}


# The routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # e.g. "tasks/<int:pk>/edit/"
    name: str

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """(converter, name) of each ``<converter:name>`` in the route."""
        return [(kind or "str", name) for kind, name in
                re.findall(r"<(?:(\w+):)?(\w+)>", self.pattern)]

    def kind(self) -> str | None:
        for prefix in sorted(OBJECT_OF_PREFIX, key=len, reverse=True):
            if self.pattern.startswith(prefix):
                return OBJECT_OF_PREFIX[prefix]
        return None

    def url(self, object_id: int) -> str:
        def fill(match: re.Match[str]) -> str:
            kind = match.group(1) or "str"
            return str(object_id) if kind == "int" else PLACEHOLDER[kind]

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.pattern)


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("api/v1/") and route == "api/v1/":
                continue  # django-ninja's own URLs: walked through the OpenAPI schema
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield Route(route, entry.name or route)


ROUTES = [route for route in _routes(get_resolver().url_patterns)
          if route.pattern not in SKIPPED]
PLAIN_ROUTES = [route for route in ROUTES if not route.parameters]
OBJECT_ROUTES = [route for route in ROUTES if route.parameters]


def test_every_parametrised_url_is_walked_or_skipped() -> None:
    unknown = [route.pattern for route in OBJECT_ROUTES if route.kind() is None]
    assert not unknown, (f"add these routes to OBJECT_OF_PREFIX or SKIPPED (with the "
                         f"reason): {unknown}")
    assert len(PLAIN_ROUTES) >= 10 and len(OBJECT_ROUTES) >= 25  # the resolver was read


# The world ---------------------------------------------------------------------------------


@dataclass
class World:
    """For each kind of object: one of the City Police (CATP) and one of another agency."""

    catp: dict[str, int]
    other: dict[str, int]
    titles_of_other: list[str]  # text that must never appear in an answer to CATP


@pytest.fixture
def world(org: Any, people: Any, work: Any) -> World:
    staff, other_staff = people.staff, people.other_staff

    def file_of(task: Any, user: Any) -> int:
        update = services.progress_post(actor=user, task=task, unit=task.lead_unit,
                                         percent=10, results="Đã làm",
                                         files=[SimpleUploadedFile("bb.pdf", PDF)])
        return TaskFile.objects.get(progress_update=update).pk

    def objects(document: Any, task: Any, manager: Any, leader: Any, unit: Any,
                user: Any) -> dict[str, int]:
        attachment = services.document_attach(actor=manager, document=document,
                                              upload=SimpleUploadedFile("kh.pdf", PDF))
        extension_task = services.task_create(
            actor=manager, document=document, title="Nhiệm vụ gia hạn", lead_unit=task.lead_unit,
            assigning_unit=document.owner_unit, due_date=dt.date(2025, 8, 31),
            assigned_on=dt.date(2025, 2, 1))
        extension = services.extension_request(actor=manager, task=extension_task,
                                               proposed_due=dt.date(2025, 10, 31),
                                               reason="Chờ kinh phí")
        direction = services.direction_add(actor=leader, task=task, text="Khẩn trương")
        task_file = file_of(task, manager)
        completion = services.completion_request(actor=manager, task=task, note="Xong")
        token, _secret = token_create(actor=user, name="walk")
        event = AuditEvent.objects.filter(unit_id=unit.pk).latest("seq")
        flag = ReviewFlag.objects.create(task=task, code="several_leads", message="Hai đơn vị",
                                         cell_text="Bộ A, Bộ B")
        group = UnitGroup.objects.create(name=f"Các đơn vị {unit.code}", owner_unit=unit)
        job = Job.objects.create(kind=IMPORT_TASKS, owner=user, params={}, attempt=1)
        consolidated = report_services.report_create(
            actor=manager, scope_unit=document.owner_unit, document=document,
            period=parse_period("2025"))
        template = report_services.template_upload(
            actor=manager, owner_unit=document.owner_unit, name="Mẫu",
            upload=SimpleUploadedFile("mau.docx", DEFAULT_TEMPLATE.read_bytes()))
        letter = _urging_letter(manager, task, unit)
        obstacle = obstacle_services.obstacle_raise(
            actor=user, unit=task.lead_unit, task=task, category="budget",
            description="Thiếu kinh phí", resolver_agency="Sở Tài chính")
        notification = notify([user], TASK_COMMENTED, task, {"code": task.code})[0]
        target = target_services.target_create(
            actor=manager, document=document, name=f"Chỉ tiêu {unit.code}", measure_unit="vụ",
            direction="higher", baseline_value=Decimal(0), baseline_date=dt.date(2025, 1, 1),
            target_value=Decimal(10), target_date=dt.date(2025, 12, 31),
            shares=[target_services.UnitShare(task.lead_unit, Decimal(5))])
        measurement = target_services.measurement_add(
            actor=manager, target=target, unit=task.lead_unit, period_end=dt.date(2025, 3, 31),
            value=Decimal(2), upload=SimpleUploadedFile("bb.pdf", PDF))
        inspection = inspections.inspection_create(
            actor=None, owner_unit=unit, title=f"Kiểm tra {unit.code}",
            period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 5),
            subject_units=[unit])
        meeting = inspections.meeting_create(actor=None, owner_unit=unit, chair_name="Chủ trì",
                                             title=f"Họp {unit.code}",
                                             held_on=dt.date(2025, 3, 1))
        conclusion = inspections.conclusion_add(actor=None, meeting=meeting, text="Kết luận")
        obligation = unit_reports.obligation_create(
            actor=manager, document=document, owner_unit=document.owner_unit,
            title="Báo cáo quý", kind="quarter", units=[task.lead_unit], with_subunits=False,
            first_period=parse_period("Q2/2025"), last_period=parse_period("Q4/2025"),
            deadline_rule="days_after_end", deadline_value=10)
        report = unit_reports.report_start(actor=user, obligation=obligation,
                                           unit=task.lead_unit, period_start=dt.date(2025, 4, 1))
        report_file = unit_reports.report_attach(actor=user, report=report,
                                                 upload=SimpleUploadedFile("bc.pdf", PDF))
        survey = _survey(manager, task.lead_unit, user)
        return {**survey,"report": consolidated.pk, "report_template": template.pk,
                "urging_letter": letter.pk, "inspection": inspection.pk, "meeting": meeting.pk,
                "meeting_conclusion": conclusion.pk,
                "notification": notification.pk, "review_flag": flag.pk,
                "unit_group": group.pk, "job": job.pk,
                "obligation": obligation.pk, "unit_report": report.pk,
                "unit_report_file": report_file.pk,
                "document": document.pk, "task": task.pk, "unit": unit.pk, "user": user.pk,
                "attachment": attachment.pk, "task_file": task_file,
                "direction": direction.pk, "completion": completion.pk,
                "extension": extension.pk, "audit_event": event.seq, "token": token.pk,
                "obstacle": obstacle.pk, "target": target.pk,
                "target_measurement": measurement.pk}

    catp = objects(work.document, work.traffic, staff, people.leader, org.pc08, people.officer)
    other = objects(work.other_document, work.other_task, other_staff, other_staff, org.other,
                    other_staff)
    return World(catp=catp, other=other,
                 titles_of_other=[work.other_document.title, work.other_task.title,
                                  org.other.name])


def _survey(manager: Any, unit: Any, user: Any) -> dict[str, int]:
    """An open campaign asking ``unit``, its answer drafted by ``user`` with a file."""
    from dondoc.surveys import services as surveys
    from dondoc.surveys.models import Submission, SurveyForm

    campaign = surveys.campaign_create(
        actor=manager, title=f"Khảo sát trụ sở {unit.code}",
        form=SurveyForm.objects.get(key="land_headquarters", version=1),
        reference_date=dt.date(2025, 5, 1), deadline=dt.date(2025, 6, 30), units=[unit])
    surveys.campaign_open(actor=manager, campaign=campaign)
    submission = Submission.objects.get(campaign=campaign)
    item = surveys.attach_file(submission, user, "site_plan", SimpleUploadedFile("sd.pdf", PDF))
    surveys.save_draft(submission, {"sites": [{"address": f"Trụ sở {unit.code}"}],
                                    "site_plan": {"attachment": item.pk, "name": "sd.pdf"}},
                       user)
    return {"survey_campaign": campaign.pk, "survey_submission": submission.pk,
            "survey_file": item.pk}


def _urging_letter(author: Any, task: Any, unit: Any) -> Any:
    """A letter addressed to ``unit`` urging ``task`` (made directly: the walk needs the
    object, dondoc/urging/tests test how letters are made)."""
    import uuid

    from django.core.files.base import ContentFile

    from dondoc.organization.scoping import scope_root
    from dondoc.urging.models import UrgingLetter, UrgingRecord

    agency = scope_root(author) or unit
    letter = UrgingLetter(
        batch=uuid.uuid4(), scope_unit=agency, issuing_unit=author.unit, year=2025,
        sequence=UrgingLetter.objects.count() + 1, number="1/CV", as_of=dt.date(2025, 5, 1),
        letter_date=dt.date(2025, 5, 2), due_soon_days=7, mode="per_unit",
        subject="V/v đôn đốc", signer_position="PHÓ GIÁM ĐỐC", signer_name="Nguyễn Văn A",
        created_by=author, original_name="cv.docx", size=3, sha256="0" * 64)
    letter.file.save(f"urging/walk-{uuid.uuid4().hex}.docx", ContentFile(b"PK\x03"),
                     save=False)
    letter.save()
    letter.units.set([unit])
    UrgingRecord.objects.create(letter=letter, unit=unit, task=task, urged_as="overdue")
    return letter


PERSONAS = ["admin", "leader", "staff", "inspector", "manager", "officer", "team_officer",
            "outsider", "viewer", "other_staff", "editor"]
# The system administrator's scope is the whole installation: nothing is outside it, so
# its walk checks only that nothing fails.
UNBOUNDED = {"admin"}


def _persona(people: Any, persona: str) -> Any:
    """The persona's account; the portal editor (issue 14) is made here, as no other
    test needs one in ``people``."""
    if persona == "editor":
        from dondoc.organization.models import Role
        from dondoc.organization.tests.factories import UserFactory

        return UserFactory(username="editor", unit=people.staff.unit, role=Role.EDITOR,
                           otp_exempt=True)
    return getattr(people, persona)


def _objects_for(persona: str, world: World) -> tuple[dict[str, int], dict[str, int]]:
    """(the persona's agency's objects, another agency's objects)."""
    if persona == "other_staff":
        return world.other, world.catp
    return world.catp, world.other


def _in_savepoint(request: Callable[..., Any], *args: Any) -> Any:
    with transaction.atomic():
        response = request(*args)
        transaction.set_rollback(True)
    return response


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


_CSRF = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*')


def _same_answer(theirs: Any, missing: Any, their_id: int) -> bool:
    """The same status and body, once the id in the page's own links and the per-response
    CSRF token are set aside."""
    def normal(body: bytes, object_id: int) -> bytes:
        return _CSRF.sub(rb"\1", re.sub(rb"/%d/" % object_id, b"/ID/", body))

    return (theirs.status_code == missing.status_code
            and normal(_body(theirs), their_id) == normal(_body(missing), MISSING))


# The pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_as_every_persona(persona: str, people: Any, login: Any,
                                     world: World) -> None:
    client = login(_persona(people, persona))
    own, foreign = _objects_for(persona, world)
    problems: list[str] = []
    audit_before = AuditEvent.objects.count()
    for route in PLAIN_ROUTES:
        for method in ("get", "post"):
            if route.name in {"logout"}:
                continue  # would end the walk's session
            response = _in_savepoint(getattr(client, method), route.url(0))
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {route.url(0)} → {response.status_code}")
    for route in OBJECT_ROUTES:
        kind = route.kind()
        assert kind is not None
        for method in ("get", "post"):
            send = getattr(client, method)
            mine = _in_savepoint(send, route.url(own[kind]))
            client.cookies.pop("messages", None)  # its flash message is not for the next page
            if mine.status_code >= 500:
                problems.append(f"{method.upper()} {route.url(own[kind])} → "
                                f"{mine.status_code}")
            if persona in UNBOUNDED:
                theirs = _in_savepoint(send, route.url(foreign[kind]))
                client.cookies.pop("messages", None)
                if theirs.status_code >= 500:
                    problems.append(f"{method.upper()} {route.url(foreign[kind])} → "
                                    f"{theirs.status_code}")
                continue
            missing = send(route.url(MISSING))
            theirs = send(route.url(foreign[kind]))
            label = f"{method.upper()} {route.pattern} ({kind} of another agency)"
            if theirs.status_code not in {403, 404, 405}:
                problems.append(f"{label} → {theirs.status_code}, not 404")
            elif not _same_answer(theirs, missing, foreign[kind]):
                problems.append(f"{label} answers unlike a missing object")
            leaked = [text for text in world.titles_of_other if persona != "other_staff"
                      and text in _body(theirs).decode(errors="replace")]
            if leaked:
                problems.append(f"{label} shows {leaked}")
    assert not problems, "\n".join(problems)
    assert AuditEvent.objects.count() == audit_before, list(
        AuditEvent.objects.filter(seq__gt=audit_before).values_list("action", "object_id"))


def test_every_page_signed_out(db: None, world: World) -> None:
    client = Client()
    problems = []
    for route in ROUTES:
        url = route.url(world.catp[route.kind() or "task"]) if route.parameters else \
            route.url(0)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if route.pattern == "" and response.status_code == 302:
                if response["Location"] != "/portal/":
                    problems.append(f"{method.upper()} / → {response['Location']}")
                continue
            if _is_public(route):
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} → {response.status_code}")
                continue
            if response.status_code == 405:
                continue
            if response.status_code != 302 or "/accounts/login/" not in response["Location"]:
                problems.append(f"{method.upper()} {url} → {response.status_code}, not the "
                                f"login page")
    assert not problems, "\n".join(problems)


# The API -----------------------------------------------------------------------------------


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    from dondoc.api.v1 import api

    schema = api.get_openapi_schema()
    return [(method.upper(), path, operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items()]


OPERATIONS = _operations()
# Known-good bodies (from the API's scoping tests), so that an out-of-scope object is
# reached past validation; an operation without one is sent {} (and must then answer
# exactly as for a missing object).
GOOD_BODIES = {(method.upper(), "/api/v1" + re.sub(r"\{(\w+)\}", "{}", path)): body
               for method, path, body in DETAIL_ENDPOINTS}


def test_every_api_path_parameter_is_known() -> None:
    unknown = {parameter["name"] for _method, _path, operation in OPERATIONS
               for parameter in operation.get("parameters", [])
               if parameter["in"] == "path" and parameter["name"] not in OBJECT_OF_PARAMETER}
    assert not unknown, f"add these to OBJECT_OF_PARAMETER: {unknown}"
    assert len(OPERATIONS) >= 25


def _api_call(client: ApiClient, method: str, path: str, ids: dict[str, int]) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: str(ids[OBJECT_OF_PARAMETER[m.group(1)]]), path)
    headers = {"Authorization": f"Bearer {client.secret}"}
    if method == "GET":
        return client.client.get(url, headers=headers)
    body = GOOD_BODIES.get((method, re.sub(r"\{(\w+)\}", "{}", path)), {})
    if path.endswith("/upload"):
        return client.client.post(url, {**body, "percent": "10", "results": "Đã làm",
                                        "note": "Xong"}, headers=headers)
    return getattr(client.client, method.lower())(url, body, content_type="application/json",
                                                  headers=headers)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_api_operation_as_every_persona(persona: str, people: Any,
                                              world: World) -> None:
    client = ApiClient(token_for(_persona(people, persona)))
    own, foreign = _objects_for(persona, world)
    if persona == "editor":  # portal editors have no API at all: 403 for everything
        answers = {f"{method} {path}": _in_savepoint(_api_call, client, method, path,
                                                     own).status_code
                   for method, path, _operation in OPERATIONS}
        assert set(answers.values()) == {403}, answers
        return
    missing = dict.fromkeys(set(OBJECT_OF_PARAMETER.values()), MISSING)
    problems: list[str] = []
    audit_before = AuditEvent.objects.count()
    for method, path, _operation in OPERATIONS:
        mine = _in_savepoint(_api_call, client, method, path, own)
        if mine.status_code >= 500:
            problems.append(f"{method} {path} → {mine.status_code}")
        if "{" not in path:
            continue
        if persona in UNBOUNDED:
            theirs = _in_savepoint(_api_call, client, method, path, foreign)
            if theirs.status_code >= 500:
                problems.append(f"{method} {path} (another agency) → {theirs.status_code}")
            continue
        theirs = _api_call(client, method, path, foreign)
        absent = _api_call(client, method, path, missing)
        label = f"{method} {path} (another agency's object)"
        if (method, re.sub(r"\{(\w+)\}", "{}", path)) in GOOD_BODIES or method == "GET":
            if theirs.status_code != 404:
                problems.append(f"{label} → {theirs.status_code}, not 404")
        elif theirs.status_code < 400 or theirs.status_code >= 500:
            problems.append(f"{label} → {theirs.status_code}")
        if (theirs.status_code, _body(theirs)) != (absent.status_code, _body(absent)):
            problems.append(f"{label} answers unlike a missing object")
    assert not problems, "\n".join(problems)
    assert AuditEvent.objects.count() == audit_before, list(
        AuditEvent.objects.filter(seq__gt=audit_before).values_list("action", "object_id"))


def test_every_api_operation_signed_out(world: World) -> None:
    client = Client()
    problems = []
    for method, path, _operation in OPERATIONS:
        url = re.sub(r"\{(\w+)\}", lambda m: str(world.catp[OBJECT_OF_PARAMETER[m.group(1)]]),
                     path)
        response = getattr(client, method.lower())(url)
        if response.status_code != 401:
            problems.append(f"{method} {path} → {response.status_code}, not 401")
    assert not problems, "\n".join(problems)
    assert not ApiToken.objects.filter(name="walk", revoked_at__isnull=False).exists()
