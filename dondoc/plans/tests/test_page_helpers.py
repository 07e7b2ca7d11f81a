"""The helpers that draw parts of the task pages in Python or remember them: the same
markup as the template code they replace, in either language, for every kind of user."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import resolve
from django.utils import translation

from dondoc.plans.rows import task_url_parts

SAIGON = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def draw(source: str, **context: Any) -> str:
    return Template("{% load dondoc %}" + source).render(Context(context))


@pytest.mark.parametrize("value", [
    dt.date(2025, 3, 7), dt.date(2024, 12, 31), dt.date(987, 1, 2),
    dt.datetime(2025, 3, 6, 18, 30, tzinfo=dt.UTC),  # 7 March in Hà Nội
    dt.datetime(2025, 3, 6, 16, 59, tzinfo=dt.UTC),
    dt.datetime(2025, 3, 7, 0, 1, tzinfo=SAIGON),
    None, "", "not a date", 0,
])
def test_dmy_is_the_date_filter_with_d_m_y(value: Any) -> None:
    assert draw("{{ v|dmy }}", v=value) == draw('{{ v|date:"d/m/Y" }}', v=value)


def test_asset_is_the_static_url_and_follows_the_settings() -> None:
    source = "{% load static %}{% static 'css/dondoc.css' %}|{% asset 'css/dondoc.css' %}"
    static, asset = draw(source).split("|")
    assert asset == static
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND":
                                "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STATIC_URL="/elsewhere/", STORAGES=storages):
        assert draw("{% asset 'css/dondoc.css' %}") == "/elsewhere/css/dondoc.css"
    assert draw("{% asset 'css/dondoc.css' %}") == static


def test_document_options_are_the_template_loop() -> None:
    loop = ('{% for doc in documents %}<option value="{{ doc.pk }}"'
            '{% if chosen == doc.pk %} selected{% endif %}>{{ doc.number }} — '
            "{{ doc.title|truncatechars:70 }}</option>{% endfor %}")
    documents = [SimpleNamespace(pk=1, number="118-KH/ĐUCA", title="Kế hoạch <b>&</b> \"x\""),
                 SimpleNamespace(pk=2, number="<i>", title="Triển khai " + "rất dài " * 20),
                 SimpleNamespace(pk=3, number="12", title="")]
    for chosen in (None, 1, 2, 9):
        assert (draw("{% document_options documents chosen %}", documents=documents,
                     chosen=chosen)
                == draw(loop, documents=documents, chosen=chosen))


def test_task_urls_are_built_around_the_id() -> None:
    head, tail = task_url_parts()
    assert f"{head}812{tail}" == "/tasks/812/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tasks/", "/tasks/mine/", "/", "/documents/",
                                  "/statistics/"])
def test_the_remembered_menu_is_the_menu_of_each_user_and_page(people: Any, path: str
                                                               ) -> None:
    """Every kind of user on several pages, in both languages, twice (drawn, then
    remembered): the same markup as the menu template itself."""
    menu = Template('{% include "components/_nav_items.html" %}')
    remembered = Template("{% load dondoc %}{% nav_items %}")
    for user in vars(people).values():
        for audit in (False, True):
            request = RequestFactory().get(path)
            request.user = user
            request.resolver_match = resolve(path)
            context = {"request": request, "user": user, "can_read_audit": audit}
            for language in ("vi", "en"):
                with translation.override(language):
                    expected = menu.render(Context(context))
                    for _ in range(2):
                        assert remembered.render(Context(context)) == expected
