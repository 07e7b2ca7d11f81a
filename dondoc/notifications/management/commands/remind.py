"""``dondoc remind [--as-of DD/MM/YYYY]``: run the daily reminder pass of a day by hand.

Safe to run again: nothing already written is written twice, nobody is e-mailed twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dondoc.core.dates import parse_day
from dondoc.notifications.reminders import run_reminder_pass


class Command(BaseCommand):
    help = "Run the reminder pass of a day (default: today) and write its daily digests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", default="",
                            help="the day of the pass, dd/mm/yyyy (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = parse_day(options["as_of"]) or timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: not a day: {options['as_of']!r} "
                               "(write it dd/mm/yyyy)") from None
        result = run_reminder_pass(day)
        self.stdout.write(f"reminder pass of {day:%d/%m/%Y}: {result['reminders']} reminders "
                          f"(new or already sent), {result['digests']} digests, "
                          f"{result['outbox_purged']} old sent e-mails deleted")
