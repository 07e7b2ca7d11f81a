"""Compute the month-end snapshots of the last months ahead of time (for the job queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dondoc.dashboards import snapshots
from dondoc.progress.selectors import business_today


class Command(BaseCommand):
    help = "Compute the dashboard's missing month-end snapshots (default: the last 13 months)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=13)

    def handle(self, *args: Any, **options: Any) -> None:
        months = snapshots.month_ends(snapshots.previous_month_end(business_today()),
                                      max(1, options["months"]))
        snapshots.ensure_months(months)
        self.stdout.write(f"{len(months)} month ends ready, {months[0]} to {months[-1]}")
