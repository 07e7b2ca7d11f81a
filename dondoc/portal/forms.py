"""Editors' forms. The article body comes from the vendored Trix editor (a hidden field
it fills) or, without JavaScript, from a plain text area; either way it is sanitised."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dondoc.core.dates import DayOutOfRange, parse_day
from dondoc.core.forms import VersionedFormMixin, replace_dashes
from dondoc.portal.models import Article, Category, WebLink

BODY_MAX = 200_000
TIME_FORMAT_HELP = _("dd/mm/yyyy hh:mm, e.g. 01/12/2026 08:00. Empty: now.")


class ArticleForm(VersionedFormMixin, forms.ModelForm):
    body = forms.CharField(label=_("Content"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 12, "class": "js-trix-source"}))
    tags_text = forms.CharField(label=_("Tags"), required=False, max_length=500,
                                help_text=_("Separated by commas."))
    image_upload = forms.FileField(label=_("Image"), required=False,
                                   help_text=_("JPEG or PNG; resized to 1,600 px, "
                                               "metadata removed."))
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)

    class Meta:
        model = Article
        fields = ["title", "slug", "category", "summary", "body", "featured", "image_caption"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Empty: made from the title.")
        replace_dashes(self.fields["category"])
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(
                tag.name for tag in self.instance.tags.all())

    def clean_image_upload(self) -> Any:
        upload = self.cleaned_data.get("image_upload")
        if upload and upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The image is larger than 10 MB."), code="too_big")
        return upload

    def clean_body(self) -> str:
        from dondoc.portal.sanitise import clean_html

        body = self.cleaned_data["body"]
        if not clean_html(body):
            raise forms.ValidationError(_("Write the content of the article."), code="empty")
        return body


def parse_moment(text: str) -> dt.datetime:
    """"dd/mm/yyyy hh:mm" (or a day alone, 00:00) in the local time zone."""
    text = " ".join(text.split())
    day_text, _sep, time_text = text.partition(" ")
    day = parse_day(day_text)
    if day is None:
        raise ValueError(text)
    hour, minute = 0, 0
    if time_text:
        parts = time_text.replace("h", ":").split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(time_text)
        hour, minute = int(parts[0]), int(parts[1])
    moment = dt.datetime.combine(day, dt.time(hour, minute))  # raises for 25:00
    return timezone.make_aware(moment)


class PublishForm(forms.Form):
    publish_at = forms.CharField(label=_("Publication time"), required=False, max_length=40,
                                 help_text=TIME_FORMAT_HELP)

    def clean_publish_at(self) -> dt.datetime | None:
        text = self.cleaned_data["publish_at"].strip()
        if not text:
            return None
        try:
            return parse_moment(text)
        except (ValueError, DayOutOfRange):
            raise forms.ValidationError(
                _("Give the time as dd/mm/yyyy hh:mm, e.g. 01/12/2026 08:00."),
                code="invalid") from None


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Empty: made from the name.")


class WebLinkForm(forms.ModelForm):
    url = forms.URLField(label=_("Link address"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebLink
        fields = ["title", "url", "position", "active"]
