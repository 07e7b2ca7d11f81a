"""Signals for whoever must hear of obstacles (the notification centre, at merge).

Each is sent once the transaction that made the change has committed, with
``sender=Obstacle``, ``obstacle`` and ``actor`` (the person, or ``None`` for the system).
"""

from __future__ import annotations

from django.dispatch import Signal

obstacle_raised = Signal()
obstacle_escalated = Signal()
obstacle_directed = Signal()
obstacle_resolved = Signal()
obstacle_rejected = Signal()
