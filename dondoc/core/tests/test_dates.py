"""Every date field reads the spellings people type: 30062026, 30.06.2026, 30-06-2026,
30/6/2026 — on forms, in list filters, in Vietnamese and in English."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation

import dondoc
from dondoc.core.dates import parse_day
from dondoc.core.forms import DateInput, DayField
from dondoc.plans.tests.factories import make_document, make_task

JUNE_30 = dt.date(2026, 6, 30)


@pytest.mark.parametrize("text", [
    "30/06/2026", "30/6/2026", "30.06.2026", "30-06-2026", "30 06 2026", "30062026",
    " 30.6.2026 ", "2026-06-30",
])
def test_every_spelling_of_a_day_reads_as_that_day(text) -> None:
    assert parse_day(text) == JUNE_30


def test_single_digit_days_and_months_read_day_first() -> None:
    assert parse_day("3/6/2026") == dt.date(2026, 6, 3)
    assert parse_day("03062026") == dt.date(2026, 6, 3)


@pytest.mark.parametrize("text", [
    "31/02/2026", "32.01.2026", "30/13/2026", "3062026", "300620266", "30/06/26",
    "30/06-2026", "hôm nay", "30/06/2026x", "2026/06/30",
])
def test_what_is_not_a_day_is_refused(text) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


def test_empty_is_no_day() -> None:
    assert parse_day("") is None
    assert parse_day("  ") is None
    assert parse_day(None) is None


def _form_classes() -> list[type[forms.BaseForm]]:
    found: list[type[forms.BaseForm]] = []
    for module_info in pkgutil.walk_packages(dondoc.__path__, "dondoc."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, forms.BaseForm) and value.__module__ == module.__name__
                    and hasattr(value, "base_fields")):
                found.append(value)
    return found


def test_every_date_field_of_every_form_is_the_one_day_field() -> None:
    classes = _form_classes()
    dated = [(cls, name) for cls in classes for name, field in cls.base_fields.items()
             if isinstance(field, forms.DateField)]
    assert len(dated) >= 5  # documents, tasks, extensions, transfers, units...
    for cls, name in dated:
        field = cls.base_fields[name]
        assert isinstance(field, DayField), f"{cls.__name__}.{name}"
        assert isinstance(field.widget, DateInput), f"{cls.__name__}.{name}"
        assert field.widget.attrs["inputmode"] == "numeric"
        assert field.widget.input_type == "text"  # never the browser's native date picker


@pytest.mark.parametrize("text", ["30062026", "30.06.2026", "30-06-2026", "30/6/2026"])
def test_an_officer_asks_for_an_extension_typing_the_date_any_way(
        org, people, login, text) -> None:
    document = make_document(org.catp, actor=people.staff)
    task = make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2026, 5, 31),
                     assigned_on=dt.date(2026, 1, 5))
    response = login(people.officer).post(f"/tasks/{task.pk}/extend/", {
        "proposed_due": text, "reason": "Chờ số liệu của các phường"})
    assert response.status_code == 302, response.content[:2000]
    assert task.extensions.get().proposed_due == JUNE_30


@pytest.mark.parametrize(("language", "message"), [
    ("vi", "Nhập ngày hợp lệ theo định dạng dd/mm/yyyy."),
    ("en", "Enter a valid date as dd/mm/yyyy."),
])
def test_a_date_that_does_not_exist_is_refused_with_a_clear_message(language, message) -> None:
    field = DayField()
    with translation.override(language):
        with pytest.raises(forms.ValidationError) as error:
            field.clean("31.02.2026")
        assert error.value.messages == [message]


def test_list_filters_read_the_same_spellings(org, people, login) -> None:
    document = make_document(org.catp, actor=people.staff)
    make_task(document, org.pc08, actor=people.staff, title="Hạn cuối tháng sáu",
              due_date=JUNE_30, assigned_on=dt.date(2026, 1, 5))
    make_task(document, org.pc08, actor=people.staff, title="Hạn tháng bảy",
              due_date=dt.date(2026, 7, 31), assigned_on=dt.date(2026, 1, 5))
    client = login(people.staff)
    for text in ("30062026", "30.06.2026", "30-06-2026", "30/6/2026"):
        page = client.get("/tasks/", {"due_from": "1.6.2026", "due_to": text}).content.decode()
        assert "Hạn cuối tháng sáu" in page
        assert "Hạn tháng bảy" not in page
        assert "dd/mm/yyyy." not in page  # no "enter a valid date" warning
    statistics = client.get("/statistics/", {"as_of": "30062026"})
    assert statistics.context["as_of"] == JUNE_30
    assert not statistics.context["error"]
