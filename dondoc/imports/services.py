"""Writes of the imports app: unit groups and review flags. Each runs in a transaction and
is audited in it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from dondoc.audit.models import Action
from dondoc.audit.services import diff, record
from dondoc.imports.models import ReviewFlag, UnitGroup
from dondoc.organization.models import Unit


def _group_snapshot(group: UnitGroup, unit_ids: Iterable[int]) -> dict[str, Any]:
    return {"name": group.name, "aliases": group.aliases, "owner_unit": group.owner_unit_id,
            "units": sorted(unit_ids)}


@transaction.atomic
def unit_group_save(*, actor: Any, group: UnitGroup | None = None, name: str,
                    aliases: str = "", units: Iterable[Unit] | None = None,
                    owner_unit: Unit | None = None) -> UnitGroup:
    """Create (``group`` None) or change a unit group; ``units`` None keeps the members."""
    if group is None:
        group = UnitGroup(owner_unit=owner_unit)
        before: dict[str, Any] = {}
    else:
        group = UnitGroup.objects.select_for_update().get(pk=group.pk)
        before = _group_snapshot(group, group.units.values_list("pk", flat=True))
    group.name = " ".join(name.split())
    group.aliases = "\n".join(line.strip() for line in aliases.splitlines() if line.strip())
    group.full_clean()
    group.save()
    if units is not None:
        group.units.set(list(units))
    after = _group_snapshot(group, group.units.values_list("pk", flat=True))
    record(actor=actor, action=Action.UPDATE if before else Action.CREATE, obj=group,
           unit_id=group.owner_unit_id, changes=diff(before, after))
    return group


@transaction.atomic
def unit_group_add_members(*, actor: Any, group: UnitGroup, units: Iterable[Unit]) -> None:
    """Add units to a group (an import of the unit list); existing members stay."""
    current = set(group.units.values_list("pk", flat=True))
    new = [unit for unit in units if unit.pk not in current]
    if not new:
        return
    group.units.add(*new)
    record(actor=actor, action=Action.UPDATE, obj=group, unit_id=group.owner_unit_id,
           changes={"units": [sorted(current), sorted(current | {u.pk for u in new})]})


@transaction.atomic
def review_flag_clear(*, actor: Any, flag: ReviewFlag) -> ReviewFlag:
    """Mark a flag as settled: the reviewer has fixed (or accepted) what it pointed at."""
    flag = ReviewFlag.objects.select_for_update().select_related("task").get(pk=flag.pk)
    if flag.cleared_on is not None:
        return flag
    flag.cleared_on = timezone.localdate()
    flag.cleared_by = actor if getattr(actor, "is_authenticated", False) else None
    flag.save(update_fields=["cleared_on", "cleared_by"])
    record(actor=actor, action=Action.UPDATE, obj=flag.task, unit_id=flag.task.lead_unit_id,
           message="review flag cleared",
           changes={"review_flag": [f"{flag.code}: {flag.cell_text}"[:300], None]})
    return flag
