"""The urging letters in the API: the same scoping as the pages."""

from __future__ import annotations

import pytest

from dondoc.urging import services
from dondoc.urging.tests.conftest import options

pytestmark = pytest.mark.django_db


def test_units_list_only_the_letters_and_records_addressed_to_them(world, org, people,
                                                                   login) -> None:
    pc08_letter, px05_letter = services.letters_generate(actor=people.staff,
                                                         options=options(org))
    staff = login(people.staff).get("/api/v1/urging/letters").json()
    assert [item["number"] for item in staff["results"]] == ["2/CATP-PV01", "1/CATP-PV01"]
    manager = login(people.manager)
    body = manager.get("/api/v1/urging/letters").json()
    assert body["count"] == 1 and body["results"][0]["units"][0]["code"] == "PC08"
    assert body["results"][0]["sha256"] == pc08_letter.sha256
    assert manager.get(f"/api/v1/urging/letters/{px05_letter.pk}").status_code == 404
    records = manager.get("/api/v1/urging/records").json()
    assert {item["task"]["code"] for item in records["results"]} == {
        world.overdue_pc08.code, world.soon_pc08.code}
    other = login(people.other_staff)
    assert other.get("/api/v1/urging/letters").json()["count"] == 0
    assert other.get("/api/v1/urging/records").json()["count"] == 0
    by_task = login(people.staff).get(
        f"/api/v1/urging/records?task={world.overdue_px05.pk}").json()
    assert [item["letter_number"] for item in by_task["results"]] == ["2/CATP-PV01"]
