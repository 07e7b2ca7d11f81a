"""Sign-in backend: Django's own, reading the user's unit with the user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UnitModelBackend(ModelBackend):
    """:class:`ModelBackend` (same passwords, permissions and active check) whose
    ``get_user`` joins the user's unit: every page reads it (menu, scope, lists), and it
    was one more query per request."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("unit").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
