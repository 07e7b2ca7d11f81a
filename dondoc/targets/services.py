"""Defining targets and entering measurements: checked, append-only, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core.concurrency import save_versioned
from dondoc.core.files import sha256_of, storage_name, validate_upload
from dondoc.organization.models import Unit
from dondoc.plans.models import Document, TaskGroup
from dondoc.targets.models import Direction, Measurement, Target, TargetUnit

LIMIT = Decimal("99999999999999")  # what the columns hold (16 digits, 2 decimals)


@dataclass(frozen=True)
class UnitShare:
    unit: Unit
    target_value: Decimal
    baseline_value: Decimal = Decimal(0)


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _check_value(field: str, value: Decimal, errors: dict[str, list[str]]) -> None:
    if not value.is_finite() or abs(value) > LIMIT:
        errors.setdefault(field, []).append(
            _("Enter a number between -%(limit)s and %(limit)s.") % {"limit": f"{LIMIT:,}"})


@transaction.atomic
def target_create(*, actor: Any, document: Document, name: str, measure_unit: str,
                  direction: str, baseline_value: Decimal, baseline_date: dt.date,
                  target_value: Decimal, target_date: dt.date,
                  group: TaskGroup | None = None, shares: list[UnitShare] | None = None
                  ) -> Target:
    """Define a target on ``document``; ``ValidationError`` (by field) for bad input."""
    _check_target(document=document, name=name, measure_unit=measure_unit,
                  direction=direction, baseline_value=baseline_value,
                  baseline_date=baseline_date, target_value=target_value,
                  target_date=target_date, group=group, shares=shares)
    target = Target.objects.create(
        document=document, group=group, owner_unit=document.owner_unit, name=name.strip(),
        measure_unit=measure_unit.strip(), direction=direction,
        baseline_value=baseline_value, baseline_date=baseline_date,
        target_value=target_value, target_date=target_date,
        created_by=actor if _is_user(actor) else None)
    TargetUnit.objects.bulk_create([
        TargetUnit(target=target, unit=share.unit, target_value=share.target_value,
                   baseline_value=share.baseline_value) for share in shares or []])
    record(actor=actor, action=Action.CREATE, obj=target, unit_id=target.owner_unit_id,
           changes={"document": [None, document.pk], "name": [None, target.name],
                    "baseline": [None, f"{baseline_value} @ {baseline_date.isoformat()}"],
                    "target": [None, f"{target_value} @ {target_date.isoformat()}"],
                    "units": [None, {str(share.unit.code): str(share.target_value)
                                     for share in shares or []}]})
    return target


def _check_target(*, document: Document, name: str, measure_unit: str, direction: str,
                  baseline_value: Decimal, baseline_date: dt.date, target_value: Decimal,
                  target_date: dt.date, group: TaskGroup | None,
                  shares: list[UnitShare] | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the target a name.")]
    if not measure_unit.strip():
        errors["measure_unit"] = [_("Say what is counted, e.g. cameras, %, cases.")]
    if direction not in Direction.values:
        errors["direction"] = [_("Choose whether higher or lower is better.")]
    _check_value("baseline_value", baseline_value, errors)
    _check_value("target_value", target_value, errors)
    if target_date <= baseline_date:
        errors["target_date"] = [_("The target date must come after the baseline date.")]
    if group is not None and group.document_id != document.pk:
        errors["group"] = [_("This task group belongs to another document.")]
    units = [share.unit.pk for share in shares or []]
    if len(units) != len(set(units)):
        errors["shares"] = [_("Each unit may have only one target value.")]
    for share in shares or []:
        _check_value("shares", share.target_value, errors)
        _check_value("shares", share.baseline_value, errors)
    if errors:
        raise ValidationError(errors)


EDITABLE = ["name", "measure_unit", "direction", "group", "baseline_value", "baseline_date",
            "target_value", "target_date"]


@transaction.atomic
def target_update(*, actor: Any, target: Target, expected_version: int, name: str,
                  measure_unit: str, direction: str, baseline_value: Decimal,
                  baseline_date: dt.date, target_value: Decimal, target_date: dt.date,
                  group: TaskGroup | None = None, shares: list[UnitShare] | None = None
                  ) -> Target:
    """Change a target's definition (its document stays). Measurements are kept as they
    are: the baseline cannot move after a measured period, and a unit that has
    measurements keeps its own target. ``ConflictError`` when someone else saved the
    target since ``expected_version``; ``ValidationError`` (by field) for bad input."""
    _check_target(document=target.document, name=name, measure_unit=measure_unit,
                  direction=direction, baseline_value=baseline_value,
                  baseline_date=baseline_date, target_value=target_value,
                  target_date=target_date, group=group, shares=shares)
    errors: dict[str, list[str]] = {}
    first = target.measurements.order_by("period_end").values_list("period_end",
                                                                     flat=True).first()
    if first is not None and baseline_date > first:
        errors["baseline_date"] = [_("A measurement exists for the period ending "
                                     "%(day)s: the baseline cannot come after it.")
                                   % {"day": f"{first:%d/%m/%Y}"}]
    wanted = {share.unit.pk: share for share in shares or []}
    current = {row.unit_id: row for row in target.units.select_related("unit")}
    dropped = [row for unit_id, row in current.items() if unit_id not in wanted]
    measured = set(target.measurements.filter(unit_id__in=[row.unit_id for row in dropped])
                   .values_list("unit_id", flat=True))
    if measured:
        errors["shares"] = [_("%(units)s already have measurements: their own targets "
                              "stay (change their values instead).") % {
            "units": ", ".join(sorted(current[pk].unit.code for pk in measured))}]
    if errors:
        raise ValidationError(errors)
    before = {name_: getattr(target, name_) for name_ in EDITABLE}
    before["group"] = target.group_id
    before_units = {row.unit.code: str(row.target_value) for row in current.values()}
    target.name, target.measure_unit = name.strip(), measure_unit.strip()
    target.direction, target.group = direction, group
    target.baseline_value, target.baseline_date = baseline_value, baseline_date
    target.target_value, target.target_date = target_value, target_date
    save_versioned(target, expected_version=expected_version, fields=EDITABLE)
    TargetUnit.objects.filter(pk__in=[row.pk for row in dropped]).delete()
    for unit_id, share in wanted.items():
        row = current.get(unit_id)
        if row is None:
            TargetUnit.objects.create(target=target, unit=share.unit,
                                      target_value=share.target_value,
                                      baseline_value=share.baseline_value)
        elif row.target_value != share.target_value:
            row.target_value = share.target_value
            row.save(update_fields=["target_value"])
    after = {name_: getattr(target, name_) for name_ in EDITABLE}
    after["group"] = target.group_id
    changes: dict[str, list[Any]] = {
        key: [str(before[key]), str(after[key])] for key in EDITABLE
        if before[key] != after[key]}
    after_units = {share.unit.code: str(share.target_value) for share in wanted.values()}
    if after_units != before_units:
        changes["units"] = [before_units, after_units]
    record(actor=actor, action=Action.UPDATE, obj=target, unit_id=target.owner_unit_id,
           changes=changes)
    return target


@transaction.atomic
def measurement_add(*, actor: Any, target: Target, unit: Unit | None, period_end: dt.date,
                    value: Decimal, note: str = "", upload: UploadedFile | None = None,
                    supersedes: Measurement | None = None,
                    today: dt.date | None = None) -> Measurement:
    """Append a measurement (a correction when ``supersedes`` is given: the old one stays
    in the history). ``ValidationError`` (by field) for bad input."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _check_value("value", value, errors)
    if period_end < target.baseline_date:
        errors["period_end"] = [_("The period cannot end before the baseline date "
                                  "(%(day)s).") % {"day": f"{target.baseline_date:%d/%m/%Y}"}]
    elif period_end > today:
        errors["period_end"] = [_("The period cannot end in the future.")]
    if unit is not None and not target.units.filter(unit=unit).exists():
        errors["unit"] = [_("This unit has no target of its own here.")]
    if not note.strip() and upload is None:
        errors["note"] = [_("Attach the evidence or write a note on where the figure "
                            "comes from.")]
    if upload is not None:
        try:
            validate_upload(upload)
        except ValidationError as problem:
            errors["file"] = problem.messages
    if supersedes is not None:
        if supersedes.target_id != target.pk or supersedes.unit_id != (
                unit.pk if unit is not None else None):
            errors["supersedes"] = [_("A correction must be for the same target and unit.")]
        elif Measurement.objects.filter(supersedes=supersedes).exists():
            errors["supersedes"] = [_("This measurement has already been corrected; "
                                      "correct the latest one.")]
    if errors:
        raise ValidationError(errors)
    item = Measurement(target=target, unit=unit, period_end=period_end, value=value,
                       note=note.strip(), supersedes=supersedes,
                       entered_by=actor if _is_user(actor) else None)
    if upload is not None:
        item.original_name = (upload.name or "")[:255]
        item.sha256 = sha256_of(upload)
        item.file.save(storage_name("targets", upload.name or ""), upload, save=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # two corrections of the same measurement at once
        raise ValidationError({"supersedes": [_(
            "This measurement has already been corrected; correct the latest one.")]}
        ) from None
    record(actor=actor, action=Action.CREATE, obj=item,
           unit_id=unit.pk if unit is not None else target.owner_unit_id,
           changes={"target": [None, target.pk], "unit": [None, unit.pk if unit else None],
                    "period_end": [None, period_end.isoformat()], "value": [None, str(value)],
                    "supersedes": [None, supersedes.pk if supersedes else None],
                    "sha256": [None, item.sha256]})
    return item
