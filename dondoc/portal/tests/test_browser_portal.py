"""In a real browser: a visitor goes home → article → related news (phone and desktop);
an editor writes an article in the vendored rich-text editor and publishes it."""

from __future__ import annotations

import pytest

from dondoc.browser_support import browser_page, chromium_available, expect, screenshot
from dondoc.organization.tests.factories import DEFAULT_PASSWORD
from dondoc.portal.models import Article, ArticleStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed"),
]


def errors_into(errors: list[str]):  # type: ignore[no-untyped-def]
    return lambda message: errors.append(message.text) if message.type == "error" else None


@pytest.mark.django_db(transaction=True)
def test_visitor_reads_news_and_related_news_on_phone_and_desktop(live_server, make_article):
    first = make_article("Quán triệt Nghị quyết 12-NQ/TW", slug="quan-triet", featured=True,
                         summary="Hội nghị quán triệt")
    make_article("Tọa đàm Công an phường chính quy", slug="toa-dam")
    base = live_server.url
    for width, height in ((390, 844), (1366, 768)):
        with browser_page(width=width, height=height) as page:
            errors: list[str] = []
            page.on("console", errors_into(errors))
            page.goto(f"{base}/")
            assert page.url == f"{base}/portal/"
            expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
            screenshot(page, f"portal-home-{width}")
            page.locator("main").get_by_role("link", name=first.title).first.click()
            page.wait_for_url(f"{base}/portal/news/quan-triet/")
            expect(page.get_by_role("heading", name=first.title)).to_be_visible()
            related = page.get_by_role("region", name="Tin cùng chuyên mục")
            related.get_by_role("link", name="Tọa đàm Công an phường chính quy").click()
            page.wait_for_url(f"{base}/portal/news/toa-dam/")
            screenshot(page, f"portal-article-{width}")
            counter = page.locator(".odometer")
            assert counter.is_visible() or width < 992  # below the article on phones
            assert errors == []


@pytest.mark.django_db(transaction=True)
def test_editor_writes_in_the_rich_text_editor_and_publishes(live_server, editor, news):
    base = live_server.url
    with browser_page(width=1366, height=768) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/accounts/login/")
        page.locator("#id_username").fill(editor.username)
        page.locator("#id_password").fill(DEFAULT_PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/portal/manage/")
        page.get_by_role("link", name="Viết tin mới").click()
        page.locator("#id_title").fill("Ra mắt mô hình phường điển hình")
        page.locator("#id_category").select_option(str(news.pk))
        editor_box = page.locator("trix-editor")
        editor_box.click()
        page.keyboard.type("Công an phường ra mắt mô hình. ")
        page.locator("trix-toolbar button[data-trix-attribute=bold]").click()
        page.keyboard.type("Điển hình")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{base}/portal/manage/articles/*/")
        article = Article.objects.get()
        assert "<strong>Điển hình</strong>" in article.body
        page.get_by_role("button", name="Đăng", exact=True).click()
        page.wait_for_load_state()
        screenshot(page, "portal-editor")
        article.refresh_from_db()
        assert article.status == ArticleStatus.PUBLISHED and article.is_visible
        page.goto(f"{base}/portal/news/{article.slug}/")
        assert page.locator(".portal-body strong").inner_text() == "Điển hình"
        assert errors == []


@pytest.mark.django_db(transaction=True)
def test_every_section_of_the_menu_is_in_sight_on_a_phone(live_server, make_article):
    """At 390 px the section menu wraps: no item hides off the edge of the screen."""
    from dondoc.portal.models import Category

    for name in ("Chỉ đạo, điều hành", "Gương điển hình", "Tuyên truyền Nghị quyết 12"):
        Category.objects.create(name=name, slug=f"c-{Category.objects.count()}")
    make_article("Tin", slug="t")
    with browser_page(width=390, height=844) as page:
        page.goto(f"{live_server.url}/portal/category/tin-hoat-dong/")
        screenshot(page, "portal-menu-390")
        menu = page.get_by_role("navigation", name="Chuyên mục tin")
        links = menu.get_by_role("link")
        assert links.count() == 6
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert menu.locator("[aria-current=page]").inner_text() == "Tin hoạt động"


SMALLEST_AXIS_LABEL = """() => Math.min(...[...document.querySelectorAll('.target-chart text')]
    .map(label => label.getBoundingClientRect().height))"""


@pytest.mark.django_db(transaction=True)
def test_the_target_chart_on_a_progress_page_is_readable_on_a_phone(live_server, org):
    """The chart shrinks to the phone's width; its years and figures still read at about
    12 px, and nothing pushes the page sideways."""
    import datetime as dt
    from decimal import Decimal

    from dondoc.plans.models import AccessLevel
    from dondoc.plans.tests.factories import make_document
    from dondoc.targets.models import Measurement, Target

    document = make_document(org.pv01, access_level=AccessLevel.PUBLIC)
    target = Target.objects.create(
        document=document, owner_unit=org.pv01, name="Camera giám sát lắp đặt",
        measure_unit="camera", direction="higher", baseline_value=Decimal(0),
        baseline_date=dt.date(2023, 1, 1), target_value=Decimal(1570),
        target_date=dt.date(2026, 6, 30))
    for day, value in ((dt.date(2023, 12, 31), 380), (dt.date(2025, 6, 30), 1100)):
        Measurement.objects.create(target=target, period_end=day, value=Decimal(value))
    for width, height in ((390, 844), (1366, 768)):
        with browser_page(width=width, height=height) as page:
            page.goto(f"{live_server.url}/portal/progress/{document.pk}/")
            screenshot(page, f"portal-progress-{width}")
            assert page.locator(".target-chart text").count() >= 5
            assert page.evaluate(SMALLEST_AXIS_LABEL) >= 11
            assert page.evaluate("document.documentElement.scrollWidth") <= width
