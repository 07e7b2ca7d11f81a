"""Comparison of a campaign with an earlier one of the same form: the "before and after".

Fields are matched by key across form versions (``officers_total`` is the same figure in
version 1 and version 2). For every number of either version — number fields and table
columns summed over their rows (``table.column``) — the baseline value, the value now,
the change and the change in per cent; per unit and overall. Overall comes twice:
*like for like*, the sums over the units whose answer counts in both campaigns (the
headline: a campaign still collecting answers is not a collapse), and over all the units
whose answer counts in each campaign (the two sets may differ). A figure is *n/a*
(``None``) when the field does not exist in one version or is blank in one answer; the
per cent change is n/a when the baseline is zero.

A number combines as its field's ``aggregate`` says (the current campaign's form, else the
baseline's): averages and rates are compared as averages — the mean over the units, like
for like or over all units, and the difference of the two means — never as sums.

Only accepted submissions count, unless the reader includes submitted ones, in both
campaigns alike. Two queries read the answers (one a campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

from dondoc.organization import scoping
from dondoc.surveys import definition as defs
from dondoc.surveys.consolidation import (
    NumberGetter,
    TreeUnit,
    answers_of,
    campaign_units,
    definition_of,
    numeric_getter,
    tree_of,
)
from dondoc.surveys.models import Campaign


@dataclass(frozen=True)
class Change:
    baseline: Decimal | None
    now: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.now is None:
            return None
        return self.now - self.baseline

    @property
    def percent(self) -> Decimal | None:
        """The change in per cent of the baseline, to 0.1; None without a baseline, with
        a zero baseline or without a value now."""
        change = self.change
        if change is None or self.baseline is None or self.baseline == 0:
            return None
        return (change * 100 / abs(self.baseline)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: str
    in_now: bool
    in_baseline: bool
    overall: Change
    """Figures over all the units counted in each campaign (the sets may differ)."""
    like_for_like: Change
    """Figures over the units counted in both campaigns."""
    aggregate: str = defs.DEFAULT_AGGREGATE
    """How the units' values combine: ``sum`` or, for averages and rates, ``average``…"""

    @property
    def is_summed(self) -> bool:
        return self.aggregate == "sum"


@dataclass(frozen=True)
class UnitRow:
    unit: TreeUnit
    change: Change
    answered_now: bool
    answered_baseline: bool


@dataclass
class Comparison:
    campaign: Campaign
    baseline: Campaign
    include_submitted: bool
    fields: list[FieldRow]
    field: FieldRow | None
    answered_now: int
    answered_baseline: int
    answered_both: int
    members: list[TreeUnit]
    getters: dict[str, tuple[NumberGetter | None, NumberGetter | None]]
    now_answers: dict[int, dict[str, Any]]
    base_answers: dict[int, dict[str, Any]]

    @property
    def units(self) -> list[UnitRow]:
        """The chosen field per unit."""
        return self.per_unit(self.field.key) if self.field is not None else []

    def per_unit(self, key: str) -> list[UnitRow]:
        """``key`` for every unit answering either campaign, in tree order."""
        now_get, base_get = self.getters.get(key, (None, None))
        rows = []
        for unit in self.members:
            now = self.now_answers.get(unit.pk)
            before = self.base_answers.get(unit.pk)
            rows.append(UnitRow(
                unit, Change(base_get(before) if base_get and before is not None else None,
                             now_get(now) if now_get and now is not None else None),
                answered_now=now is not None, answered_baseline=before is not None))
        return rows


def comparable_campaigns(user: Any, campaign: Campaign) -> QuerySet[Campaign]:
    """Campaigns the reader sees with the same form family, other than ``campaign``."""
    return (scoping.campaigns_visible_to(user).filter(form__key=campaign.form.key)
            .exclude(pk=campaign.pk).select_related("form")
            .order_by("-reference_date", "-pk"))


def _label(now: defs.FormDefinition, before: defs.FormDefinition, key: str) -> str:
    parts = key.split(".")
    for defn in (now, before):
        if defn.aggregate_of(key) is None:
            continue
        if len(parts) == 1:
            return defn.field(key).label()
        table = defn.field(parts[0])
        labels = [table.label(), table.column(parts[-1]).label()]
        if len(parts) == 3:
            row = next((row for row in table.rows if row.key == parts[1]), None)
            labels.insert(1, row.label() if row else parts[1])
        return " — ".join(labels)
    return key


def _total(getter: NumberGetter | None, answers: dict[int, dict[str, Any]],
           aggregate: str) -> Decimal | None:
    if getter is None:
        return None
    return defs.combine([value for value in map(getter, answers.values())
                         if value is not None], aggregate)


def _keys(now: defs.FormDefinition, before: defs.FormDefinition) -> list[str]:
    """The numbers of the current form, then those only the baseline's form has (not a
    column of the current form that is compared row by row instead)."""
    keys = now.numeric_keys()
    known = set(keys)
    for key in before.numeric_keys():
        if key not in known and now.aggregate_of(key) is None:
            keys.append(key)
    return keys


def compare(*, user: Any, campaign: Campaign, baseline: Campaign, key: str | None = None,
            include_submitted: bool = False) -> Comparison:
    """``campaign`` against ``baseline`` as ``user`` may see them (their units' subtree
    for unit managers); per unit for ``key`` (the first number when None or unknown)."""
    now_defn, base_defn = definition_of(campaign), definition_of(baseline)
    keys = _keys(now_defn, base_defn)
    aggregates = {k: now_defn.aggregate_of(k) or base_defn.aggregate_of(k)
                  or defs.DEFAULT_AGGREGATE for k in keys}
    now_answers = answers_of(user, campaign, include_submitted=include_submitted)
    base_answers = answers_of(user, baseline, include_submitted=include_submitted)
    getters = {k: (numeric_getter(now_defn, k), numeric_getter(base_defn, k)) for k in keys}
    both = now_answers.keys() & base_answers.keys()
    now_both = {pk: answer for pk, answer in now_answers.items() if pk in both}
    base_both = {pk: answer for pk, answer in base_answers.items() if pk in both}
    fields = [FieldRow(k, _label(now_defn, base_defn, k), getters[k][0] is not None,
                       getters[k][1] is not None,
                       overall=Change(_total(getters[k][1], base_answers, aggregates[k]),
                                      _total(getters[k][0], now_answers, aggregates[k])),
                       like_for_like=Change(_total(getters[k][1], base_both, aggregates[k]),
                                            _total(getters[k][0], now_both, aggregates[k])),
                       aggregate=aggregates[k])
              for k in keys]
    chosen = next((row for row in fields if row.key == key), fields[0] if fields else None)
    members = {unit.pk: unit for unit in campaign_units(user, baseline)}
    members.update({unit.pk: unit for unit in campaign_units(user, campaign)})
    tree = tree_of(list(members.values()))
    return Comparison(campaign=campaign, baseline=baseline,
                      include_submitted=include_submitted, fields=fields, field=chosen,
                      answered_now=len(now_answers), answered_baseline=len(base_answers),
                      answered_both=len(both),
                      members=[unit for unit in tree.units if unit.member], getters=getters,
                      now_answers=now_answers, base_answers=base_answers)
