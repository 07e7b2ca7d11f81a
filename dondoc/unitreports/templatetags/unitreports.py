"""The badge of a report's state: colour, icon and label together."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dondoc.unitreports.states import CELL_LABELS, CELL_TONES, Cell

register = template.Library()


@register.simple_tag
def report_badge(state: str) -> SafeString:
    cell = Cell(state)
    tone, icon = CELL_TONES[cell]
    return format_html('<span class="status status-{}" data-state="{}"><i class="bi {}" '
                       'aria-hidden="true"></i> {}</span>', tone, cell.value, icon,
                       CELL_LABELS[cell])
