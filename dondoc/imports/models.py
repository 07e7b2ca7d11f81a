"""Unit groups (what collective phrases of an appendix stand for) and the review flags an
import leaves on the tasks it could not read with certainty."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitGroup(models.Model):
    """A named set of units with the phrases appendices use for it.

    "Các bộ, cơ quan ngang bộ" or "UBND các tỉnh, thành phố trực thuộc trung ương": when a
    unit cell names the group (by its name or one of its aliases) the importer expands it
    to the member units. ``owner_unit`` scopes who may see and edit the group; a group
    without an owner (created from the console) is shared by every scope.
    """

    name = models.CharField(_("name"), max_length=255, unique=True)
    aliases = models.TextField(
        _("other phrases"), blank=True,
        help_text=_("One phrase per line, as appendices write it (e.g. “Các bộ, ngành”)."))
    units = models.ManyToManyField("organization.Unit", verbose_name=_("units"), blank=True,
                                   related_name="unit_groups")
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("managed by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="owned_unit_groups")

    class Meta:
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phrases(self) -> list[str]:
        """The name and every alias: the phrases an appendix may use for the group."""
        lines = [line.strip() for line in self.aliases.splitlines()]
        return [self.name, *(line for line in lines if line)]


class ReviewFlag(models.Model):
    """Something the importer was unsure of on one task: open until a person clears it."""

    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE,
                             related_name="review_flags")
    code = models.CharField(_("code"), max_length=40)
    message = models.TextField(_("message"))
    column = models.CharField(_("column"), max_length=20, blank=True)
    cell_text = models.TextField(_("original cell text"), blank=True)
    row_number = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
        ordering = ["task_id", "id"]
        indexes = [models.Index(fields=["task", "cleared_on"], name="imports_flag_task_open")]

    def __str__(self) -> str:
        return f"{self.code}: {self.message[:80]}"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None
