"""What the home page shows a logged-in user: their unit, role and what needs attention.

Each domain app contributes attention items through :data:`PROVIDERS`, so the home page
grows as capabilities land without the core knowing their models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AttentionItem:
    label: str
    count: int
    url: str
    tone: str  # a badge tone: danger, warning, info, secondary, success
    icon: str


Provider = Callable[[Any], list[AttentionItem]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def home_context(user: Any) -> dict[str, Any]:
    items: list[AttentionItem] = []
    for provider in PROVIDERS:
        items.extend(provider(user))
    return {"attention": items}
