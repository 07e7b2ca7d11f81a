"""What the public portal publishes: news in categories with tags, web links, and the
visitor counters (per day, without personal data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dondoc.core.models import SearchTextMixin, VersionedModel
from dondoc.core.text import fold


class Category(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("web address"), max_length=120, unique=True,
                            help_text=_("Letters, digits and hyphens, as in the web address."))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class PublishedQuerySet(models.QuerySet["Article"]):
    def public(self) -> PublishedQuerySet:
        """What a visitor may see now: published, and its publication time has come."""
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now())


class Article(SearchTextMixin, VersionedModel):
    """A news item. ``body`` is HTML already sanitised by ``portal.sanitise`` on save."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("web address"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("content"))
    category = models.ForeignKey(Category, verbose_name=_("category"),
                                 on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True,
                                  related_name="articles")
    featured = models.BooleanField(_("featured"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    published_at = models.DateTimeField(
        _("publication time"), null=True, blank=True,
        help_text=_("A time in the future schedules the publication."))
    image = models.FileField(_("image"), upload_to="", max_length=300, blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    search_text = models.TextField(editable=False, default="")

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def compute_search_text(self) -> str:
        from django.utils.html import strip_tags

        return fold(" ".join([self.title, self.summary, strip_tags(self.body)]))

    @property
    def is_visible(self) -> bool:
        return (self.status == ArticleStatus.PUBLISHED and self.published_at is not None
                and self.published_at <= timezone.now())


class WebLink(models.Model):
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link address"), max_length=500)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("web link")
        verbose_name_plural = _("web links")

    def __str__(self) -> str:
        return self.title


class VisitDay(models.Model):
    """Page views and unique visitors of one local day (Asia/Ho_Chi_Minh)."""

    day = models.DateField(_("day"), unique=True)
    views = models.PositiveBigIntegerField(_("page views"), default=0)
    visitors = models.PositiveIntegerField(_("unique visitors"), default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.views}"


class VisitorSeen(models.Model):
    """A visitor key seen on a day: a hash with that day's random salt, never an address.
    Kept only for today and yesterday (to count unique visitors), then deleted."""

    day = models.DateField()
    key = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "key"], name="portal_visitor_once")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.key[:8]}…"


class VisitSalt(models.Model):
    """The random salt of one day; deleted with the day's visitor keys."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"
