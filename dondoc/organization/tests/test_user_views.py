"""Managing accounts: a unit manager works inside its own subtree only."""

from __future__ import annotations

import pytest

from dondoc.audit.models import AuditEvent
from dondoc.organization.models import User


def account_data(unit_id: int, **overrides: object) -> dict[str, object]:
    return {
        "username": "new.officer", "last_name": "Trần Văn", "first_name": "Nam",
        "email": "nam@example.test", "unit": unit_id, "role": "officer",
        "position": "Cán bộ", "phone": "0905 123 456", "language": "vi", "is_active": "on",
        "password1": "a-long-Secret-9281", "password2": "a-long-Secret-9281", "version": 1,
        **overrides,
    }


def test_manager_creates_an_officer_in_a_sub_unit(org, people, login) -> None:
    client = login(people.manager)
    response = client.post("/users/new/", account_data(org.pc08_d1.pk))
    assert response.status_code == 302
    user = User.objects.get(username="new.officer")
    assert (user.unit_id, user.role) == (org.pc08_d1.pk, "officer")
    assert user.check_password("a-long-Secret-9281")
    event = AuditEvent.objects.get(object_type="organization.user", action="create")
    assert "password" not in event.changes


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"username": "officer"}, "username"),
        ({"password2": "something-else-123"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"role": "admin"}, "role"),
        ({"phone": "call me"}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"username": "x" * 151}, "username"),
    ],
    ids=["malformed e-mail", "duplicate username", "passwords differ", "weak password",
         "role above the manager's", "bad phone", "empty given name", "over-long username"],
)
def test_bad_account_input_is_refused_and_nothing_saved(org, people, login, overrides, field) -> None:
    client = login(people.manager)
    before = User.objects.count()
    response = client.post("/users/new/", account_data(org.pc08.pk, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == before


def test_manager_cannot_place_an_account_in_another_subtree(org, people, login) -> None:
    client = login(people.manager)
    response = client.post("/users/new/", account_data(org.pc06.pk))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="new.officer").exists()


@pytest.mark.parametrize("suffix", ["", "edit/", "password/"])
def test_manager_guessing_ids_of_another_subtree_gets_404(people, login, suffix) -> None:
    client = login(people.manager)
    target = people.outsider
    assert client.get(f"/users/{target.pk}/{suffix}").status_code == 404
    response = client.post(f"/users/{target.pk}/{suffix}", {"password1": "x", "first_name": "X"})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.first_name == "Văn"


def test_officer_can_read_colleagues_but_not_edit_them(people, login) -> None:
    client = login(people.officer)
    assert client.get(f"/users/{people.viewer.pk}/").status_code == 200
    assert client.get(f"/users/{people.viewer.pk}/edit/").status_code == 403
    assert client.get("/users/new/").status_code == 403


def test_user_list_only_shows_the_scope(people, login) -> None:
    page = login(people.manager).get("/users/").content.decode()
    assert "team_officer" in page
    assert "outsider" not in page
    assert "other_staff" not in page


def test_user_search_ignores_diacritics(people, login) -> None:
    people.officer.last_name = "Đặng Thị"
    people.officer.save()
    page = login(people.manager).get("/users/?q=dang thi").content.decode()
    assert "officer" in page
    assert "team_officer" not in page


def test_deactivating_an_account_blocks_its_login(org, people, login) -> None:
    client = login(people.manager)
    data = account_data(org.pc08.pk, username="officer", last_name=people.officer.last_name,
                        first_name="Văn", version=people.officer.version)
    data.pop("is_active")
    response = client.post(f"/users/{people.officer.pk}/edit/", data)
    assert response.status_code == 302
    people.officer.refresh_from_db()
    assert people.officer.is_active is False
    from django.test import Client

    from dondoc.organization.tests.factories import DEFAULT_PASSWORD

    denied = Client().post("/accounts/login/", {"username": "officer",
                                                "password": DEFAULT_PASSWORD})
    assert denied.status_code == 200  # the form again, with an error


def test_user_list_uses_a_bounded_number_of_queries(org, people, login, django_assert_max_num_queries) -> None:
    from dondoc.organization.tests.factories import UserFactory

    for _ in range(40):
        UserFactory(unit=org.pc08_d1)
    client = login(people.staff)
    with django_assert_max_num_queries(8):
        assert client.get("/users/?size=50").status_code == 200
