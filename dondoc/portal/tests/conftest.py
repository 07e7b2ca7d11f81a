import pytest

from dondoc.organization.models import Role
from dondoc.organization.tests.factories import UserFactory
from dondoc.portal import visits
from dondoc.portal.models import Article, ArticleStatus, Category


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Counters live in process memory between flushes: each test starts from zero and
    flushes inline (a background thread would write outside the test's transaction)."""
    settings.PORTAL_FLUSH_IN_BACKGROUND = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "portal-tests"}}
    from django.core.cache import cache

    cache.clear()
    visits.reset_for_tests()
    yield
    visits.reset_for_tests()


@pytest.fixture
def editor(org):
    return UserFactory(username="editor", unit=org.pv01, role=Role.EDITOR, otp_exempt=True)


@pytest.fixture
def news(db):
    return Category.objects.create(name="Tin hoạt động", slug="tin-hoat-dong")


@pytest.fixture
def make_article(news):
    from django.utils import timezone

    def make(title="Tin tức", *, status=ArticleStatus.PUBLISHED, when=None, category=None,
             body="<p>Nội dung</p>", **extra):
        return Article.objects.create(
            title=title, slug=extra.pop("slug", None) or f"a-{Article.objects.count() + 1}",
            body=body, category=category or news, status=status,
            published_at=when or timezone.now(), **extra)

    return make
