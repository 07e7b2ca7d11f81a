"""Home-page cards: the unit's period reports overdue, returned, or due within a week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dondoc.core.dashboard import AttentionItem, register
from dondoc.organization.models import Role
from dondoc.progress.selectors import business_today
from dondoc.unitreports import selectors
from dondoc.unitreports.states import Cell

DUE_SOON_DAYS = 7
WRITERS = {Role.STAFF, Role.UNIT_MANAGER, Role.OFFICER}


@register
def report_attention(user: Any) -> list[AttentionItem]:
    """Shown only to those who write reports, and only when one needs them."""
    if getattr(user, "unit", None) is None or user.role not in WRITERS:
        return []
    today = business_today()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    mine = selectors.my_reports(user, as_of=today)
    overdue = sum(1 for cell in mine if cell.state in {Cell.MISSING, Cell.RETURNED})
    due = sum(1 for cell in mine if cell.state == Cell.DUE and cell.deadline <= soon)
    url = reverse("unit_reports")
    items = []
    if overdue:
        items.append(AttentionItem(_("Period reports overdue or returned"), overdue, url,
                                   "danger", "bi-file-earmark-x"))
    if due:
        items.append(AttentionItem(_("Period reports due within 7 days"), due, url,
                                   "warning", "bi-file-earmark-text"))
    return items
