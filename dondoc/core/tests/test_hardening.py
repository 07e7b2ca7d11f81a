"""Hardening after the outside security test: caching of signed-in pages and files, the
health check behind an HTTPS redirect, and search folding of look-alike text."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from dondoc.core.search import rebuild_search_text
from dondoc.core.text import fold
from dondoc.organization.models import Unit
from dondoc.plans import services

PDF = b"%PDF-1.4\n% evidence\n"


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# Cache-Control -----------------------------------------------------------------------------


def test_signed_in_pages_are_not_stored(login: Any, people: Any, work: Any) -> None:
    client = login(people.staff)
    for path in ("/", "/tasks/", f"/tasks/{work.traffic.pk}/", "/statistics/", "/units/"):
        response = client.get(path)
        assert response.status_code == 200
        assert _no_store(response), path


def test_api_answers_and_file_downloads_are_not_stored(login: Any, api: Any, people: Any,
                                                       work: Any) -> None:
    attachment = services.document_attach(actor=people.staff, document=work.document,
                                          upload=SimpleUploadedFile("kh.pdf", PDF))
    download = login(people.staff).get(f"/documents/files/{attachment.pk}/")
    assert download.status_code == 200 and _no_store(download)
    assert _no_store(api(people.staff).get("/tasks"))


def test_static_files_keep_their_caching_for_signed_in_users(login: Any, people: Any) -> None:
    response = login(people.staff).get("/static/css/dondoc.css")
    assert response.status_code == 200
    assert not _no_store(response)


# Health check behind HTTPS -----------------------------------------------------------------


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_answers_on_plain_http_while_pages_redirect(db: None) -> None:
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


# Search folding ----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "folded"), [
    ("Đôn  đốc", "don doc"),
    ("Ｃảｎｈ ｓát", "canh sat"),  # full-width letters
    ("giao\u200bthông", "giaothong"),  # zero-width space
    ("quán\u200d triệt", "quan triet"),  # zero-width joiner
    ("\u202ecamera\u202c", "camera"),  # right-to-left override and pop
    ("\u200fPC08\u200e", "pc08"),  # direction marks
    ("\ufeffhồ sơ", "ho so"),  # byte order mark
    ("phòng\u00a0chống", "phong chong"),  # no-break space
    ("ﬁle", "file"),  # ligature
])
def test_fold_unifies_look_alike_text(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_a_name_typed_with_invisible_characters_is_found(login: Any, people: Any,
                                                         org: Any) -> None:
    page = login(people.staff).get("/units/", {"q": "c\u200bảnh\u200e sát giao"})
    assert "Phòng Cảnh sát giao thông" in page.content.decode()


def test_reindex_recomputes_search_text_stored_under_older_rules(org: Any) -> None:
    Unit.objects.filter(pk=org.pc08.pk).update(name="Ｐhòng\u200b CSGT",
                                               search_text="old form")
    changed = rebuild_search_text()
    assert changed["organization.Unit"] == 1
    assert Unit.objects.get(pk=org.pc08.pk).search_text.startswith("pc08 phong csgt")
    assert rebuild_search_text()["organization.Unit"] == 0


def test_dondoc_reindex_search_reports_what_it_changed(org: Any, capsys: Any) -> None:
    from dondoc.core.cli import main

    Unit.objects.filter(pk=org.pc06.pk).update(search_text="")
    main(["dondoc", "reindex-search"])
    assert "organization.Unit: 1 rows updated" in capsys.readouterr().out
