"""Template helpers shared by every page: form widgets, query strings, badges."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag
def field_widget(field: BoundField, css_class: str) -> SafeString:
    """Render ``field``'s widget with Bootstrap classes and accessible descriptions."""
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


@register.inclusion_tag("components/_status_badge.html")
def status_badge(status: str, due_soon: bool = False) -> dict[str, Any]:
    """The one status badge: colour, icon and label together (never colour alone)."""
    from dondoc.progress.labels import DUE_SOON, STATUS_STYLES

    style = STATUS_STYLES.get(status)
    return {"status": status, "style": style, "due_soon": due_soon and status ==
            "in_progress_on_time", "soon": DUE_SOON}


@register.filter
def percent(value: Any) -> str:
    """A ratio (0–1) as a percentage with one decimal, in the active locale's format."""
    from django.utils.formats import number_format

    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, 1)} %"


@register.filter
def intpct(value: Any) -> int:
    try:
        return round(float(value))
    except (TypeError, ValueError):
        return 0
