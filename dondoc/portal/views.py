"""The public portal (no login) and the editors' pages."""

from __future__ import annotations

from functools import wraps
from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dondoc.core.concurrency import ConflictError
from dondoc.organization import scoping
from dondoc.plans.models import AccessLevel
from dondoc.portal import cache, selectors, services, visits
from dondoc.portal.forms import ArticleForm, CategoryForm, PublishForm, WebLinkForm
from dondoc.portal.models import Article, ArticleStatus, Category, Tag, WebLink

MAX_PAGE = 1000


# -- public pages ---------------------------------------------------------------------------

def _page(request: HttpRequest, items: QuerySet[Any], size: int = selectors.PAGE_SIZE) -> Any:
    text = request.GET.get("page", "1")
    number = int(text) if text.isdigit() and 0 < int(text) <= MAX_PAGE else 1
    return Paginator(items, size).get_page(number)


def _public(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    visits.record(request)
    context.setdefault("stats", visits.stats())
    context.setdefault("categories", _cached("categories", request,
                                             selectors.categories_with_counts))
    context.setdefault("web_links", _cached("links", request, selectors.web_links))
    return render(request, template, context)


def _cached(name: str, request: HttpRequest, compute: Any) -> Any:
    """A block shared by the portal's pages, cached per language and content version."""
    key = cache.page_key(name, request.LANGUAGE_CODE)
    value = django_cache.get(key)
    if value is None:
        value = compute()
        django_cache.set(key, value, cache.PAGE_TTL_S)
    return value


def home(request: HttpRequest) -> HttpResponse:
    """The portal's home page.

    For visitors (not signed in) the whole page is cached for ``cache.HOME_TTL_S`` (5 s)
    per language and content version, so that a busy day costs one render every few
    seconds; an editor's write changes the version, and the visitor counter on it is
    at most those seconds old. The view is counted on every request.
    """
    visits.record(request)
    language = request.LANGUAGE_CODE
    anonymous = not request.user.is_authenticated
    key = cache.page_key("homepage", language)
    if anonymous:
        body = django_cache.get(key)
        if body is not None:
            return HttpResponse(body)
    response = render(request, "portal/home.html", {
        "blocks": _cached("blocks", request, lambda: render_to_string(
            "portal/_home_blocks.html", _home_blocks(), request=request)),
        "stats": visits.stats(),
        "categories": _cached("categories", request, selectors.categories_with_counts),
        "web_links": _cached("links", request, selectors.web_links),
    })
    if anonymous:
        django_cache.set(key, response.content, cache.HOME_TTL_S)
    return response


def _home_blocks() -> dict[str, Any]:
    articles = selectors.public_articles()
    return {"featured": list(articles.filter(featured=True)[:3]),
            "latest": list(articles[:10]),
            "documents": list(selectors.public_documents()[:6])}


def language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the portal's language with a link (the portal's pages carry no form, so
    they can be cached); signed-in users keep the language of their account."""
    from django.conf import settings
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("portal:home")
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(selectors.public_articles(), slug=slug)
    return _public(request, "portal/article.html", {
        "article": article, "tags": selectors.tags_of(article),
        "related": selectors.related_articles(article),
        "absolute_url": request.build_absolute_uri(),
    })


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    page = _page(request, selectors.public_articles().filter(category=category))
    return _public(request, "portal/list.html", {
        "heading": category.name, "page": page, "category": category})


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    page = _page(request, selectors.public_articles().filter(tags=tag))
    return _public(request, "portal/list.html", {
        "heading": _("Tag: %(name)s") % {"name": tag.name}, "page": page})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    page = _page(request, selectors.search_articles(query)) if query else None
    return _public(request, "portal/list.html", {
        "heading": _("Search"), "page": page, "query": query, "searching": True})


def image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An article's picture: public once the article is, and to editors before."""
    article = get_object_or_404(Article, pk=pk)
    if not article.image or not (article.is_visible or scoping.can_edit_portal(request.user)):
        raise Http404
    name = article.image.name or ""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png" if name.endswith(".png")
                            else "image/jpeg")
    response["Cache-Control"] = "public, max-age=86400" if article.is_visible else "private"
    return response


def progress_list(request: HttpRequest) -> HttpResponse:
    return _public(request, "portal/progress_list.html", {
        "documents": list(selectors.public_documents())})


def progress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(selectors.public_documents(), pk=pk)
    progress = selectors.public_progress(document, timezone.localdate())
    targets = selectors.public_targets(selectors.document_tree_ids(document))
    return _public(request, "portal/progress.html", {"progress": progress,
                                                    "bars": _bars(progress),
                                                    "targets": targets})


def _bars(progress: selectors.PublicProgress) -> dict[str, Any] | None:
    """The public timeline: one bar per task group over the document's span, in per cent
    of the span (an SVG with a 0–100 view box under the group's name), and today's line."""
    if progress.start is None or progress.end is None or progress.end <= progress.start:
        return None
    span = (progress.end - progress.start).days
    rows: list[dict[str, Any]] = []
    for group in progress.groups:
        if group.first_day is None or group.last_day is None:
            continue
        left = 100 * (group.first_day - progress.start).days / span
        width = max(0.5, 100 * (group.last_day - group.first_day).days / span)
        rows.append({"group": group, "x": f"{left:.2f}", "width": f"{width:.2f}"})
    if not rows:
        return None
    today = 100 * (timezone.localdate() - progress.start).days / span
    return {"rows": rows, "today": f"{min(max(today, 0), 100):.2f}"}


class ArticlesFeed(Feed):
    """RSS 2.0 of the latest news, of all or of one category."""

    description_template = "portal/feed_item.html"

    def get_object(self, request: HttpRequest, slug: str | None = None) -> Category | None:
        return get_object_or_404(Category, slug=slug) if slug else None

    def title(self, obj: Category | None) -> str:
        return f"{_('News')} — {obj.name}" if obj else _("News")

    def link(self, obj: Category | None) -> str:
        return (reverse("portal:category", args=[obj.slug]) if obj
                else reverse("portal:home"))

    def description(self, obj: Category | None) -> str:
        return self.title(obj)

    def items(self, obj: Category | None) -> Any:
        articles = selectors.public_articles()
        return (articles.filter(category=obj) if obj else articles)[:20]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_link(self, item: Article) -> str:
        return reverse("portal:article", args=[item.slug])

    def item_pubdate(self, item: Article) -> Any:
        return item.published_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name]


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = Atom1Feed
    subtitle = ArticlesFeed.description


# -- editors --------------------------------------------------------------------------------

def editor_required(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not scoping.can_edit_portal(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapper


@editor_required
def manage(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.select_related("category", "author").order_by("-updated_at")
    status = request.GET.get("status", "")
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    return render(request, "portal/manage/articles.html", {
        "page": _page(request, articles, 25), "status": status,
        "statuses": ArticleStatus.choices, "now": timezone.now()})


@editor_required
@csp_update({"style-src": [NONCE]})  # Trix adds its default styles with this page's nonce
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk) if pk else Article()
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_article(actor=request.user, article=article, data=data,
                                  expected_version=form.expected_version if pk else None,
                                  image=data.get("image_upload"), tags_text=data["tags_text"])
        except ValidationError as error:
            form.add_error("image_upload", error)
        except ConflictError:
            form.add_error(None, _("Someone else changed this article while you were "
                                   "editing. Reload the page and make your change again."))
        else:
            messages.success(request, _("The article was saved."))
            return redirect("portal:manage_article", pk=article.pk)
    return render(request, "portal/manage/article_form.html", {
        "form": form, "article": article if pk else None,
        "publish_form": PublishForm()})


@editor_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("publish_at", []):
            messages.error(request, str(error))
        return redirect("portal:manage_article", pk=pk)
    services.publish(actor=request.user, article=article, when=form.cleaned_data["publish_at"])
    if article.published_at and article.published_at > timezone.now():
        messages.success(request, _("The article will be published at %(time)s.") % {
            "time": timezone.localtime(article.published_at).strftime("%d/%m/%Y %H:%M")})
    else:
        messages.success(request, _("The article is published."))
    return redirect("portal:manage_article", pk=pk)


@editor_required
@require_POST
def article_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    services.unpublish(actor=request.user, article=get_object_or_404(Article, pk=pk))
    messages.success(request, _("The article is no longer public."))
    return redirect("portal:manage_article", pk=pk)


def _simple_manage(request: HttpRequest, model: Any, form_class: Any, action: str,
                   template: str, pk: int | None) -> HttpResponse:
    obj = get_object_or_404(model, pk=pk) if pk else model()
    if request.method == "POST" and request.POST.get("delete") and pk:
        try:
            services.delete_simple(actor=request.user, obj=obj, action=action)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deleted."))
        return redirect(f"portal:{template}s")
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        services.save_simple(actor=request.user, obj=form.save(commit=False), action=action)
        messages.success(request, _("Saved."))
        return redirect(f"portal:{template}s")
    return render(request, "portal/manage/reference.html", {
        "form": form, "editing": obj if pk else None, "items": list(model.objects.all()),
        "tab": "links" if model is WebLink else "categories"})


@editor_required
def categories(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _simple_manage(request, Category, CategoryForm, "portal.category", "category", pk)


@editor_required
def links(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _simple_manage(request, WebLink, WebLinkForm, "portal.link", "link", pk)


@editor_required
def documents(request: HttpRequest) -> HttpResponse:
    """Which documents show their aggregate progress on the portal (number and title only
    are listed here: editors see no task data)."""
    if request.method == "POST":
        pk = request.POST.get("document", "")
        document = get_object_or_404(scoping.documents_publishable_by(request.user),
                                     pk=int(pk) if pk.isdigit() else 0)
        services.set_document_public(actor=request.user, document=document,
                                     public=request.POST.get("public") == "1")
        messages.success(request, _("Saved."))
        return redirect("portal:manage_documents")
    rows = scoping.documents_publishable_by(request.user).order_by("-issue_date", "pk").only(
        "pk", "number", "title", "issue_date", "access_level")
    return render(request, "portal/manage/documents.html", {
        "documents": rows, "public": AccessLevel.PUBLIC})
