"""Pages of the notification centre: the list, marking read, the e-mail choice, the rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dondoc.core.paging import paginate
from dondoc.notifications import selectors, services
from dondoc.notifications.forms import MailPreferenceForm, ReminderRuleForm
from dondoc.notifications.models import ReminderRule
from dondoc.organization import scoping


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("notification_list")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    show = "unread" if request.GET.get("show") == "unread" else "all"
    digest = None
    if request.GET.get("digest"):
        digest = selectors.own_notification(user=user, pk=request.GET["digest"])
    rows = selectors.notifications_of(user=user, unread_only=show == "unread", digest=digest)
    page = paginate(request, rows)
    query = [f"show={show}"] + ([f"digest={digest.pk}"] if digest else [])
    return render(request, "notifications/notification_list.html", {
        "page": page, "notifications": selectors.without_hidden(user, page.object_list),
        "show": show, "digest": digest, "qs": "&".join(query),
        "mail_form": MailPreferenceForm(initial={"mode": services.mail_mode(user)}),
        "may_edit_rules": scoping.can_manage_reminder_rules(user),
    })


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its object."""
    notification = selectors.own_notification(user=request.user, pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return HttpResponseRedirect(services.object_url(notification))


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.own_notification(user=request.user, pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return HttpResponseRedirect(_back(request))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return HttpResponseRedirect(_back(request))


@login_required
@require_POST
def mail_preference(request: HttpRequest) -> HttpResponse:
    form = MailPreferenceForm(request.POST)
    if form.is_valid():
        services.mail_preference_set(user=request.user, mode=form.cleaned_data["mode"])
        messages.success(request, _("Your e-mail choice is saved."))
    else:
        messages.error(request, _("Choose how you want to be e-mailed."))
    return HttpResponseRedirect(_back(request))


def _rules_editor(request: HttpRequest) -> Any:
    if not scoping.can_manage_reminder_rules(request.user):
        raise PermissionDenied
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rules(request: HttpRequest) -> HttpResponse:
    actor = _rules_editor(request)
    form = ReminderRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reminder_rule_save(actor=actor, rule=form.instance)
        messages.success(request, _("Reminder rule added."))
        return redirect("reminder_rules")
    return render(request, "notifications/reminder_rules.html", {
        "rules": selectors.reminder_rules(), "form": form,
        "status": 400 if form.errors else 200,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def reminder_rule_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a rule on or off, or delete it."""
    actor = _rules_editor(request)
    rule = scoping.get_visible_or_404(ReminderRule.objects.all(), pk=pk)
    if request.POST.get("action") == "delete":
        services.reminder_rule_delete(actor=actor, rule=rule)
        messages.success(request, _("Reminder rule deleted."))
    else:
        rule.is_active = not rule.is_active
        services.reminder_rule_save(actor=actor, rule=rule)
        messages.success(request, _("Reminder rule switched on.") if rule.is_active
                         else _("Reminder rule switched off."))
    return redirect("reminder_rules")
