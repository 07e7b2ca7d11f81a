"""Editors' writes: articles (sanitised, images re-encoded), publication, categories, web
links, which documents are public. Every write is audited; articles are versioned."""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from dondoc.audit import services as audit
from dondoc.audit.models import Action
from dondoc.core.concurrency import save_versioned
from dondoc.core.text import fold
from dondoc.plans.models import AccessLevel, Document
from dondoc.portal import cache
from dondoc.portal.models import Article, ArticleStatus, Category, Tag, WebLink
from dondoc.portal.sanitise import clean_html

MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_IMAGE_SIDE = 1600
ARTICLE_FIELDS = ["title", "slug", "summary", "body", "category", "featured", "status",
                  "published_at", "image", "image_caption", "image_width", "image_height",
                  "search_text"]


def slug_for(text: str, model: Any, exclude_pk: int | None = None) -> str:
    """An address from Vietnamese text ("Tin tức Đà Nẵng" → "tin-tuc-da-nang"), unique."""
    base = slugify(fold(text))[:180] or "tin"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def store_image(upload: UploadedFile) -> tuple[str, int, int]:
    """Re-encode an uploaded picture: at most 1600 px a side, no metadata (EXIF, GPS).

    Returns the stored name and the size. Anything Pillow cannot read as a picture, or a
    picture of more than 40 megapixels, is refused.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as source:
            picture = ImageOps.exif_transpose(source)
            picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            has_alpha = picture.mode in ("RGBA", "LA", "P")
            out = io.BytesIO()
            if has_alpha:
                picture.convert("RGBA").save(out, "PNG", optimize=True)
                extension = ".png"
            else:
                picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                extension = ".jpg"
            width, height = picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise ValidationError(
            _("The image could not be read: give a JPEG or PNG picture of at most "
              "40 megapixels."), code="bad_image") from error
    name = default_storage.save(f"portal/{uuid.uuid4().hex}{extension}",
                                ContentFile(out.getvalue()))
    return name, width, height


def tags_from_text(text: str) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(part.strip() for part in text.split(",")):
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name[:80]).first()
        if tag is None:
            tag = Tag.objects.create(name=name[:80], slug=slug_for(name, Tag))
        tags.append(tag)
    return tags


@transaction.atomic
def save_article(*, actor: Any, article: Article, data: dict[str, Any],
                 expected_version: int | None, image: UploadedFile | None,
                 tags_text: str) -> Article:
    """Create (``article.pk`` is None) or update an article from cleaned form data."""
    creating = article.pk is None
    before = {} if creating else audit.snapshot(article, ARTICLE_FIELDS)
    for name in ("title", "summary", "category", "featured", "image_caption"):
        setattr(article, name, data[name])
    body = data["body"]
    if "<" not in body:  # typed without the editor (no JavaScript): keep the paragraphs
        body = linebreaks(body, autoescape=True)
    article.body = clean_html(body)
    wanted = (data.get("slug") or "").strip()
    if creating or not article.slug or (wanted and wanted != article.slug):
        article.slug = slug_for(wanted or article.title, Article, exclude_pk=article.pk)
    if image is not None:
        article.image, article.image_width, article.image_height = store_image(image)
    elif data.get("remove_image"):
        article.image, article.image_width, article.image_height = "", None, None
    if creating:
        article.author = actor
        article.save()
    else:
        save_versioned(article, expected_version=expected_version or article.version,
                       fields=[f for f in ARTICLE_FIELDS if f != "status"
                               and f != "published_at"])
    article.tags.set(tags_from_text(tags_text))
    audit.record(actor=actor, action=Action.CREATE if creating else Action.UPDATE,
                 obj=article, message="portal article",
                 changes=audit.diff(before, audit.snapshot(article, ARTICLE_FIELDS)))
    cache.bump()
    return article


@transaction.atomic
def publish(*, actor: Any, article: Article, when: Any = None) -> Article:
    """Publish now, or at ``when`` (a future time schedules it)."""
    article.status = ArticleStatus.PUBLISHED
    article.published_at = when or timezone.now()
    Article.objects.filter(pk=article.pk).update(status=article.status,
                                                 published_at=article.published_at)
    audit.record(actor=actor, action=Action.UPDATE, obj=article, message="published",
                 changes={"status": [None, ArticleStatus.PUBLISHED],
                          "published_at": [None, article.published_at.isoformat()]})
    cache.bump()
    return article


@transaction.atomic
def unpublish(*, actor: Any, article: Article) -> Article:
    article.status = ArticleStatus.UNPUBLISHED
    Article.objects.filter(pk=article.pk).update(status=article.status)
    audit.record(actor=actor, action=Action.UPDATE, obj=article, message="unpublished",
                 changes={"status": [ArticleStatus.PUBLISHED, ArticleStatus.UNPUBLISHED]})
    cache.bump()
    return article


@transaction.atomic
def save_simple(*, actor: Any, obj: Category | WebLink, action: str) -> None:
    """Create or update a category or a web link (small reference objects)."""
    creating = obj.pk is None
    if isinstance(obj, Category) and not obj.slug:
        obj.slug = slug_for(obj.name, Category, exclude_pk=obj.pk)
    obj.save()
    audit.record(actor=actor, action=Action.CREATE if creating else Action.UPDATE, obj=obj,
                 changes=audit.snapshot(obj), message=action)
    cache.bump()


@transaction.atomic
def delete_simple(*, actor: Any, obj: Category | WebLink, action: str) -> None:
    if isinstance(obj, Category) and obj.articles.exists():
        raise ValidationError(_("This category still has articles: move them first."),
                              code="in_use")
    audit.record(actor=actor, action=Action.DELETE, obj=obj, changes=audit.snapshot(obj),
                 message=action)
    obj.delete()
    cache.bump()


@transaction.atomic
def set_document_public(*, actor: Any, document: Document, public: bool) -> None:
    """Show (public) or hide (internal) a document's aggregate progress on the portal."""
    old = document.access_level
    new = AccessLevel.PUBLIC if public else (
        AccessLevel.INTERNAL if old == AccessLevel.PUBLIC else old)
    if new == old:
        return
    Document.objects.filter(pk=document.pk).update(access_level=new)
    document.access_level = new
    audit.record(actor=actor, action=Action.UPDATE, obj=document, message="portal visibility",
                 changes={"access_level": [old, new]})
    cache.bump()
