"""The unit tree and the user accounts that belong to units."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dondoc.core.models import SearchTextMixin, VersionedModel
from dondoc.core.text import fold


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Agency")  # Bộ, Công an tỉnh/thành phố (scope: Unit.is_scope_root)
    LEADERSHIP = "leadership", _("Board of directors")
    PARTY = "party", _("Party committee")
    DEPARTMENT = "department", _("Department")
    DISTRICT = "district", _("District police")
    WARD = "ward", _("Ward/commune police")
    TEAM = "team", _("Team")
    GROUP = "group", _("Group of units")
    EXTERNAL = "external", _("External agency")


class UnitQuerySet(MP_NodeQuerySet):
    def valid_on(self, day: dt.date) -> UnitQuerySet:
        """Units that existed on ``day`` (validity dates are inclusive)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and all its descendants: one indexed prefix query on ``path``."""
        return self.filter(path__startswith=unit.path)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    """Tree-aware manager (treebeard) with the scoping helpers of :class:`UnitQuerySet`."""

    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(SearchTextMixin, MP_Node, VersionedModel):
    """A unit of the organisation: agency, department, district or ward police, or partner.

    The tree uses a materialised path (django-treebeard), so a subtree is one indexed
    ``path LIKE 'prefix%'`` query. Units are never deleted once work is attached: they
    are dissolved (``valid_to``) and may name a ``successor``.
    """

    code_validator = RegexValidator(
        r"^[A-Za-z0-9._-]+$",
        _("Use letters, digits, dots, dashes or underscores only (no spaces)."),
    )

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    order = models.PositiveIntegerField(_("display order"), default=100)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"), null=True, blank=True,
        help_text=_("Last day the unit existed; empty while it exists."),
    )
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="predecessors",
        help_text=_("The unit that takes over its work when it is dissolved."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_scope_root = models.BooleanField(
        _("scope root"), default=False,
        help_text=_("Leaders, staff and inspectors under this unit see its whole subtree "
                    "(an agency such as a city police). Only administrators set it."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    node_order_by = ["order", "name"]
    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # scoping._tops_and_scope_roots, read on nearly every page: the tops of the tree
            # and the agencies, a few dozen of a ministry's 20,000 units (a scan: 4.7 ms).
            models.Index(fields=["path"], condition=Q(is_scope_root=True) | Q(depth=1),
                         name="organization_unit_tops_roots"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": _("The end of validity cannot be before its start.")}
            )
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("A unit cannot succeed itself.")})

    def compute_search_text(self) -> str:
        return fold(f"{self.code} {self.name} {self.short_name}")[:400]

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def is_in_subtree_of(self, other: Unit) -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    LEADER = "leader", _("Leader")
    STAFF = "staff", _("Staff department")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    OFFICER = "officer", _("Officer")
    INSPECTOR = "inspector", _("Inspector")
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Portal editor")


class User(SearchTextMixin, AbstractUser):
    """A person's account. Belongs to exactly one unit; its role decides the scope."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="users",
        null=True,  # only for the bootstrap superuser created before any unit exists
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True,
        validators=[RegexValidator(r"^\+?[0-9 .()-]{6,20}$", _("Enter a valid phone number."))],
    )
    language = models.CharField(
        _("language"), max_length=5, choices=[("vi", "Tiếng Việt"), ("en", "English")],
        default="vi",
    )
    otp_exempt = models.BooleanField(
        _("exempt from two-factor authentication"), default=False,
        help_text=_("Only demo accounts loaded with --insecure-demo or DEBUG."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    search_text = models.CharField(max_length=400, blank=True, editable=False, db_index=True)


    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["unit__path", "last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names, then the given name."""
        return f"{self.last_name} {self.first_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    def compute_search_text(self) -> str:
        return fold(
            f"{self.username} {self.last_name} {self.first_name} {self.email} {self.position}"
        )[:400]

    @property
    def requires_2fa(self) -> bool:
        from django.conf import settings

        return self.role in settings.DONDOC_2FA_REQUIRED_ROLES and not self.otp_exempt
