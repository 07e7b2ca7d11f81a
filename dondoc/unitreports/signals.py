"""Signals sent once a unit report's step is committed (notifications listen to them).

Both send ``report`` (a :class:`~dondoc.unitreports.models.UnitReport`) and ``actor``.
"""

from django.dispatch import Signal

unit_report_submitted = Signal()
unit_report_returned = Signal()
unit_report_accepted = Signal()
