"""The units an urging letter is addressed to are told in the notification centre.

Connected in ``UrgingConfig.ready``: ``signals.urging_sent`` (sent once the letter is
committed) → one notification "urging letter received" per unit, to its managers (its
officers when it has none), linking to the letter's page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.urls import reverse

logger = logging.getLogger(__name__)


def notify_units(sender: Any, letter: Any, units: list[Any], **kwargs: Any) -> None:
    from dondoc.notifications import kinds
    from dondoc.notifications.services import notify

    for unit in units:
        try:
            notify([unit], kinds.URGING_LETTER_RECEIVED, letter,
                   {"number": letter.number, "unit": unit.name},
                   key_date=letter.letter_date, actor=letter.created_by,
                   key=f"{kinds.URGING_LETTER_RECEIVED}:{unit.pk}")
        except Exception:  # the letter is issued; a notice that fails is logged, not fatal
            logger.exception("urging letter %s: notifying %s failed", letter.pk, unit.pk)


def register() -> None:
    from dondoc.notifications.kinds import register_object
    from dondoc.organization import scoping
    from dondoc.urging.signals import urging_sent

    register_object("urging.urgingletter",
                    url=lambda pk: reverse("urging_letter_detail", args=[pk]),
                    visible=scoping.urging_letters_visible_to)
    urging_sent.connect(notify_units, dispatch_uid="dondoc.urging.notify_units")
