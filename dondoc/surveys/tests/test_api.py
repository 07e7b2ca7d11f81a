"""Surveys in the API: the same scoping as the pages, answers of the current version, and
saving a draft with problems as 422 keyed by path."""

from __future__ import annotations

from typing import Any

from dondoc.surveys import services
from dondoc.surveys.models import Submission
from dondoc.surveys.tests.conftest import VEHICLES_FILLED, Survey


def fresh(submission: Submission) -> Submission:
    return Submission.objects.select_related("current").get(pk=submission.pk)


def test_campaigns_are_listed_with_the_same_scoping(api: Any, survey: Survey,
                                                    people: Any) -> None:
    body = api(people.manager).get("/surveys/campaigns").json()
    assert [c["title"] for c in body["results"]] == ["Khảo sát phương tiện 2026"]
    assert body["results"][0]["units"] == 3 and body["results"][0]["form"]["key"] == "vehicles"
    detail = api(people.manager).get(f"/surveys/campaigns/{survey.campaign.pk}").json()
    assert detail["definition"]["key"] == "vehicles"
    assert api(people.other_staff).get(
        f"/surveys/campaigns/{survey.campaign.pk}").status_code == 404


def test_submissions_carry_the_answers_of_the_current_version(api: Any, survey: Survey,
                                                              people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    listing = api(people.manager).get("/surveys/submissions").json()
    assert {row["unit"]["code"] for row in listing["results"]} == {"PC08", "PC08-D1"}
    detail = api(people.manager).get(f"/surveys/submissions/{survey.pc08.pk}").json()
    assert detail["version"] == 1 and detail["answers"]["vehicles"][0]["quantity"] == 3
    assert detail["answers"]["vehicles"][0]["average_age"] == "6.5"
    filtered = api(people.staff).get("/surveys/submissions", {"status": "draft",
                                                              "unit": survey.pc06.unit_id})
    assert [row["id"] for row in filtered.json()["results"]] == [survey.pc06.pk]
    assert api(people.outsider).get(f"/surveys/submissions/{survey.pc08.pk}").status_code == 404


def test_saving_a_draft_through_the_api(api: Any, survey: Survey, people: Any) -> None:
    client = api(people.officer)
    response = client.send("put", f"/surveys/submissions/{survey.pc08.pk}/draft",
                           {"answers": {"vehicles": [{"row": "cars", "quantity": 2,
                                                      "good": 1, "fair": 0, "unusable": 0}]},
                            "lock_version": 0})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["submission"]["version"] == 1 and body["submission"]["lock_version"] == 1
    assert [p["path"] for p in body["problems"]] == ["vehicles[0].good"]
    assert fresh(survey.pc08).current.source == "api"  # type: ignore[union-attr]


def test_unreadable_answers_are_a_422_keyed_by_path(api: Any, survey: Survey,
                                                    people: Any) -> None:
    response = api(people.officer).send(
        "put", f"/surveys/submissions/{survey.pc08.pk}/draft",
        {"answers": {"vehicles": [{"row": "cars", "quantity": "ba"}], "ghost": 1}})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"vehicles[0].quantity", "ghost"}
    assert fresh(survey.pc08).current is None


def test_a_stale_lock_version_is_refused(api: Any, survey: Survey, people: Any) -> None:
    services.save_draft(survey.pc08, VEHICLES_FILLED, people.officer)
    response = api(people.manager).send(
        "put", f"/surveys/submissions/{survey.pc08.pk}/draft",
        {"answers": {}, "lock_version": 0})
    assert response.status_code == 412  # precondition failed, as every stale edit in the API


def test_only_the_units_side_drafts_through_the_api(api: Any, survey: Survey,
                                                    people: Any) -> None:
    body = {"answers": {}}
    path = f"/surveys/submissions/{survey.pc08.pk}/draft"
    assert api(people.staff).send("put", path, body).status_code == 403
    assert api(people.other_staff).send("put", path, body).status_code == 404
