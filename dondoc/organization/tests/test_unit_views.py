"""Managing the unit tree through the pages: happy paths, bad input, outsiders."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.audit.models import AuditEvent
from dondoc.organization.models import Unit


def test_tree_lists_the_scope_with_vietnamese_labels(people, login) -> None:
    client = login(people.staff)
    response = client.get("/units/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phòng Cảnh sát giao thông" in page
    assert "Công an tỉnh Quảng Nam" not in page  # another agency
    assert 'lang="vi"' in page


def test_tree_as_of_a_date_hides_units_not_yet_created_or_dissolved(org, people, login) -> None:
    Unit.objects.filter(pk=org.pc06.pk).update(valid_to=dt.date(2025, 2, 28), is_active=False)
    client = login(people.staff)
    before = client.get("/units/?as_of=01/01/2025").content.decode()
    after = client.get("/units/?as_of=01/03/2025").content.decode()
    assert "Phòng Cảnh sát quản lý hành chính" in before
    assert "Phòng Cảnh sát quản lý hành chính" not in after


def test_tree_search_ignores_diacritics(people, login) -> None:
    response = login(people.staff).get("/units/?q=canh sat giao thong")
    assert {row.unit.code for row in response.context["rows"]} == {"PC08"}


def test_tree_page_uses_a_bounded_number_of_queries(people, login, org, django_assert_max_num_queries) -> None:
    from dondoc.organization.tests.factories import make_unit

    for index in range(30):
        make_unit(org.pc06, f"X{index}", f"Đội {index}")
    client = login(people.staff)
    with django_assert_max_num_queries(8):
        assert client.get("/units/").status_code == 200


def test_staff_creates_a_sub_unit_and_it_is_audited(org, people, login) -> None:
    client = login(people.staff)
    response = client.post(f"/units/new/?parent={org.pc08.pk}", {
        "parent": org.pc08.pk, "code": "pc08-d2", "name": "Đội CSGT số 2", "short_name": "",
        "kind": "team", "order": 2, "email": "", "valid_from": "01/07/2025", "version": 1,
    })
    assert response.status_code == 302
    unit = Unit.objects.get(code="PC08-D2")
    assert Unit.objects.get_parent(unit).pk == org.pc08.pk
    assert unit.valid_from == dt.date(2025, 7, 1)
    event = AuditEvent.objects.get(object_type="organization.unit", object_id=str(unit.pk))
    assert event.action == "create"
    assert event.actor_name == "staff"
    assert event.changes["name"] == [None, "Đội CSGT số 2"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "pc08"}, "code", "PC08"),  # duplicate code, whatever the case
        ({"name": "   "}, "name", ""),
        ({"name": "x" * 256}, "name", "255"),
        ({"email": "not-an-email"}, "email", ""),
        ({"code": "có dấu cách"}, "code", ""),
        ({"valid_from": "31/02/2025"}, "valid_from", ""),
    ],
    ids=["duplicate code", "empty name", "over-long name", "malformed e-mail",
         "code with spaces", "impossible date"],
)
def test_bad_unit_input_is_refused_with_a_message_and_nothing_saved(
    org, people, login, overrides, field, message
) -> None:
    client = login(people.staff)
    before = Unit.objects.count()
    data = {"parent": org.pc08.pk, "code": "NEW1", "name": "Đơn vị mới", "short_name": "",
            "kind": "team", "order": 1, "email": "", "valid_from": "", "version": 1, **overrides}
    response = client.post(f"/units/new/?parent={org.pc08.pk}", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert "error-summary" in response.content.decode()
    assert Unit.objects.count() == before


def test_error_messages_are_in_the_users_language(org, people, login) -> None:
    client = login(people.staff)
    data = {"parent": org.pc08.pk, "code": "PC08", "name": "X", "kind": "team", "order": 1,
            "version": 1}
    vietnamese = client.post(f"/units/new/?parent={org.pc08.pk}", data).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.post(f"/units/new/?parent={org.pc08.pk}", data).content.decode()
    assert "Another unit already uses the code PC08." in english
    assert "Another unit already uses the code PC08." not in vietnamese
    assert "PC08" in vietnamese


def test_moving_a_unit_under_its_own_descendant_is_refused(org, people, login) -> None:
    client = login(people.staff)
    response = client.post(f"/units/{org.pc08.pk}/move/", {"new_parent": org.pc08_d1.pk})
    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors
    assert Unit.objects.get_parent(Unit.objects.get(pk=org.pc08_d1.pk)).pk == org.pc08.pk


def test_moving_a_unit_takes_its_subtree_along(org, people, login) -> None:
    client = login(people.staff)
    response = client.post(f"/units/{org.pc08.pk}/move/", {"new_parent": org.pc06.pk})
    assert response.status_code == 302
    team = Unit.objects.get(pk=org.pc08_d1.pk)
    assert team.path.startswith(Unit.objects.get(pk=org.pc06.pk).path)
    assert AuditEvent.objects.filter(action="move", object_id=str(org.pc08.pk)).exists()


def test_rename_records_before_and_after(org, people, login) -> None:
    client = login(people.staff)
    response = client.post(f"/units/{org.pc06.pk}/edit/", {
        "code": "PC06", "name": "Phòng CSQLHC về TTXH", "short_name": "", "kind": "department",
        "order": 100, "email": "", "valid_from": "", "version": org.pc06.version,
    })
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="update", object_id=str(org.pc06.pk)).latest("seq")
    assert event.changes["name"] == ["Phòng Cảnh sát quản lý hành chính", "Phòng CSQLHC về TTXH"]


def test_a_stale_edit_is_refused_not_silently_applied(org, people, login) -> None:
    client = login(people.staff)
    stale_version = org.pc06.version
    data = {"code": "PC06", "short_name": "", "kind": "department", "order": 100, "email": "",
            "valid_from": "", "version": stale_version}
    assert client.post(f"/units/{org.pc06.pk}/edit/", {**data, "name": "Tên A"}).status_code == 302
    response = client.post(f"/units/{org.pc06.pk}/edit/", {**data, "name": "Tên B"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Unit.objects.get(pk=org.pc06.pk).name == "Tên A"


def test_dissolving_keeps_the_unit_and_names_a_successor(org, people, login) -> None:
    client = login(people.staff)
    response = client.post(f"/units/{org.pc06.pk}/dissolve/",
                           {"valid_to": "28/02/2025", "successor": org.pc08.pk})
    assert response.status_code == 302
    unit = Unit.objects.get(pk=org.pc06.pk)
    assert (unit.valid_to, unit.successor_id, unit.is_active) == (
        dt.date(2025, 2, 28), org.pc08.pk, False)


def test_a_unit_with_accounts_cannot_be_deleted_and_says_why(org, people, login) -> None:
    client = login(people.staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/units/{org.pc06.pk}/delete/").content.decode()
    assert "1 users are attached" in page
    response = client.post(f"/units/{org.pc06.pk}/delete/", follow=True)
    assert Unit.objects.filter(pk=org.pc06.pk).exists()
    assert "cannot be deleted" in response.content.decode()


def test_an_empty_unit_can_be_deleted(org, people, login) -> None:
    client = login(people.staff)
    from dondoc.organization.tests.factories import make_unit

    empty = make_unit(org.pc06, "EMPTY", "Đội trống")
    assert client.post(f"/units/{empty.pk}/delete/").status_code == 302
    assert not Unit.objects.filter(code="EMPTY").exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(empty.pk)).exists()


@pytest.mark.parametrize("suffix", ["", "edit/", "move/", "dissolve/", "delete/"])
def test_outsider_gets_404_for_units_outside_its_scope(org, people, login, suffix) -> None:
    client = login(people.outsider)
    assert client.get(f"/units/{org.pc08.pk}/{suffix}").status_code == 404
    assert client.post(f"/units/{org.pc08.pk}/{suffix}", {"name": "hack"}).status_code == 404
    assert client.get("/units/999999/").status_code == 404  # same answer as a missing unit


@pytest.mark.parametrize("suffix", ["edit/", "move/", "dissolve/", "delete/"])
def test_a_unit_manager_may_read_its_unit_but_not_restructure_it(org, people, login, suffix) -> None:
    client = login(people.manager)
    assert client.get(f"/units/{org.pc08.pk}/").status_code == 200
    assert client.post(f"/units/{org.pc08.pk}/{suffix}", {"name": "x"}).status_code == 403
    assert Unit.objects.get(pk=org.pc08.pk).name == "Phòng Cảnh sát giao thông"


def test_only_admins_create_top_level_units(people, login) -> None:
    assert login(people.staff).get("/units/new/").status_code == 403
    assert login(people.admin).get("/units/new/").status_code == 200
