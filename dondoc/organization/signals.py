"""Signals of the unit tree, for other apps (the dashboards' snapshots) to listen to.

``unit_moved`` is sent inside the transaction that moved a unit under a new parent, with
``unit`` (the moved :class:`~dondoc.organization.models.Unit`, its new path read back):
every path below it changed.
"""

from django.dispatch import Signal

unit_moved = Signal()
