"""Pages of a campaign's results: consolidation, comparison with a baseline, Excel exports.

Thin views: read the parameters, reach the campaign through the scoping functions (an
invisible campaign is a 404), call :mod:`consolidation` / :mod:`comparison` /
:mod:`exports`, respond. Exports are audited like the task list's.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.organization import scoping
from dondoc.surveys import comparison as comparing
from dondoc.surveys import consolidation as consolidating
from dondoc.surveys import exports
from dondoc.surveys.models import Campaign


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return scoping.get_visible_or_404(
        scoping.campaigns_visible_to(request.user).select_related("form", "owner_unit",
                                                                        "baseline"), pk=pk)


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "") in {"1", "on", "true"}


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def campaign_consolidation(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    result = consolidating.consolidate(
        user=request.user, campaign=campaign, key=request.GET.get("field") or None,
        include_submitted=_flag(request, "submitted"), today=timezone.localdate(),
        lang=get_language())
    return render(request, "surveys/consolidation.html", {
        "campaign": campaign, "result": result, "today": timezone.localdate(),
        "comparable": campaign.baseline_id is not None or
        comparing.comparable_campaigns(request.user, campaign).exists()})


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    include = _flag(request, "submitted")
    buffer = io.BytesIO()
    today = timezone.localdate()
    count = exports.export_campaign_xlsx(user=request.user, campaign=campaign, out=buffer,
                                         include_submitted=include, today=today)
    record(actor=request.user, action=Action.EXPORT, obj=campaign,
           unit_id=campaign.owner_unit_id, message="xlsx",
           changes={"include_submitted": [None, include], "units": [None, count]})
    return _xlsx(buffer.getvalue(), f"khao-sat-{campaign.pk}-{today:%Y-%m-%d}.xlsx")


def _comparison(request: HttpRequest, campaign: Campaign) -> comparing.Comparison | None:
    candidates = comparing.comparable_campaigns(request.user, campaign)
    chosen = str(request.GET.get("baseline") or campaign.baseline_id or "")
    baseline = candidates.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if baseline is None:
        return None
    return comparing.compare(user=request.user, campaign=campaign, baseline=baseline,
                             key=request.GET.get("field") or None,
                             include_submitted=_flag(request, "submitted"))


@login_required
@require_GET
def campaign_comparison(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    result = _comparison(request, campaign)
    return render(request, "surveys/comparison.html", {
        "campaign": campaign, "result": result,
        "candidates": list(comparing.comparable_campaigns(request.user, campaign)),
        "asked": request.GET.get("baseline", "")})


@login_required
@require_GET
def campaign_comparison_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    result = _comparison(request, campaign)
    if result is None:
        return HttpResponse(_("Choose the campaign to compare with."), status=400,
                            content_type="text/plain; charset=utf-8")
    buffer = io.BytesIO()
    exports.export_comparison_xlsx(result, buffer)
    record(actor=request.user, action=Action.EXPORT, obj=campaign,
           unit_id=campaign.owner_unit_id, message="xlsx comparison",
           changes={"baseline": [None, result.baseline.pk]})
    return _xlsx(buffer.getvalue(),
                 f"so-sanh-{campaign.pk}-{result.baseline.pk}.xlsx")

