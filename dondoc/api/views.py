"""The page where a user creates and revokes their personal API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dondoc.api import selectors, services
from dondoc.api.errors import activate_caller_language
from dondoc.api.forms import TokenForm
from dondoc.organization import scoping


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens; a new token's secret is shown in this response only."""
    user: Any = request.user
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["validity"]
        expires_at = timezone.now() + dt.timedelta(days=int(days)) if days else None
        _token, secret = services.token_create(actor=user, name=form.cleaned_data["name"],
                                               expires_at=expires_at)
        form = TokenForm()
    response = render(request, "api/tokens.html", {
        "form": form, "secret": secret, "now": timezone.now(),
        "tokens": selectors.tokens_of(user=user),
        "api_base": request.build_absolute_uri("/api/v1/"),
    })
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = scoping.get_visible_or_404(selectors.tokens_of(user=request.user), pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token %(name)s revoked: it no longer works.") % {
        "name": token.name})
    return redirect("api_tokens")


def api_not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """An unknown address under /api/v1/: the API's 404 body, not the HTML page."""
    activate_caller_language(request)
    response = JsonResponse({"code": "not_found", "message": _("Not found."), "errors": {}},
                            status=404)
    response["Content-Language"] = request.LANGUAGE_CODE
    return response
