"""Template helpers shared by every page: form widgets, query strings, badges."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from django import forms, template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_radio(field: BoundField) -> bool:
    """Radio buttons are drawn as a fieldset whose legend is the field's label."""
    return isinstance(field.field.widget, forms.RadioSelect)


@register.simple_tag
def field_widget(field: BoundField, css_class: str) -> SafeString:
    """Render ``field``'s widget with Bootstrap classes and accessible descriptions."""
    from dondoc.core.forms import replace_dashes

    replace_dashes(field.field)
    widget = field.field.widget
    classes = [widget.attrs.get("class", "")]
    if isinstance(widget, forms.Select | forms.SelectMultiple) and css_class == "form-control":
        classes.append("form-select")
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        pass
    else:
        classes.append(css_class)
    attrs: dict[str, Any] = {"class": " ".join(c for c in classes if c).strip()}
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}_hint")
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{field.id_for_label}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (``None`` removes one)."""
    request = context["request"]
    params: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def indent_px(level: int) -> int:
    return int(level) * 22


_BADGE = '<span class="status status-{}"><i class="bi {}" aria-hidden="true"></i> {}</span>'


@register.simple_tag
def status_badge(status: str, due_soon: bool = False, no_deadline: bool = False) -> SafeString:
    """The one status badge: colour, icon and label together (never colour alone), with
    the 'due soon' or 'no deadline yet' flag of a task in progress on time.

    Built in Python rather than an included template: it is drawn on every row of every
    task list."""
    from dondoc.progress.labels import DUE_SOON, NO_DEADLINE, STATUS_STYLES

    style = STATUS_STYLES.get(status)
    if style is None:
        return format_html('<span class="status status-cancelled">{}</span>', status or "—")
    badge = format_html(_BADGE, status, style.icon, style.label)
    if due_soon and status == "in_progress_on_time":
        badge += format_html(" " + _BADGE, "due_soon", DUE_SOON.icon, DUE_SOON.label)
    if no_deadline and status == "in_progress_on_time":
        badge += format_html(" " + _BADGE, "no_deadline", NO_DEADLINE.icon, NO_DEADLINE.label)
    return badge


@register.filter
def percent(value: Any) -> str:
    """A ratio (0–1) as a percentage rounded half up to one decimal (the engine's one
    rounding, :func:`dondoc.progress.engine.rate_percent`), in the active locale's format."""
    from django.utils.formats import number_format

    from dondoc.progress.engine import rate_percent

    rounded = None if value is None or value == "" else rate_percent(float(value))
    if rounded is None:
        return "—"
    return f"{number_format(rounded, 1)} %"


@register.filter
def intpct(value: Any) -> int:
    try:
        return round(float(value))
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def unit_options(units: Any, selected: Any = None) -> SafeString:
    """``<option>``s for a unit picker from (id, code, name) rows (or a
    ``UnitChoices``) with the chosen id or ids, built in Python: a city has hundreds of
    units and the task filters show two pickers, which the template engine renders ten
    times slower. The options of the same units are built once (see
    :func:`_unit_options_html`); only the chosen ones are marked per picker.

    Past ``PICKER_INLINE_LIMIT`` units (a ministry's 20,000: 3 MB of options per page),
    the picker holds only the chosen units and a hidden marker option whose
    ``data-units-url`` the page's script asks as the user types (``unit_options`` view).
    """
    from django.urls import reverse

    from dondoc.organization.selectors import UnitChoices

    many = selected if isinstance(selected, (list, set, tuple)) else [selected]
    chosen = [str(pk) for pk in many if pk not in (None, "")]
    marker = ""
    if isinstance(units, UnitChoices) and not units.listed:
        units = units.rows([int(pk) for pk in chosen if pk.isdigit() and len(pk) < 12])
        marker = (f'<option value="" data-units-url="{escape(reverse("unit_options"))}" '
                  "disabled hidden></option>")
    rows = units.head if isinstance(units, UnitChoices) and not marker else tuple(
        tuple(row) for row in units)
    options = marker + _unit_options_html(rows)
    for pk in chosen:
        options = options.replace(f'<option value="{escape(pk)}">',
                                  f'<option value="{escape(pk)}" selected>', 1)
    return mark_safe(options)  # noqa: S308 - every value is escaped in _unit_options_html


@lru_cache(maxsize=64)
def _unit_options_html(units: tuple[tuple[Any, str, str], ...]) -> str:
    """The options of these units, none selected: the same list serves every picker of a
    page and every page of users with the same scope until a unit changes (the rows are
    the key)."""
    return "".join(f'<option value="{escape(str(pk))}">{escape(code)} — {escape(name)}</option>'
                   for pk, code, name in units)


# The menus drawn so far, by what they depend on (see nav_items); a few per role and page.
_NAV_DRAWN: dict[tuple[Any, ...], SafeString] = {}
_NAV_DRAWN_MAX = 2000


@register.simple_tag(takes_context=True)
def nav_items(context: Any) -> SafeString:
    """The main menu (``components/_nav_items.html``), drawn once per language, URL
    configuration, page name and kind of user, then remembered: it is on every page and
    its two dozen links and labels cost more than a millisecond to draw each time.

    The key holds everything the template reads — the page's URL name, the user's role,
    superuser flag, whether they have a unit, and ``can_read_audit`` — and what its
    ``url`` and ``translate`` tags depend on (script prefix, URL configuration, language).
    A template change that reads anything else must add it to the key."""
    from django.urls import get_script_prefix, get_urlconf
    from django.utils.translation import get_language

    user = context.get("user")
    match = getattr(context.get("request"), "resolver_match", None)
    key = (get_language(), get_script_prefix(), get_urlconf(),
           getattr(match, "url_name", None), getattr(user, "role", None),
           bool(getattr(user, "is_superuser", False)), bool(getattr(user, "unit_id", None)),
           bool(context.get("can_read_audit")))
    drawn = _NAV_DRAWN.get(key)
    if drawn is None:
        if len(_NAV_DRAWN) >= _NAV_DRAWN_MAX:
            _NAV_DRAWN.clear()
        drawn = _NAV_DRAWN[key] = mark_safe(  # noqa: S308 - a template's autoescaped output
            context.template.engine.get_template("components/_nav_items.html").render(context))
    return drawn


@register.simple_tag
def document_options(documents: Any, selected: Any = None) -> SafeString:
    """``<option>``s for the document picker of the task filters: number and title (cut
    at 70 characters, as ``truncatechars``), the chosen one selected. Built in Python: a
    scope's documents are many and the picker is on every task list."""
    from django.utils.text import Truncator

    options = []
    for doc in documents:
        mark = " selected" if selected == doc.pk else ""
        options.append(f'<option value="{doc.pk}"{mark}>{escape(str(doc.number))} — '
                       f"{escape(Truncator(doc.title).chars(70))}</option>")
    return mark_safe("".join(options))  # noqa: S308 - every value is escaped above


@register.filter(expects_localtime=True, is_safe=False)
def dmy(value: Any) -> str:
    """A date (or a datetime, in local time) as dd/mm/yyyy: the ``date:"d/m/Y"`` of every
    page, without the general formatter (which takes some fifty microseconds a date
    parsing its format); empty for no date, like ``date``."""
    if value in (None, ""):
        return ""
    try:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    except AttributeError:
        return ""


# Static files' URLs by path (see asset).
_ASSET_URLS: dict[str, str] = {}


@register.simple_tag
def asset(path: str) -> str:
    """``{% static path %}``, remembered: the manifest storage resolves each of the base
    layout's seventeen files on every page otherwise. Forgotten when a setting it depends
    on changes (tests)."""
    url = _ASSET_URLS.get(path)
    if url is None:
        from django.templatetags.static import static

        url = _ASSET_URLS[path] = static(path)
    return url


@receiver(setting_changed)
def _forget_asset_urls(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STATICFILES_DIRS", "STORAGES",
                   "FORCE_SCRIPT_NAME"}:
        _ASSET_URLS.clear()


@register.filter
def in_list(value: Any, choices: str) -> bool:
    """Whether ``value`` is one of the comma-separated ``choices``."""
    return str(value) in choices.split(",")


@register.simple_tag
def days_overdue(task: Any, as_of: Any = None) -> str:
    """Days a task in a list is overdue as of the list's date (the engine's count: from
    the deadline in force, or the end of the last period a recurring task did not report
    for); empty for a task that is not overdue."""
    from dondoc.plans.selectors import overdue_days

    days = overdue_days(task, as_of or None)
    return "" if days is None else str(days)


@register.simple_tag
def task_rows(tasks: Any, filters: Any = None, selectable: Any = False) -> SafeString:
    """The rows of a task table (:func:`dondoc.plans.rows.task_rows_html`)."""
    from dondoc.plans.rows import task_rows_html

    return task_rows_html(tasks, filters or None, bool(selectable))
