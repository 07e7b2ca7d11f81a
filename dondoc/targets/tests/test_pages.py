"""Targets on the pages: who defines and measures, bad input next to the fields,
append-only corrections, the league table, the export, 404 for other agencies."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from dondoc.audit.models import AuditEvent
from dondoc.targets import services
from dondoc.targets.models import Measurement, Target

PDF = b"%PDF-1.4\n% evidence\n"


def _measure(target: Target, actor: Any, unit: Any, day: dt.date, value: int,
             **extra: Any) -> Measurement:
    return services.measurement_add(actor=actor, target=target, unit=unit, period_end=day,
                                    value=Decimal(value), note="Báo cáo quý", **extra)


def test_staff_define_a_target_with_unit_targets(login: Any, people: Any, work: Any) -> None:
    client = login(people.staff)
    response = client.post("/targets/new/", {
        "document": work.document.pk, "name": "Tỷ lệ hồ sơ số hóa", "measure_unit": "%",
        "direction": "higher", "baseline_value": "12,5", "baseline_date": "01/01/2025",
        "target_value": "100", "target_date": "31/12/2026", "shares": "PC08 90\nPC06; 80"})
    assert response.status_code == 302
    target = Target.objects.get(name="Tỷ lệ hồ sơ số hóa")
    assert target.baseline_value == Decimal("12.5") and target.owner_unit == work.document.owner_unit
    assert {row.unit.code: row.target_value for row in target.units.all()} == {
        "PC08": Decimal(90), "PC06": Decimal(80)}
    assert AuditEvent.objects.filter(object_type="targets.target",
                                     object_id=str(target.pk)).exists()
    page = client.get(response["Location"])
    assert "Tỷ lệ hồ sơ số hóa" in page.content.decode() and b"<svg" in page.content


def test_bad_input_is_shown_next_to_the_fields(login: Any, people: Any, work: Any) -> None:
    client = login(people.staff)
    response = client.post("/targets/new/", {
        "document": work.document.pk, "name": "X", "measure_unit": "camera",
        "direction": "higher", "baseline_value": "mười", "baseline_date": "01/06/2025",
        "target_value": "5", "target_date": "01/01/2025", "shares": "KHONGCO 5\nPC08 nhiều"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"baseline_value", "target_date", "shares"}
    text = response.content.decode()
    assert 'id="id_target_date_error"' in text and 'id="id_baseline_value_error"' in text
    assert "Dòng 1" in text and "KHONGCO" in text and "Dòng 2" in text
    assert not Target.objects.exists()


def test_only_staff_in_scope_define_targets(login: Any, people: Any, work: Any) -> None:
    assert login(people.manager).get(f"/targets/new/?document={work.document.pk}"
                                     ).status_code == 403
    assert login(people.other_staff).get(f"/targets/new/?document={work.document.pk}"
                                         ).status_code == 404


def test_a_unit_enters_its_own_measurement(login: Any, people: Any, org: Any,
                                          target: Target) -> None:
    client = login(people.manager)
    form = client.get(f"/targets/{target.pk}/measure/")
    assert form.status_code == 200
    choices = dict(form.context["form"].fields["unit"].choices)
    assert list(choices) == [str(org.pc08.pk)]  # not PC06, not the whole target
    response = client.post(f"/targets/{target.pk}/measure/", {
        "unit": org.pc08.pk, "period_end": "31/03/2025", "value": "30",
        "file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert response.status_code == 302
    item = Measurement.objects.get()
    assert item.unit == org.pc08 and item.entered_by == people.manager and item.file
    assert AuditEvent.objects.filter(object_type="targets.measurement").count() == 1
    refused = client.post(f"/targets/{target.pk}/measure/", {
        "unit": org.pc06.pk, "period_end": "31/03/2025", "value": "3", "note": "x"})
    assert refused.status_code == 400 and "unit" in refused.context["form"].errors
    # The evidence file is read by those who see the target, not by another agency.
    assert client.get(f"/targets/measurements/{item.pk}/file/").status_code == 200
    assert login(people.other_staff).get(
        f"/targets/measurements/{item.pk}/file/").status_code == 404
    for bystander in (people.viewer, people.team_officer, people.leader):
        assert login(bystander).get(f"/targets/{target.pk}/measure/").status_code == 403


def test_bad_measurements(login: Any, people: Any, org: Any, target: Target) -> None:
    client = login(people.staff)
    cases = {
        ("31/03/2025", "ba mươi", "x"): "value",
        ("31/12/9999", "3", "x"): "period_end",  # outside the dates dondoc handles
        ("31/02/2025", "3", "x"): "period_end",
        ("31/12/2024", "3", "x"): "period_end",  # before the baseline
        ("30/06/2025", "3", "x"): "period_end",  # in the future (today 15/05/2025)
        ("31/03/2025", "3", ""): "note",  # no evidence and no note
    }
    for (day, value, note), field in cases.items():
        response = client.post(f"/targets/{target.pk}/measure/", {
            "unit": "whole", "period_end": day, "value": value, "note": note})
        assert response.status_code == 400, (day, value, note)
        assert field in response.context["form"].errors, (day, value, note)
    bad_file = client.post(f"/targets/{target.pk}/measure/", {
        "unit": "whole", "period_end": "31/03/2025", "value": "3",
        "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert bad_file.status_code == 400 and "file" in bad_file.context["form"].errors
    assert not Measurement.objects.exists()


def test_corrections_are_appended_and_history_kept(login: Any, people: Any, org: Any,
                                                  target: Target) -> None:
    first = _measure(target, people.manager, org.pc08, dt.date(2025, 3, 31), 300)
    client = login(people.manager)
    response = client.post(f"/targets/{target.pk}/measure/", {
        "corrects": first.pk, "unit": org.pc08.pk, "period_end": "31/03/2025", "value": "30",
        "note": "Nhập nhầm 300"})
    assert response.status_code == 302
    assert Measurement.objects.count() == 2
    first.refresh_from_db()
    assert first.value == 300  # kept, unchanged
    correction = Measurement.objects.get(supersedes=first)
    assert correction.value == 30
    again = client.post(f"/targets/{target.pk}/measure/", {
        "corrects": first.pk, "unit": org.pc08.pk, "period_end": "31/03/2025", "value": "31",
        "note": "Lần nữa"})
    assert again.status_code == 400 and "supersedes" not in again.context["form"].fields
    assert "đã được sửa" in again.content.decode()
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert "<del>300</del>" in page
    league = client.get(f"/targets/{target.pk}/").context["league"]
    assert [(row.share.unit.code, row.standing and row.standing.value) for row in league] == [
        ("PC08", Decimal(30)), ("PC06", None)]


def test_league_table_and_on_track(login: Any, people: Any, org: Any,
                                   target: Target) -> None:
    # 31/03/2025 is day 89 of 364: plan PC08 100 × 89/364 = 24.5; PC06 50 × 89/364 = 12.2.
    _measure(target, people.staff, org.pc08, dt.date(2025, 3, 31), 20)
    _measure(target, people.staff, org.pc06, dt.date(2025, 3, 31), 15)
    _measure(target, people.staff, None, dt.date(2025, 3, 31), 35)
    response = login(people.viewer).get(f"/targets/{target.pk}/")
    league = response.context["league"]
    assert [(row.rank, row.share.unit.code, row.standing.percent, row.standing.on_track)
            for row in league] == [(1, "PC06", Decimal("30.0"), True),
                                   (2, "PC08", Decimal("20.0"), False)]
    assert response.context["standing"].on_track is False  # 35 < 150 × 89/364 = 36.7
    unit_page = login(people.viewer).get(f"/targets/{target.pk}/?unit={org.pc06.pk}")
    assert unit_page.context["standing"].on_track is True
    assert "?corrects=" not in unit_page.content.decode()  # a viewer corrects nothing
    manager_page = login(people.manager).get(f"/targets/{target.pk}/").content.decode()
    assert manager_page.count("?corrects=") == 1  # PC08's own row only


def test_other_agencies_get_404(login: Any, people: Any, target: Target,
                                other_target: Target) -> None:
    client = login(people.other_staff)
    for url in (f"/targets/{target.pk}/", f"/targets/{target.pk}/export/",
                f"/targets/{target.pk}/measure/", "/targets/987654321/"):
        assert client.get(url).status_code == 404, url
    listed = client.get("/targets/").content.decode()
    assert "Chỉ tiêu tỉnh khác" in listed and "Camera giám sát" not in listed
    mine = login(people.viewer).get("/targets/").content.decode()
    assert "Camera giám sát" in mine and "Chỉ tiêu tỉnh khác" not in mine


def test_export_lists_every_measurement(login: Any, people: Any, org: Any,
                                        target: Target) -> None:
    first = _measure(target, people.staff, org.pc08, dt.date(2025, 3, 31), 300)
    _measure(target, people.staff, org.pc08, dt.date(2025, 3, 31), 30, supersedes=first)
    response = login(people.officer).get(f"/targets/{target.pk}/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert [(row[1], row[3]) for row in rows] == [("Phòng Cảnh sát giao thông", 30),
                                                  ("Phòng Cảnh sát giao thông", 300)]
    assert AuditEvent.objects.filter(action="export", object_type="targets.target").exists()


def test_list_and_detail_queries_are_bounded(login: Any, people: Any, org: Any, work: Any,
                                            target: Target,
                                            django_assert_max_num_queries: Any) -> None:
    for number in range(6):
        extra = services.target_create(
            actor=people.staff, document=work.document, name=f"Chỉ tiêu {number}",
            measure_unit="vụ", direction="lower", baseline_value=Decimal(10),
            baseline_date=dt.date(2025, 1, 1), target_value=Decimal(5),
            target_date=dt.date(2025, 12, 31),
            shares=[services.UnitShare(org.pc08, Decimal(3))])
        for month in (1, 2, 3):
            _measure(extra, people.staff, None, dt.date(2025, month, 28), 9)
            _measure(extra, people.staff, org.pc08, dt.date(2025, month, 28), 8)
    client = login(people.staff)
    with django_assert_max_num_queries(14):
        assert client.get("/targets/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/targets/{target.pk}/").status_code == 200


def test_the_document_page_opens_its_targets(login: Any, people: Any, target: Target) -> None:
    client = login(people.staff)
    page = client.get(f"/documents/{target.document_id}/").content.decode()
    link = f"/targets/?document={target.document_id}"
    assert link in page
    listed = client.get(link).content.decode()
    assert "Camera giám sát lắp đặt" in listed


def _edit_data(target: Target, **changes: str) -> dict[str, Any]:
    data = {"name": target.name, "measure_unit": target.measure_unit,
            "direction": target.direction, "group": target.group_id or "",
            "baseline_value": "0", "baseline_date": f"{target.baseline_date:%d/%m/%Y}",
            "target_value": "150", "target_date": f"{target.target_date:%d/%m/%Y}",
            "shares": "PC08 100\nPC06 50", "version": str(target.version)}
    data.update(changes)
    return data


def test_staff_edit_a_target_audited_and_versioned(login: Any, people: Any,
                                                   target: Target) -> None:
    client = login(people.staff)
    page = client.get(f"/targets/{target.pk}/edit/")
    assert page.status_code == 200 and "PC08 100" in page.content.decode()
    response = client.post(f"/targets/{target.pk}/edit/", _edit_data(
        target, target_value="200", shares="PC08 120\nPC06 50\nPX05 30"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target_value == Decimal(200) and target.version == 2
    assert {row.unit.code: row.target_value for row in target.units.all()} == {
        "PC08": Decimal(120), "PC06": Decimal(50), "PX05": Decimal(30)}
    event = AuditEvent.objects.filter(object_type="targets.target", object_id=str(target.pk),
                                      action="update").get()
    assert event.changes["target_value"][1] == "200"
    assert "units" in event.changes

    # a second editor who loaded version 1 does not overwrite the first one's change
    stale = client.post(f"/targets/{target.pk}/edit/", _edit_data(target, version="1",
                                                                  target_value="999"))
    assert stale.status_code == 409
    target.refresh_from_db()
    assert target.target_value == Decimal(200)


def test_an_edit_keeps_what_measurements_rely_on(login: Any, people: Any, org: Any,
                                                 target: Target) -> None:
    _measure(target, people.staff, org.pc08, dt.date(2025, 3, 31), 20)
    client = login(people.staff)
    later_baseline = client.post(f"/targets/{target.pk}/edit/", _edit_data(
        target, baseline_date="15/04/2025"))
    assert later_baseline.status_code == 400
    assert "31/03/2025" in later_baseline.content.decode()
    dropped = client.post(f"/targets/{target.pk}/edit/", _edit_data(target, shares="PC06 50"))
    assert dropped.status_code == 400 and "PC08" in dropped.content.decode()
    target.refresh_from_db()
    assert target.version == 1 and target.units.count() == 2


def test_only_staff_of_the_managing_agency_edit(login: Any, people: Any,
                                                target: Target) -> None:
    assert login(people.officer).get(f"/targets/{target.pk}/edit/").status_code == 403
    assert login(people.other_staff).get(f"/targets/{target.pk}/edit/").status_code == 404
    assert "/edit/" not in login(people.leader).get(f"/targets/{target.pk}/").content.decode()
