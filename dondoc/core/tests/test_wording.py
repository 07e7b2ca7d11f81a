"""Words users read on forms: dropdowns say what to do instead of Django's "---------",
validation messages have no stray space before the full stop, and a label with a per cent
sign is translated like any other."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from dondoc.plans.forms import ProgressForm
from dondoc.plans.tests.factories import make_document, make_group, make_task


@pytest.fixture
def task(org, people):  # type: ignore[no-untyped-def]
    document = make_document(org.catp, actor=people.staff)
    make_group(document, actor=people.staff)
    return make_task(document, org.pc08, actor=people.staff, due_date=dt.date(2026, 12, 31),
                     assigned_on=dt.date(2026, 1, 5))


def form_pages(org, people, login, task):  # type: ignore[no-untyped-def]
    staff, admin = login(people.staff), login(people.admin)
    return {
        "task form": staff.get(f"/tasks/new/?document={task.document_id}"),
        "task edit": staff.get(f"/tasks/{task.pk}/edit/"),
        "document form": staff.get("/documents/new/"),
        "unit form": admin.get(f"/units/new/?parent={org.pc08.pk}"),
        "unit move": admin.get(f"/units/{org.pc08_d1.pk}/move/"),
        "unit dissolve": admin.get(f"/units/{org.pc08_d1.pk}/dissolve/"),
        "account form": admin.get("/users/new/"),
        "transfer": staff.get(f"/units/{org.pc06.pk}/transfer/"),
    }


def test_no_dropdown_shows_djangos_dashes(org, people, login, task) -> None:
    pages = form_pages(org, people, login, task)
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert "---------" not in response.content.decode(), name
    task_form = pages["task form"].content.decode()
    assert '<option value="" selected>— Chọn đơn vị —</option>' in task_form  # lead unit
    assert '<option value="" selected>— Không có —</option>' in task_form  # optional group
    assert "— Không chọn đơn vị —" in pages["unit dissolve"].content.decode()  # successor


def test_the_empty_choice_is_in_english_for_an_english_reader(org, people, login,
                                                               task) -> None:
    people.staff.language = "en"
    people.staff.save()
    page = login(people.staff).get(f"/tasks/new/?document={task.document_id}").content.decode()
    assert "— Choose a unit —" in page and "— None —" in page
    assert "---------" not in page


@pytest.mark.parametrize(("language", "percent", "message"), [
    ("vi", 150, "Giá trị phải nhỏ hơn hoặc bằng 100."),
    ("vi", -5, "Giá trị phải lớn hơn hoặc bằng 0."),
    ("en", 150, "Ensure this value is less than or equal to 100."),
])
def test_limits_are_told_without_a_stray_space(org, task, language, percent,
                                               message) -> None:
    from dondoc.organization.models import Unit

    with translation.override(language):
        form = ProgressForm({"percent": percent, "results": "x", "unit": org.pc08.pk},
                            units=Unit.objects.filter(pk=org.pc08.pk), task=task)
        assert not form.is_valid()
        assert form.errors["percent"] == [message]


def _literal_labels_with_a_per_cent_sign() -> list[tuple[str, str]]:
    found = []
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "dondoc"]
    for root in roots:
        for path in root.rglob("*.html"):
            for label in re.findall(r'{% (?:translate|trans) "([^"]*%[^"]*)"',
                                    path.read_text(encoding="utf-8")):
                found.append((path.name, label))
    return found


def test_a_label_with_a_per_cent_sign_is_translated() -> None:
    # {% translate "Share (%)" %} looks up "Share (%%)": the catalogue needs that entry,
    # or the Vietnamese page shows the English words (the report's statuses table did).
    labels = _literal_labels_with_a_per_cent_sign()
    assert ("report_detail.html", "Share (%)") in labels
    with translation.override("vi"):
        for name, label in labels:
            shown = Template('{% load i18n %}{% translate "' + label + '" %}').render(
                Context())
            assert shown != label, (name, label)
            assert "%%" not in shown, (name, shown)
