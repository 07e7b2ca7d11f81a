"""Measurements of targets that come from a survey field, recorded when a submission is
accepted (issue 13: "measurements per period come from a survey field, automatically").

A target linked to a form family (``Target.survey_form_key``) and one of its numbers
(``Target.survey_field``: a number field, or ``table.column`` summed over the table's
rows) gets, each time a submission of a campaign of that form is accepted:

* for each unit with its own target value whose subtree holds the submission's unit: the
  sum of the number over the campaign's accepted submissions of that subtree (the unit's
  own answer when it answers alone);
* for the whole target: the same sum over the units under the target's managing unit;

dated the campaign's reference date, with the campaign as its source. A number whose field
says ``"aggregate": "average"`` (``min``, ``max``) is averaged (…) over the subtree instead
of summed: an average age or a rate never adds up. Measurements stay
append-only: a later acceptance that changes a figure (a submission reopened and
accepted again, another unit accepted) records a new measurement correcting the previous
one of the same campaign; an unchanged figure records nothing. Campaigns whose reference
date is before the target's baseline date, or whose form version lacks the field, give
no measurement. Only targets of the same line of agencies count: the campaign's managing
unit is the target's managing unit, above it or below it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.organization.models import Unit
from dondoc.targets.models import Measurement, Target
from dondoc.targets.services import LIMIT

ACCEPTED = "accepted"


def _prefixes(path: str) -> list[str]:
    step = Unit.steplen
    return [path[:length] for length in range(step, len(path) + 1, step)]


def _line_of_agencies(path: str) -> Q:
    """Targets managed by the unit at ``path``, by a unit above it or by one below it."""
    return Q(owner_unit__path__in=_prefixes(path)) | Q(owner_unit__path__startswith=path)


def _current(target: Target, unit: Unit | None, campaign: Any) -> Measurement | None:
    return (Measurement.objects.filter(target=target, unit=unit, campaign=campaign,
                                       superseded_by__isnull=True)
            .order_by("-entered_at", "-pk").first())


def _append(*, actor: Any, target: Target, unit: Unit | None, campaign: Any,
            value: Decimal) -> Measurement | None:
    if not value.is_finite() or abs(value) > LIMIT:
        return None
    value = value.quantize(Decimal("0.01"))
    previous = _current(target, unit, campaign)
    if previous is not None and previous.value == value:
        return None
    item = Measurement.objects.create(
        target=target, unit=unit, period_end=campaign.reference_date, value=value,
        note=_("From the survey campaign “%(campaign)s”, field %(field)s.") % {
            "campaign": campaign.title, "field": target.survey_field},
        supersedes=previous, campaign=campaign,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None)
    record(actor=actor, action=Action.CREATE, obj=item,
           unit_id=unit.pk if unit is not None else target.owner_unit_id,
           message="survey",
           changes={"target": [None, target.pk], "unit": [None, unit.pk if unit else None],
                    "period_end": [None, campaign.reference_date.isoformat()],
                    "value": [None, str(value)], "campaign": [None, campaign.pk],
                    "supersedes": [None, previous.pk if previous else None]})
    return item


def _accepted_answers(campaign: Any, path: str, answer_key: str
                      ) -> list[tuple[str, dict[str, Any]]]:
    """(unit path, answers holding ``answer_key``) of the campaign's accepted submissions
    of the units under ``path``: one query, the answer extracted by the database."""
    from django.db.models.fields.json import KeyTextTransform

    from dondoc.surveys.consolidation import decode_extracted
    from dondoc.surveys.models import Submission

    rows = (Submission.objects.filter(campaign=campaign, status=ACCEPTED,
                                      current__isnull=False,
                                      unit__path__startswith=path)
            .values_list("unit__path", KeyTextTransform(answer_key, "current__answers")))
    return [(unit_path, {answer_key: decode_extracted(raw)}) for unit_path, raw in rows]


def _sum(getter: Any, answers: list[tuple[str, dict[str, Any]]], path: str,
         aggregate: str) -> Decimal | None:
    """The subtree's figure: the units' values combined as the field says (summed…)."""
    from dondoc.surveys.definition import combine

    return combine([value for unit_path, unit_answers in answers if unit_path.startswith(path)
                    for value in [getter(unit_answers)] if value is not None], aggregate)


def _record_campaign(*, actor: Any, target: Target, campaign: Any,
                     within: str | None = None) -> list[Measurement]:
    """Record ``campaign``'s figures for ``target``: the whole target, and each unit with
    its own target (only those whose subtree holds the unit at path ``within`` when
    given). Nothing when the campaign's form version lacks the field or the campaign is
    before the target's baseline."""
    from dondoc.surveys.consolidation import definition_of, numeric_getter

    defn = definition_of(campaign)
    getter = numeric_getter(defn, target.survey_field)
    aggregate = defn.aggregate_of(target.survey_field) or "sum"
    if getter is None or campaign.reference_date < target.baseline_date:
        return []
    answers = _accepted_answers(campaign, target.owner_unit.path,
                                target.survey_field.split(".")[0])
    recorded: list[Measurement | None] = []
    for share in target.units.all():
        if within is None or within.startswith(share.unit.path):
            value = _sum(getter, answers, share.unit.path, aggregate)
            if value is not None:
                recorded.append(_append(actor=actor, target=target, unit=share.unit,
                                        campaign=campaign, value=value))
    total = _sum(getter, answers, target.owner_unit.path, aggregate)
    if total is not None:
        recorded.append(_append(actor=actor, target=target, unit=None, campaign=campaign,
                                value=total))
    return [item for item in recorded if item is not None]


@transaction.atomic
def measurements_from_accepted(*, actor: Any, submission: Any) -> list[Measurement]:
    """Record what the accepted ``submission`` gives the targets linked to its form; the
    measurements recorded (none when nothing changed). Called by
    ``surveys.services.accept`` in its transaction."""
    campaign = submission.campaign
    targets = (Target.objects.filter(survey_form_key=campaign.form.key)
               .filter(_line_of_agencies(campaign.owner_unit.path))
               .select_related("owner_unit").prefetch_related("units__unit"))
    recorded: list[Measurement] = []
    for target in targets:
        recorded += _record_campaign(actor=actor, target=target, campaign=campaign,
                                     within=submission.unit.path)
    return recorded


# Linking a target to a survey field --------------------------------------------------------


def survey_numbers(form_key: str) -> list[tuple[str, str]]:
    """(key, label) of the numbers of the latest version of a form family: number fields
    and table columns (``table.column``, summed over the rows)."""
    from dondoc.surveys.consolidation import NUMBER, items_of
    from dondoc.surveys.models import SurveyForm

    form = SurveyForm.objects.filter(key=form_key).order_by("-version").first()
    if form is None:
        return []
    return [(item.key, item.label) for group in items_of(form.parsed)
            for item in group.items if item.kind == NUMBER and item.key.count(".") < 2]


@transaction.atomic
def target_link_survey(*, actor: Any, target: Target, form_key: str, field_key: str
                       ) -> list[Measurement]:
    """Measure ``target`` from a survey number from now on (empty keys: stop), and record
    at once what the accepted submissions of the campaigns of that form already give;
    the measurements recorded. ``ValidationError`` (by field) for an unknown form or a
    field that is not a number of its latest version."""
    from dondoc.surveys.models import Campaign

    form_key, field_key = form_key.strip(), field_key.strip()
    if form_key and field_key not in dict(survey_numbers(form_key)):
        raise ValidationError({"survey_field": [
            _("Choose a number field of the latest version of this form.")]})
    if bool(form_key) != bool(field_key):
        raise ValidationError({"survey_field": [_("Choose both the form and its field.")]})
    before = [target.survey_form_key, target.survey_field]
    target.survey_form_key, target.survey_field = form_key, field_key
    target.save(update_fields=["survey_form_key", "survey_field"])
    record(actor=actor, action=Action.UPDATE, obj=target, unit_id=target.owner_unit_id,
           changes={"survey": [".".join(filter(None, before)) or None,
                               f"{form_key}.{field_key}" if form_key else None]})
    if not form_key:
        return []
    recorded: list[Measurement] = []
    campaigns = (Campaign.objects.filter(form__key=form_key, submissions__status=ACCEPTED)
                 .filter(Q(owner_unit__path__in=_prefixes(target.owner_unit.path))
                         | Q(owner_unit__path__startswith=target.owner_unit.path))
                 .select_related("form").distinct().order_by("reference_date", "pk"))
    for campaign in campaigns:
        recorded += _record_campaign(actor=actor, target=target, campaign=campaign)
    return recorded
