"""The bell's unread count (one query per page, remembered on the request)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    cached: int | None = getattr(request, "_dondoc_unread", None)
    if cached is None:
        from dondoc.notifications.selectors import unread_count

        cached = unread_count(user=user)
        request._dondoc_unread = cached
    return cached


@register.inclusion_tag("notifications/_mail_preference.html", takes_context=True)
def mail_preference_form(context: dict[str, Any]) -> dict[str, Any]:
    from dondoc.notifications.forms import MailPreferenceForm
    from dondoc.notifications.mail import mail_configured
    from dondoc.notifications.services import mail_mode

    user = context["request"].user
    return {"mail_form": MailPreferenceForm(initial={"mode": mail_mode(user)}),
            "mail_configured": mail_configured(), "csrf_token": context.get("csrf_token"),
            "next": context["request"].get_full_path()}
