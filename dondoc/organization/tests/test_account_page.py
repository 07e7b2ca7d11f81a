"""The API's links live on the account page, for the roles that use the API; the user menu
of every page no longer offers them (officers and viewers were puzzled by them)."""

from __future__ import annotations

import pytest

from dondoc.api import services as token_services

MENU_LINKS = ['href="/accounts/tokens/"', 'href="/api/v1/docs"']


@pytest.mark.parametrize("persona", ["officer", "viewer", "staff", "admin"])
def test_the_user_menu_has_no_api_items(people, login, persona) -> None:
    page = login(getattr(people, persona)).get("/").content.decode()
    for link in MENU_LINKS:
        assert link not in page


@pytest.mark.parametrize("persona", ["staff", "admin", "manager", "leader", "inspector"])
def test_roles_that_use_the_api_find_it_on_their_account_page(people, login, persona) -> None:
    page = login(getattr(people, persona)).get("/accounts/profile/").content.decode()
    assert "Kết nối phần mềm khác (API)" in page
    for link in MENU_LINKS:
        assert link in page


@pytest.mark.parametrize("persona", ["officer", "viewer"])
def test_officers_and_viewers_are_not_offered_the_api(people, login, persona) -> None:
    page = login(getattr(people, persona)).get("/accounts/profile/").content.decode()
    for link in MENU_LINKS:
        assert link not in page


def test_an_officer_who_holds_a_token_still_finds_it(people, login) -> None:
    token_services.token_create(actor=people.officer, name="Ứng dụng đội", expires_at=None)
    page = login(people.officer).get("/accounts/profile/").content.decode()
    assert 'href="/accounts/tokens/"' in page
    assert login(people.officer).get("/accounts/tokens/").status_code == 200
