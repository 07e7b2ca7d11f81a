"""Document access levels (security test, issue 7, item 7): public, internal, restricted.

An external agency placed under the city police (a partner, kind *external*) used to read
every police document and download every file. Now it reads only public documents and
those shared with it; it still sees the tasks it takes part in, with the document's number
and title."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dondoc.api import services as token_services
from dondoc.organization import scoping
from dondoc.organization.models import Role, Unit, UnitKind, User
from dondoc.organization.tests.factories import UserFactory, make_unit
from dondoc.plans import services
from dondoc.plans.models import AccessLevel, Document, DocumentAttachment, Task
from dondoc.plans.tests.factories import make_document, make_task

SECRET_SUMMARY = "Nội dung chỉ dành cho lực lượng Công an"


@dataclass
class World:
    partners: Unit  # a group under the city police
    btg: Unit  # an external agency in it
    btg_viewer: User
    pc06_officer: User
    document: Document  # internal, owned by the city police, with a file
    attachment: DocumentAttachment
    task: Task  # led by the external agency


@pytest.fixture
def world(org: Any, people: Any) -> World:
    partners = make_unit(org.catp, "NGOAI", "Đơn vị phối hợp", kind=UnitKind.GROUP)
    btg = make_unit(partners, "BTGTU", "Ban Tuyên giáo Thành ủy", kind=UnitKind.EXTERNAL)
    btg_viewer = UserFactory(username="theodoi", unit=btg, role=Role.VIEWER, otp_exempt=True)
    pc06_officer = UserFactory(username="pc06", unit=Unit.objects.get(code="PC06"),
                               role=Role.OFFICER, otp_exempt=True)
    document = make_document(Unit.objects.get(code="CATP"), actor=people.staff,
                             summary=SECRET_SUMMARY)
    attachment = services.document_attach(actor=people.staff, document=document,
                                          upload=SimpleUploadedFile("kh.pdf", b"%PDF-1.4 x"))
    task = make_task(document, Unit.objects.get(code="BTGTU"), actor=people.staff,
                     title="Định hướng tuyên truyền")
    return World(partners=partners, btg=Unit.objects.get(pk=btg.pk), btg_viewer=btg_viewer,
                 pc06_officer=pc06_officer, document=document, attachment=attachment,
                 task=task)


def readable(user: User) -> set[int]:
    fresh = User.objects.select_related("unit").get(pk=user.pk)
    return set(scoping.documents_visible_to(fresh).values_list("pk", flat=True))


def set_level(people: Any, document: Document, level: str, shared: list[Unit] = ()) -> None:
    document.refresh_from_db()
    services.document_update(actor=people.staff, document=document,
                             expected_version=document.version, access_level=level,
                             shared_with_units=list(shared))


def api_get(user: User, path: str) -> Any:
    _token, secret = token_services.token_create(actor=user, name="t")
    return Client().get(f"/api/v1{path}", headers={"Authorization": f"Bearer {secret}"})


def test_new_documents_are_internal(world) -> None:
    assert world.document.access_level == AccessLevel.INTERNAL


def test_an_external_agency_no_longer_reads_internal_documents(world, login) -> None:
    assert world.document.pk not in readable(world.btg_viewer)
    client = login(world.btg_viewer)
    assert world.document.pk not in [doc.pk for doc, _depth in
                                     client.get("/documents/").context["rows"]]
    assert client.get(f"/documents/files/{world.attachment.pk}/").status_code == 404
    assert api_get(world.btg_viewer, f"/documents/{world.document.pk}").status_code == 404
    listed = api_get(world.btg_viewer, "/documents").json()["results"]
    assert world.document.pk not in [row["id"] for row in listed]


def test_it_still_sees_its_task_and_the_documents_number_and_title_only(world,
                                                                       login) -> None:
    client = login(world.btg_viewer)
    task_page = client.get(f"/tasks/{world.task.pk}/")
    assert task_page.status_code == 200
    assert world.document.number in task_page.content.decode()
    page = client.get(f"/documents/{world.document.pk}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert world.document.number in content and world.document.title in content
    assert world.task.code in content
    assert SECRET_SUMMARY not in content
    assert "kh.pdf" not in content and "/documents/files/" not in content


def test_a_document_without_a_task_of_theirs_is_simply_not_found(world, people,
                                                                 login) -> None:
    other = make_document(Unit.objects.get(code="CATP"), actor=people.staff)
    assert login(world.btg_viewer).get(f"/documents/{other.pk}/").status_code == 404


def test_internal_documents_reach_every_unit_of_the_agency(world, people) -> None:
    pv01_document = make_document(Unit.objects.get(code="PV01"), actor=people.staff)
    assert {world.document.pk, pv01_document.pk} <= readable(world.pc06_officer)
    assert {world.document.pk, pv01_document.pk} <= readable(people.team_officer)
    assert not {world.document.pk, pv01_document.pk} & readable(people.other_staff)


def test_sharing_a_restricted_document_lets_the_external_agency_read_it(world, people,
                                                                        login) -> None:
    set_level(people, world.document, AccessLevel.RESTRICTED, [world.btg])
    assert world.document.pk in readable(world.btg_viewer)
    client = login(world.btg_viewer)
    page = client.get(f"/documents/{world.document.pk}/")
    assert SECRET_SUMMARY in page.content.decode()
    download = client.get(f"/documents/files/{world.attachment.pk}/")
    assert download.status_code == 200
    body = api_get(world.btg_viewer, f"/documents/{world.document.pk}").json()
    assert body["access_level"] == "restricted"
    assert [unit["code"] for unit in body["shared_with_units"]] == ["BTGTU"]


def test_a_restricted_document_is_hidden_from_units_it_is_not_shared_with(world,
                                                                          people) -> None:
    set_level(people, world.document, AccessLevel.RESTRICTED, [world.btg])
    assert world.document.pk not in readable(world.pc06_officer)
    assert world.document.pk not in readable(people.officer)
    assert world.document.pk in readable(people.staff)  # the managing unit's scope
    assert world.document.pk in readable(people.leader)


def test_public_documents_reach_external_agencies_too(world, people) -> None:
    set_level(people, world.document, AccessLevel.PUBLIC)
    assert world.document.pk in readable(world.btg_viewer)
    assert world.document.pk in set(scoping.documents_public().values_list("pk", flat=True))
    assert world.document.pk not in readable(people.other_staff)


def test_the_document_form_sets_the_level_and_the_units(world, people, login) -> None:
    document = world.document
    form = {"kind": document.kind, "number": document.number, "title": document.title,
            "issuer": document.issuer, "issue_date": "25/05/2022",
            "owner_unit": document.owner_unit_id, "code_prefix": document.code_prefix,
            "summary": document.summary, "version": document.version}
    refused = login(people.staff).post(f"/documents/{document.pk}/edit/", {
        **form, "access_level": "internal", "shared_with_units": [world.btg.pk]})
    assert refused.status_code == 200
    assert "restricted" in str(refused.context["form"].errors) or "hạn chế" in str(
        refused.context["form"].errors)
    saved = login(people.staff).post(f"/documents/{document.pk}/edit/", {
        **form, "access_level": "restricted", "shared_with_units": [world.btg.pk]})
    assert saved.status_code == 302
    document.refresh_from_db()
    assert document.access_level == AccessLevel.RESTRICTED
    assert list(document.shared_with_units.values_list("code", flat=True)) == ["BTGTU"]


def test_the_api_creates_a_restricted_document_and_checks_its_fields(world, people) -> None:
    _token, secret = token_services.token_create(actor=people.staff, name="t")

    def post(body: dict[str, Any]) -> Any:
        return Client().post("/api/v1/documents", data=json.dumps(body),
                             content_type="application/json",
                             headers={"Authorization": f"Bearer {secret}"})

    base = {"kind": "plan", "number": "9/KH", "title": "Kế hoạch", "issuer": "CATP",
            "issue_date": "2025-01-01", "code_prefix": "KH9"}
    assert post({**base, "access_level": "secret"}).status_code == 422
    wrong = post({**base, "access_level": "internal", "shared_with_units": [world.btg.pk]})
    assert wrong.status_code == 422 and "shared_with_units" in wrong.json()["errors"]
    outside = post({**base, "access_level": "restricted",
                    "shared_with_units": [Unit.objects.get(code="OTHER").pk]})
    assert outside.status_code == 422 and "shared_with_units" in outside.json()["errors"]
    created = post({**base, "access_level": "restricted", "shared_with_units": [world.btg.pk]})
    assert created.status_code == 201, created.content[:300]
    assert created.json()["access_level"] == "restricted"
    default = post({**base, "code_prefix": "KH10"})
    assert default.json()["access_level"] == "internal"
