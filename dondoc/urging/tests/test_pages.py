"""The urging pages: staff preview and generate; units download their own letters only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document as Docx

from dondoc.jobs.models import Job, JobStatus
from dondoc.urging import services
from dondoc.urging.models import UrgingLetter, UrgingTemplate
from dondoc.urging.tests.conftest import options

pytestmark = pytest.mark.django_db

FORM = {
    "scope": "", "target": "overdue", "as_of": "01/05/2024", "due_soon_days": "7",
    "mode": "combined", "letter_date": "02/05/2024", "reply_by": "10/05/2024",
    "symbol": "CATP-PV01", "subject": "V/v đôn đốc thực hiện nhiệm vụ quá hạn",
    "governing_body": "Bộ Công an", "issuer_name": "Công an thành phố Đà Nẵng",
    "place": "Đà Nẵng", "signer_authority": "KT. GIÁM ĐỐC",
    "signer_position": "PHÓ GIÁM ĐỐC", "signer_name": "Đại tá Trần Văn Bình",
    "copies_to": "Như trên\nLưu: VT, PV01",
}


def form(org, **changes):
    return {**FORM, "scope": str(org.catp.pk), **changes}


def test_staff_preview_lists_the_units_with_overdue_tasks(world, org, people, login) -> None:
    client = login(people.staff)
    assert client.get("/urging/new/").status_code == 200
    page = client.post("/urging/new/", {**form(org), "action": "preview"}).content.decode()
    assert 'data-unit="PC08"' in page and 'data-unit="PX05"' in page
    assert 'data-unit="PC06"' not in page and 'data-unit="OTHER"' not in page
    assert f'data-task="{world.overdue_pc08.code}"' in page
    assert f'data-task="{world.soon_pc08.code}"' in page  # due soon, in the 7-day window
    assert UrgingLetter.objects.count() == 0  # a preview issues nothing


def test_staff_generate_one_combined_letter_and_download_it(world, org, people,
                                                            login) -> None:
    client = login(people.staff)
    response = client.post("/urging/new/", {**form(org), "action": "generate"})
    assert response.status_code == 302
    letter = UrgingLetter.objects.get()
    assert response["Location"] == f"/urging/?batch={letter.batch}"
    listing = client.get(response["Location"]).content.decode()
    assert letter.number in listing
    download = client.get(f"/urging/{letter.pk}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert "Phụ lục 2" in "\n".join(p.text for p in Docx(io.BytesIO(body)).paragraphs)


def test_bad_form_input_gives_clear_errors_in_vietnamese_and_english(world, org, people,
                                                                     login) -> None:
    client = login(people.staff)
    bad = {**form(org), "target": "chosen", "as_of": "31/02/2024", "due_soon_days": "500",
           "action": "generate"}
    page = client.post("/urging/new/", bad).content.decode()
    assert "Có lỗi" in page or "There is a problem" in page
    assert "dd/mm/yyyy" in page
    people.staff.language = "en"
    people.staff.save()
    page = login(people.staff).post("/urging/new/", bad).content.decode()
    assert "Choose at least one unit" in page and "There is a problem" in page
    outside = {**form(org, scope=str(org.pc08.pk)), "target": "chosen",
               "units": [str(org.px05.pk)], "action": "preview"}
    page = login(people.staff).post("/urging/new/", outside).content.decode()
    assert "PX05 is not in the chosen scope" in page
    assert UrgingLetter.objects.count() == 0


def test_non_staff_cannot_urge(world, org, people, login) -> None:
    for person in (people.manager, people.officer, people.leader, people.inspector,
                   people.viewer):
        client = login(person)
        assert client.get("/urging/new/").status_code == 403
        assert client.post("/urging/new/", {**form(org), "action": "generate"}
                           ).status_code == 403
        assert client.get("/urging/template/").status_code == 403
    assert UrgingLetter.objects.count() == 0


def test_a_unit_sees_and_downloads_only_letters_addressed_to_it(world, org, people,
                                                                login) -> None:
    pc08_letter, px05_letter = services.letters_generate(actor=people.staff,
                                                         options=options(org))
    manager = login(people.manager)  # PC08
    listing = manager.get("/urging/").content.decode()
    assert pc08_letter.number in listing and px05_letter.number not in listing
    assert manager.get(f"/urging/{pc08_letter.pk}/download/").status_code == 200
    assert manager.get(f"/urging/{px05_letter.pk}/download/").status_code == 404
    assert manager.get(f"/urging/{px05_letter.pk}/").status_code == 404
    team = login(people.team_officer)  # PC08-D1: a sub-unit is not the addressee
    assert team.get(f"/urging/{pc08_letter.pk}/download/").status_code == 404
    outsider = login(people.outsider)  # PC06
    assert outsider.get(f"/urging/{pc08_letter.pk}/download/").status_code == 404
    other = login(people.other_staff)  # another agency's staff
    assert other.get(f"/urging/{pc08_letter.pk}/").status_code == 404
    assert px05_letter.number not in other.get("/urging/").content.decode()
    leader = login(people.leader)  # the agency's leaders see every letter of it
    assert leader.get(f"/urging/{px05_letter.pk}/download/").status_code == 200


def test_more_than_three_letters_run_as_a_job_with_progress(world, org, people, login,
                                                            monkeypatch) -> None:
    from dondoc.urging import views
    monkeypatch.setattr(views, "SYNC_LETTER_LIMIT", 1)
    client = login(people.staff)
    response = client.post("/urging/new/", {**form(org), "mode": "per_unit",
                                            "action": "generate"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED and job.progress_done == job.progress_total == 2
    assert UrgingLetter.objects.count() == 2
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/urging/?batch={job.params['batch']}" in page


def make_template(text: str) -> bytes:
    document = Docx()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "mau.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_a_template_with_an_unknown_variable_is_refused_clearly(world, org, people,
                                                                login) -> None:
    client = login(people.staff)
    bad = make_template("Kính gửi: {{ recipients[0] }} — {{ chu_ky_so }}")
    page = client.post("/urging/template/", {"template": upload(bad)}).content.decode()
    assert "chu_ky_so" in page and "không thể dùng" in page.lower()
    people.staff.language = "en"
    people.staff.save()
    page = login(people.staff).post("/urging/template/",
                                    {"template": upload(bad)}).content.decode()
    assert "chu_ky_so" in page and "This template cannot be used" in page
    broken = make_template("{% for x in units %} no end")
    page = client.post("/urging/template/", {"template": upload(broken)}).content.decode()
    assert "This template cannot be used" in page or "không thể dùng" in page.lower()
    assert UrgingTemplate.objects.count() == 0
    # The default template still works.
    assert services.letters_generate(actor=people.staff, options=options(org))


def test_staff_replace_the_template_and_go_back_to_the_default(world, org, people,
                                                               login) -> None:
    client = login(people.staff)
    good = make_template("CÔNG VĂN {{ number }} gửi {% for r in recipients %}{{ r }}; "
                         "{% endfor %}")
    response = client.post("/urging/template/", {"template": upload(good)})
    assert response.status_code == 302
    letter = services.letters_generate(actor=people.staff,
                                       options=options(org, unit_ids=[org.px05.pk]))[0]
    with letter.file.open("rb") as handle:
        text = Docx(handle).paragraphs[0].text
    assert text == "CÔNG VĂN 1/CATP-PV01 gửi Thanh tra; "
    assert client.get("/urging/template/current.docx").status_code == 200
    assert client.post("/urging/template/reset/").status_code == 302
    assert not UrgingTemplate.objects.filter(is_active=True).exists()
    letter = services.letters_generate(actor=people.staff,
                                       options=options(org, unit_ids=[org.px05.pk],
                                                       letter_date=letter.letter_date))[0]
    with letter.file.open("rb") as handle:
        assert "CỘNG HÒA" in "\n".join(c.text for t in Docx(handle).tables
                                        for r in t.rows for c in r.cells)
    assert client.get("/urging/template/default.docx").status_code == 200


def test_the_task_timeline_and_the_league_table_show_the_urging(world, org, people,
                                                                login) -> None:
    services.letters_generate(actor=people.staff, options=options(org))
    services.letters_generate(actor=people.staff,
                              options=options(org, unit_ids=[org.pc08.pk]))
    page = login(people.manager).get(f"/tasks/{world.overdue_pc08.pk}/").content.decode()
    assert "1/CATP-PV01" in page and "3/CATP-PV01" in page
    client = login(people.staff)
    url = f"/dashboard/?unit={org.catp.pk}&as_of=02/05/2024"
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as first:
        board = client.get(url).content.decode()
    assert "urged 2 times" in board or "đôn đốc 2 lần" in board
    # One query for the whole column, whatever the number of rows.
    services.letters_generate(actor=people.staff, options=options(org, unit_ids=[org.px05.pk]))
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second.captured_queries) == len(first.captured_queries)


def test_a_letter_downloads_as_pdf_when_libreoffice_is_installed(world, org, people,
                                                                 login) -> None:
    from dondoc.core import officedocs
    if officedocs.soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install "
                    "libreoffice-writer-nogui")
    letter = services.letters_generate(actor=people.staff,
                                       options=options(org, unit_ids=[org.pc08.pk]))[0]
    response = login(people.manager).get(f"/urging/{letter.pk}/download/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="cong-van-don-doc-1-2024-pc08.pdf"' in response["Content-Disposition"]


def test_the_letter_list_costs_the_same_queries_for_many_letters(world, org, people, login,
                                                                 django_assert_max_num_queries,
                                                                 ) -> None:
    client = login(people.staff)
    services.letters_generate(actor=people.staff, options=options(org))
    client.get("/urging/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/urging/")
    for _round in range(4):
        services.letters_generate(actor=people.staff, options=options(org))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/urging/").content.decode()
    assert page.count('data-letter="') == 10


def test_the_units_addressed_are_notified_and_open_the_letter(world, org, people, login,
                                                             django_capture_on_commit_callbacks,
                                                             ) -> None:
    from dondoc.notifications.models import Notification
    with django_capture_on_commit_callbacks(execute=True):
        pc08_letter, _px05_letter = services.letters_generate(actor=people.staff,
                                                             options=options(org))
    told = Notification.objects.filter(kind="urging_letter_received")
    assert set(told.values_list("recipient__username", "object_id")) == {
        ("manager", pc08_letter.pk)}  # PX05 has no account in the fixture; staff not told
    client = login(people.manager)
    page = client.get("/notifications/").content.decode()
    notice = told.get()
    assert pc08_letter.number in page, page[page.find("<main"):][:3000]
    opened = client.post(f"/notifications/{notice.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/urging/{pc08_letter.pk}/"
    assert client.get(opened["Location"]).status_code == 200
