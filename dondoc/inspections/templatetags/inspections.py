"""The inspection or meeting a document records, for the document's page."""

from __future__ import annotations

from typing import Any

from django import template

from dondoc.organization import scoping

register = template.Library()


@register.simple_tag
def source_of_document(user: Any, document: Any) -> dict[str, Any] | None:
    """``{"inspection": …}`` or ``{"meeting": …}`` when ``document`` is the conclusion of an
    inspection or the notice of a meeting that ``user`` may open; otherwise ``None``."""
    from dondoc.plans.models import DocumentKind

    if document.kind == DocumentKind.INSPECTION:
        inspection = scoping.inspections_visible_to(user).filter(conclusion=document).first()
        return {"inspection": inspection} if inspection else None
    if document.kind == DocumentKind.MEETING_NOTICE:
        meeting = scoping.meetings_visible_to(user).filter(notice=document).first()
        return {"meeting": meeting} if meeting else None
    return None
