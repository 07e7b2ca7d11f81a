"""Editors write and publish news; they see no task data; every write is audited."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from dondoc.audit.models import AuditEvent
from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory
from dondoc.plans.models import AccessLevel, Document
from dondoc.plans.tests.factories import make_document, make_task
from dondoc.portal.models import Article, ArticleStatus, WebLink

pytestmark = pytest.mark.django_db
UA = {"HTTP_USER_AGENT": "Mozilla/5.0 Firefox/130.0"}


def jpeg_with_exif(width=3000, height=2000) -> bytes:
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {1: "N"}  # GPS info
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


def article_data(news, **extra):
    return {"title": "Quán triệt Nghị quyết", "slug": "", "category": news.pk,
            "summary": "Tóm tắt", "body": "<p>Nội dung <script>alert(1)</script></p>",
            "featured": "", "image_caption": "", "tags_text": "Nghị quyết 12, Tuyên truyền",
            "version": 1, **extra}


def test_editor_writes_an_article_sanitised_with_its_picture_resized_and_stripped(
        editor, login, news, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(editor)
    upload = SimpleUploadedFile("anh.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client.post("/portal/manage/articles/new/",
                           {**article_data(news), "image_upload": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.slug == "quan-triet-nghi-quyet"
    assert "<script" not in article.body and "Nội dung" in article.body
    assert sorted(t.name for t in article.tags.all()) == ["Nghị quyết 12", "Tuyên truyền"]
    assert article.status == ArticleStatus.DRAFT
    stored = Image.open(tmp_path / article.image.name)
    assert max(stored.size) == 1600
    assert not stored.getexif()
    assert b"SecretCamera" not in (tmp_path / article.image.name).read_bytes()
    assert AuditEvent.objects.filter(action="create", object_type="portal.article",
                                     object_id=str(article.pk)).exists()
    # A draft's picture is for editors only.
    assert client.get(f"/portal/images/{article.pk}/").status_code == 200
    assert Client().get(f"/portal/images/{article.pk}/", **UA).status_code == 404


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_saved(editor, login, news):
    upload = SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff not really a jpeg",
                                content_type="image/jpeg")
    response = login(editor).post("/portal/manage/articles/new/",
                                  {**article_data(news), "image_upload": upload})
    assert response.status_code == 200
    assert "JPEG" in response.content.decode()
    assert not Article.objects.exists()


def test_empty_content_and_bad_publication_time_give_clear_errors(editor, login, news,
                                                                  make_article):
    client = login(editor)
    response = client.post("/portal/manage/articles/new/",
                           article_data(news, body="<script>x</script>"))
    assert response.status_code == 200 and not Article.objects.exists()
    assert "Viết nội dung" in response.content.decode()
    article = make_article("Nháp", status=ArticleStatus.DRAFT, slug="nhap")
    response = client.post(f"/portal/manage/articles/{article.pk}/publish/",
                           {"publish_at": "31/02/2026 25:00"}, follow=True)
    assert "dd/mm/yyyy hh:mm" in response.content.decode()
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_publish_schedule_and_unpublish(editor, login, make_article):
    client = login(editor)
    article = make_article("Tin", status=ArticleStatus.DRAFT, slug="tin")
    later = timezone.localtime() + dt.timedelta(days=1)
    client.post(f"/portal/manage/articles/{article.pk}/publish/",
                {"publish_at": later.strftime("%d/%m/%Y %H:%M")})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and not article.is_visible
    assert Client().get("/portal/news/tin/", **UA).status_code == 404
    client.post(f"/portal/manage/articles/{article.pk}/publish/", {"publish_at": ""})
    assert Client().get("/portal/news/tin/", **UA).status_code == 200
    client.post(f"/portal/manage/articles/{article.pk}/unpublish/")
    assert Client().get("/portal/news/tin/", **UA).status_code == 404
    messages = list(AuditEvent.objects.filter(
        object_type="portal.article", object_id=str(article.pk)).values_list("message", flat=True))
    assert messages.count("published") == 2 and "unpublished" in messages


def test_concurrent_edits_do_not_overwrite(editor, login, news, make_article):
    article = make_article("Gốc", slug="goc")
    client = login(editor)
    first = client.post(f"/portal/manage/articles/{article.pk}/",
                        article_data(news, title="Sửa lần một", slug="goc"))
    assert first.status_code == 302
    stale = client.post(f"/portal/manage/articles/{article.pk}/",
                        article_data(news, title="Sửa cũ", slug="goc"))
    assert stale.status_code == 200
    article.refresh_from_db()
    assert article.title == "Sửa lần một"


def test_edit_after_publication_shows_at_once_on_the_cached_home(editor, login, news,
                                                                 make_article):
    article = make_article("Tiêu đề cũ", slug="cu")
    assert "Tiêu đề cũ" in Client().get("/portal/", **UA).content.decode()
    login(editor).post(f"/portal/manage/articles/{article.pk}/",
                       article_data(news, title="Tiêu đề mới", slug="cu"))
    html = Client().get("/portal/", **UA).content.decode()
    assert "Tiêu đề mới" in html and "Tiêu đề cũ" not in html


def test_editors_see_no_task_data(editor, login, org):
    document = make_document(org.pv01)
    task = make_task(document, org.pv01)
    client = login(editor)
    assert client.get("/").status_code == 302
    for url in ("/tasks/", f"/tasks/{task.pk}/", f"/documents/{document.pk}/", "/units/",
                "/statistics/", "/api/v1/tasks", "/audit/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/portal/manage/").status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICER, Role.UNIT_MANAGER, Role.VIEWER, Role.LEADER,
                                  Role.INSPECTOR])
def test_other_roles_cannot_edit_the_portal(org, login, role, news, make_article):
    user = UserFactory(username=f"u-{role}", unit=org.pc08, role=role, otp_exempt=True)
    client = login(user)
    article = make_article("Tin", slug="tin")
    assert client.get("/portal/manage/").status_code == 403
    assert client.post("/portal/manage/articles/new/", article_data(news)).status_code == 403
    assert client.post(f"/portal/manage/articles/{article.pk}/unpublish/").status_code == 403
    assert Article.objects.count() == 1 and Article.objects.get().status == "published"


def test_editors_need_two_factor_like_administrators(org, client):
    from dondoc.organization.tests.factories import DEFAULT_PASSWORD

    UserFactory(username="ed2", unit=org.pv01, role=Role.EDITOR, otp_exempt=False)
    client.post("/accounts/login/", {"username": "ed2", "password": DEFAULT_PASSWORD})
    response = client.get("/portal/manage/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_staff_publish_only_documents_of_their_scope(people, login, org):
    own = make_document(org.pc08)
    other = make_document(org.other)
    client = login(people.staff)
    assert client.post("/portal/manage/documents/", {"document": own.pk, "public": "1"}
                       ).status_code == 302
    assert Document.objects.get(pk=own.pk).access_level == AccessLevel.PUBLIC
    assert client.post("/portal/manage/documents/", {"document": other.pk, "public": "1"}
                       ).status_code == 404
    assert Document.objects.get(pk=other.pk).access_level == AccessLevel.INTERNAL
    assert client.post("/portal/manage/documents/", {"document": "x"}).status_code == 404


def test_web_links_and_categories(editor, login):
    client = login(editor)
    response = client.post("/portal/manage/links/", {"title": "Bộ Công an",
                                                     "url": "javascript:alert(1)",
                                                     "position": 1, "active": "on"})
    assert response.status_code == 200 and not WebLink.objects.exists()
    client.post("/portal/manage/links/", {"title": "Bộ Công an", "url": "bocongan.gov.vn",
                                          "position": 1, "active": "on"})
    assert WebLink.objects.get().url == "https://bocongan.gov.vn"
    client.post("/portal/manage/categories/", {"name": "Tin Đà Nẵng", "slug": "",
                                               "position": 1})
    assert "Tin Đà Nẵng" in Client().get("/portal/", **UA).content.decode()
