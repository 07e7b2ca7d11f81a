"""Signals of the urging letters, for other apps (notifications) to listen to.

``urging_sent`` is sent once the transaction that recorded a letter has committed, with
``letter`` (an :class:`~dondoc.urging.models.UrgingLetter`) and ``units`` (the list of
units it is addressed to).
"""

from django.dispatch import Signal

urging_sent = Signal()
