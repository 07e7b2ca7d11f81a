"""What a visitor (no login) sees: only published news, aggregates of public documents."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from dondoc.plans.models import AccessLevel
from dondoc.plans.tests.factories import make_document, make_group, make_task
from dondoc.portal.models import ArticleStatus, Category, Tag

pytestmark = pytest.mark.django_db
UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def get(url, **extra):
    return Client().get(url, **{**UA, **extra})


def test_site_root_sends_visitors_to_the_portal_and_users_to_their_home(people, login):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert login(people.officer).get("/").status_code == 200


def test_unpublished_drafts_and_scheduled_news_are_invisible(make_article):
    make_article("Tin đã đăng", slug="da-dang")
    make_article("Bản nháp bí mật", slug="nhap", status=ArticleStatus.DRAFT)
    make_article("Tin đã gỡ", slug="go", status=ArticleStatus.UNPUBLISHED)
    make_article("Tin hẹn giờ", slug="hen-gio", when=timezone.now() + dt.timedelta(hours=2))
    pages = [get(url).content.decode() for url in
             ("/portal/", "/portal/category/tin-hoat-dong/", "/portal/search/?q=tin",
              "/portal/rss/", "/portal/atom/", "/portal/category/tin-hoat-dong/rss/")]
    for html in pages:
        assert "Tin đã đăng" in html
        for hidden in ("Bản nháp bí mật", "Tin đã gỡ", "Tin hẹn giờ"):
            assert hidden not in html
    assert get("/portal/news/da-dang/").status_code == 200
    for slug in ("nhap", "go", "hen-gio"):
        assert get(f"/portal/news/{slug}/").status_code == 404


def test_scheduled_news_appears_when_its_time_comes(make_article, time_machine):
    moment = timezone.now() + dt.timedelta(hours=2)
    make_article("Tin hẹn giờ", slug="hen-gio", when=moment)
    assert get("/portal/news/hen-gio/").status_code == 404
    time_machine.move_to(moment + dt.timedelta(minutes=1))
    assert get("/portal/news/hen-gio/").status_code == 200


def test_article_shows_related_news_of_its_category_only(make_article, news):
    other = Category.objects.create(name="Gương điển hình", slug="guong")
    article = make_article("Bài chính", slug="chinh")
    make_article("Cùng chuyên mục", slug="cung")
    make_article("Chuyên mục khác", slug="khac", category=other)
    make_article("Nháp cùng chuyên mục", slug="nhap", status=ArticleStatus.DRAFT)
    article.tags.add(Tag.objects.create(name="Nghị quyết 12", slug="nq12"))
    html = get("/portal/news/chinh/").content.decode()
    related = html.split("More in this category")[-1] if "More in" in html else html.split(
        "Tin cùng chuyên mục")[-1]
    assert "Cùng chuyên mục" in related
    assert "Chuyên mục khác" not in related and "Nháp cùng chuyên mục" not in related
    assert 'property="og:title" content="Bài chính"' in html
    assert "/portal/tag/nq12/" in html
    assert "Bài chính" in get("/portal/tag/nq12/").content.decode()


def test_search_ignores_diacritics(make_article):
    make_article("Quán triệt Nghị quyết 12", slug="qt")
    make_article("Tin khác hẳn", slug="khac")
    html = get("/portal/search/?q=quan triet nghi quyet").content.decode()
    assert "Quán triệt Nghị quyết 12" in html and "Tin khác hẳn" not in html


def test_feeds_are_valid_rss_and_atom(make_article):
    make_article("Tin RSS", slug="rss")
    rss = ET.fromstring(get("/portal/rss/").content)  # noqa: S314 — our own feed
    assert [i.findtext("title") for i in rss.iter("item")] == ["Tin RSS"]
    atom = ET.fromstring(get("/portal/atom/").content)  # noqa: S314
    ns = "{http://www.w3.org/2005/Atom}"
    assert [e.findtext(f"{ns}title") for e in atom.iter(f"{ns}entry")] == ["Tin RSS"]
    assert get("/portal/category/khong-co/rss/").status_code == 404


def test_public_progress_shows_aggregates_never_tasks(org, people):
    document = make_document(org.pv01, access_level=AccessLevel.PUBLIC,
                             title="Kế hoạch công khai")
    group = make_group(document, number="I", title="Tuyên truyền, quán triệt")
    titles = ["Nhiệm vụ mật số một về nhân sự", "Nhiệm vụ mật số hai về trụ sở"]
    for title in titles:
        make_task(document, org.pc08, title=title, group=group)
    internal = make_document(org.pv01, title="Kế hoạch nội bộ")
    html = get(f"/portal/progress/{document.pk}/").content.decode()
    assert "Kế hoạch công khai" in html and "Tuyên truyền, quán triệt" in html
    for secret in [*titles, org.pc08.name, people.manager.last_name, "PC08"]:
        assert secret not in html
    assert ">2<" in html  # two tasks counted
    assert get(f"/portal/progress/{internal.pk}/").status_code == 404
    assert "Kế hoạch nội bộ" not in get("/portal/progress/").content.decode()


def test_public_progress_shows_a_section_repeated_by_an_implementing_plan_once(org):
    """A plan implementing a public document repeats its sections: one row per section,
    its figures added, each figure labelled for the phone layout."""
    from dondoc.portal import selectors

    document = make_document(org.pv01, access_level=AccessLevel.PUBLIC)
    plan = make_document(org.pc08, parent=document)
    for owner, count in ((document, 2), (plan, 1)):
        section = make_group(owner, number="I", title="Tuyên truyền, quán triệt")
        for _ in range(count):
            make_task(owner, org.pc08, group=section, due_date=dt.date(2024, 3, 31))
    make_task(plan, org.pc08, group=make_group(plan, number="II", title="Tổ chức bộ máy"),
              assigned_on=dt.date(2023, 5, 2), due_date=dt.date(2025, 6, 30))
    progress = selectors.public_progress(document, dt.date(2024, 1, 15))
    assert [(g.number, g.title, g.total) for g in progress.groups] == [
        ("I", "Tuyên truyền, quán triệt", 3), ("II", "Tổ chức bộ máy", 1)]
    assert (progress.start, progress.end) == (dt.date(2023, 5, 2), dt.date(2025, 6, 30))
    html = get(f"/portal/progress/{document.pk}/").content.decode()
    assert html.count("I. Tuyên truyền, quán triệt</th>") == 1
    assert 'data-label="Đã hoàn thành">0</td>' in html and 'data-label="Nhiệm vụ">3</td>' in html
    # The timeline names each bar: the section, its dates, then its bar, one item each.
    import re

    items = re.findall(r"<li><span class=\"small\">([^<]*)</span>\s*<svg class=\"tl-row\"", html)
    assert items == ["I. Tuyên truyền, quán triệt: 10/01/2024 – 31/03/2024",
                     "II. Tổ chức bộ máy: 02/05/2023 – 30/06/2025"]


def test_image_of_an_unpublished_article_is_not_served(make_article, tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("portal/x.jpg", ContentFile(b"\xff\xd8\xffdata"))
    shown = make_article("Có ảnh", slug="anh", image=name)
    hidden = make_article("Nháp có ảnh", slug="nhap-anh", image=name,
                          status=ArticleStatus.DRAFT)
    assert get(f"/portal/images/{shown.pk}/").status_code == 200
    assert get(f"/portal/images/{hidden.pk}/").status_code == 404


def test_home_page_queries_are_bounded(make_article, django_assert_max_num_queries):
    for n in range(30):
        make_article(f"Tin {n}", slug=f"t{n}", featured=n < 3)
    get("/portal/")  # warm: salts, cache version
    with django_assert_max_num_queries(12):
        assert get("/portal/").status_code == 200


def test_english_is_available_from_a_link_that_cannot_redirect_away(make_article):
    make_article("Tin", slug="t")
    assert "Tin mới" in get("/portal/").content.decode()
    client = Client()
    response = client.get("/portal/language/en/?next=/portal/news/t/", **UA)
    assert response.status_code == 302 and response["Location"] == "/portal/news/t/"
    assert "Latest news" in client.get("/portal/", **UA).content.decode()
    assert "Search news" in client.get("/portal/news/t/", **UA).content.decode()
    away = client.get("/portal/language/vi/?next=https://evil.example/", **UA)
    assert away["Location"] == "/portal/"
    assert "Tin mới" in client.get("/portal/", **UA).content.decode()


def test_the_cached_home_page_carries_no_per_visitor_token(make_article):
    make_article("Tin", slug="t")
    first, second = get("/portal/"), get("/portal/")
    assert b"csrfmiddlewaretoken" not in second.content
    assert first.content == second.content


def test_public_progress_shows_the_whole_targets_trajectory_not_the_units(org, people):
    from decimal import Decimal

    from dondoc.targets.models import Measurement, Target, TargetUnit

    document = make_document(org.pv01, access_level=AccessLevel.PUBLIC)
    target = Target.objects.create(
        document=document, owner_unit=org.pv01, name="Camera giám sát lắp đặt",
        measure_unit="camera", direction="higher", baseline_value=Decimal(0),
        baseline_date=dt.date(2023, 1, 1), target_value=Decimal(1000),
        target_date=dt.date(2025, 12, 31))
    TargetUnit.objects.create(target=target, unit=org.pc08, target_value=Decimal(300))
    Measurement.objects.create(target=target, period_end=dt.date(2024, 6, 30),
                               value=Decimal(700), note="Tổng hợp")
    Measurement.objects.create(target=target, unit=org.pc08, period_end=dt.date(2024, 6, 30),
                               value=Decimal(123), note="Đơn vị")
    html = get(f"/portal/progress/{document.pk}/").content.decode()
    assert "Camera giám sát lắp đặt" in html
    assert "Chỉ tiêu: 1.000 camera đến 31/12/2025" in html
    assert "đạt 700 ngày 30/06/2024" in html
    assert "<polyline" in html and "Đúng tiến độ" in html  # 700 by mid-2024 is ahead of plan
    assert org.pc08.name not in html and "123" not in html
