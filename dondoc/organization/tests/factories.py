"""Test data for the organisation: units (a tree needs treebeard's add_child) and users."""

from __future__ import annotations

from typing import Any

import factory

from dondoc.organization.models import Role, Unit, UnitKind, User

DEFAULT_PASSWORD = "correct-horse-battery-42"


def make_unit(parent: Unit | None, code: str, name: str | None = None,
              kind: str = UnitKind.DEPARTMENT, **fields: Any) -> Unit:
    """A unit; agencies are scope roots unless ``is_scope_root`` says otherwise."""
    values = {"code": code, "name": name or f"Đơn vị {code}", "kind": kind,
              "is_scope_root": kind == UnitKind.AGENCY, **fields}
    if parent is None:
        return Unit.objects.add_root(create_kwargs=values)
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), create_kwargs=values)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn"
    last_name = factory.Sequence(lambda n: f"Nguyễn {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()
