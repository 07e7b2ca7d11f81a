"""Unit pickers of a very large tree (issue 15: a ministry's 20,000 units made every task
list 3 MB): past ``PICKER_INLINE_LIMIT`` units a picker holds only the chosen units and asks
``/units/options/`` as the user types; that answer keeps to the units the user may pick."""

from __future__ import annotations

import pytest

from dondoc.organization import selectors

pytestmark = pytest.mark.django_db


def _texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["text"] for row in response.json()["results"]]


def test_the_answer_matches_code_or_name_whatever_the_accents(org, people, login) -> None:
    client = login(people.staff)
    assert _texts(client.get("/units/options/?q=canh sat giao")) == [
        "PC08 — Phòng Cảnh sát giao thông"]
    assert _texts(client.get("/units/options/?q=PC08")) == [
        "PC08 — Phòng Cảnh sát giao thông", "PC08-D1 — Đội CSGT số 1"]
    assert set(_texts(client.get("/units/options/?q=Cảnh SÁT"))) == {
        "PC08 — Phòng Cảnh sát giao thông", "PC06 — Phòng Cảnh sát quản lý hành chính"}


def test_a_unit_never_learns_of_units_outside_its_scope(org, people, login) -> None:
    officer = login(people.officer)  # PC08: its own subtree only
    assert _texts(officer.get("/units/options/?q=phong")) == ["PC08 — Phòng Cảnh sát giao thông"]
    guessed = officer.get(f"/units/options/?ids={org.pc06.pk},{org.other.pk},{org.pc08_d1.pk}")
    assert _texts(guessed) == ["PC08-D1 — Đội CSGT số 1"]
    other = login(people.other_staff)  # another city's staff
    assert _texts(other.get("/units/options/?q=pc08")) == []


def test_bad_requests_are_refused_with_a_message(people, login, client) -> None:
    staff = login(people.staff)
    bad = staff.get("/units/options/?ids=1,abc")
    assert bad.status_code == 400
    assert bad.json()["message"] == "ids phải là các số hiệu đơn vị, cách nhau bằng dấu phẩy."
    assert staff.post("/units/options/?q=pc").status_code == 405
    assert client.get("/units/options/?q=pc").status_code == 302  # signed out: log in
    long = staff.get("/units/options/?q=" + "pc08 " * 500)
    assert long.status_code == 200


def test_the_answer_is_bounded_and_says_there_are_more(org, people, login, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "PICKER_RESULTS", 3)
    body = login(people.staff).get("/units/options/?q=p").json()
    assert len(body["results"]) == 3 and body["more"] is True


def test_past_the_limit_the_page_holds_only_the_chosen_units(org, people, login,
                                                             monkeypatch) -> None:
    client = login(people.staff)
    listed = client.get(f"/tasks/?lead={org.pc08.pk}").content.decode()
    assert "data-units-url" not in listed and "PC06 — Phòng Cảnh sát" in listed
    monkeypatch.setattr(selectors, "PICKER_INLINE_LIMIT", 3)
    for url in (f"/tasks/?lead={org.pc08.pk}", f"/statistics/?unit={org.pc08.pk}",
                f"/dashboard/?unit={org.pc08.pk}", f"/users/?unit={org.pc08.pk}"):
        page = client.get(url).content.decode()
        assert 'data-units-url="/units/options/"' in page, url
        assert f'<option value="{org.pc08.pk}" selected>PC08 — Phòng Cảnh sát giao thông' \
            in page, url
        assert "PC06 — Phòng Cảnh sát quản lý hành chính" not in page, url
