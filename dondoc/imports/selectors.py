"""Reads of the imports app used elsewhere (the task list's "needs review" filter)."""

from __future__ import annotations

from django.db.models import Q

from dondoc.imports.models import ReviewFlag


def needs_review_q() -> Q:
    """Tasks with a review flag still open (the task list's ``needs_review=1``)."""
    return Q(pk__in=ReviewFlag.objects.filter(cleared_on__isnull=True).values("task_id"))
