"""Unit reports in the API: the same scoping, ETags and translated errors as the pages."""

from __future__ import annotations

import pytest
import time_machine

from dondoc.api.tests.conftest import ApiClient, assert_error, token_for
from dondoc.unitreports.tests.test_views import TODAY
from dondoc.unitreports.tests.test_views import obligation as obligation
from dondoc.unitreports.tests.test_views import report as report


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def client(user) -> ApiClient:
    return ApiClient(token_for(user))


def test_unit_edits_submits_staff_returns_through_the_api(people, report, org):
    officer = client(people.officer)
    read = officer.get(f"/unit-reports/{report.pk}")
    assert read.status_code == 200 and read.json()["standing"] == "due"
    etag = read["ETag"]
    assert_error(officer.patch(f"/unit-reports/{report.pk}", {"results": "x"}), 428)
    changed = officer.patch(f"/unit-reports/{report.pk}", {"proposals": "Thêm biên chế"},
                            headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json()["proposals"] == "Thêm biên chế"
    assert_error(officer.patch(f"/unit-reports/{report.pk}", {"results": "y"},
                               headers={"If-Match": etag}), 412, "precondition_failed")
    submitted = officer.post(f"/unit-reports/{report.pk}/submit")
    assert submitted.json()["state"] == "submitted"
    assert_error(officer.post(f"/unit-reports/{report.pk}/submit"), 409, "conflict")
    assert_error(client(people.manager).post(f"/unit-reports/{report.pk}/accept"), 403)
    staff = client(people.staff)
    assert_error(staff.post(f"/unit-reports/{report.pk}/return", {"reason": ""}), 422)
    returned = staff.post(f"/unit-reports/{report.pk}/return", {"reason": "Thiếu số liệu"})
    assert returned.json()["state"] == "returned"
    listed = staff.get("/unit-reports", {"state": "returned"}).json()
    assert [r["id"] for r in listed["results"]] == [report.pk]
    assert_error(staff.get("/unit-reports", {"period": "Q9/2026"}), 422)
    obligations = staff.get("/unit-report-obligations").json()
    assert obligations["count"] == 1 and obligations["results"][0]["period_kind"] == "quarter"


def test_other_units_get_404(people, report, obligation):
    outsider = client(people.outsider)
    for path in (f"/unit-reports/{report.pk}",):
        assert_error(outsider.get(path), 404)
    assert_error(outsider.post(f"/unit-reports/{report.pk}/submit"), 404)
    assert_error(outsider.post(f"/unit-reports/{report.pk}/accept"), 404)
    assert outsider.get("/unit-reports").json()["count"] == 0
    assert_error(client(people.other_staff).get(f"/unit-report-obligations/{obligation.pk}"),
                 404)
    started = outsider.post("/unit-reports", {"obligation": obligation.pk,
                                              "unit": people.manager.unit_id,
                                              "period_start": "2026-07-01"})
    assert_error(started, 422)
    own = outsider.post("/unit-reports", {"obligation": obligation.pk,
                                          "unit": people.outsider.unit_id,
                                          "period_start": "2026-07-01"})
    assert own.status_code == 201 and own.json()["unit"]["code"] == "PC06"
    assert_error(outsider.post("/unit-reports", {"obligation": obligation.pk,
                                                 "unit": people.outsider.unit_id,
                                                 "period_start": "2026-07-02"}), 422)
