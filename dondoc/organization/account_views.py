"""Sign-in, two-factor enrolment, the user's own profile and language."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dondoc.organization import services
from dondoc.organization.forms import LanguageForm, PasswordChangeForm, TokenForm
from dondoc.organization.models import Role


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator on first use, then ask for a code at each sign-in."""
    user: Any = request.user
    if user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication confirmed."))
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", _("The code is wrong or has expired. Try the current code."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling,
                               "next": _safe_next(request)}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = _base32(device.bin_key)
    return render(request, "registration/two_factor.html", context)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode("ascii").rstrip("=")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    password_form = PasswordChangeForm(
        request.POST if request.POST.get("form") == "password" else None, user=user
    )
    if request.method == "POST" and password_form.is_valid():
        services.user_set_password(actor=user, user=user,
                                   password=password_form.cleaned_data["password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Password changed. Your API tokens were revoked: "
                                    "create new ones for the systems that need them."))
        return redirect("profile")
    return render(request, "registration/profile.html", {
        "shows_api": _uses_api(user),
        "password_form": password_form,
        "language_form": LanguageForm(initial={"language": user.language}),
        "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    })


# Roles that connect other software to dondoc; officers and viewers work in the pages.
API_ROLES = {Role.ADMIN, Role.STAFF, Role.LEADER, Role.UNIT_MANAGER, Role.INSPECTOR}


def _uses_api(user: Any) -> bool:
    """Whether the account page offers the API (tokens, documentation): for the roles
    that use it, and for anyone who already holds a token (to see or revoke it)."""
    from dondoc.api.selectors import tokens_of

    return user.role in API_ROLES or tokens_of(user=user).exists()


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; remembered on the account, or in a cookie before sign-in."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_safe_next(request))
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 86400,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response
