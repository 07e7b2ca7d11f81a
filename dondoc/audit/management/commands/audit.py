"""``dondoc audit verify``: check the keyed chain and its checkpoints; name the first bad event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dondoc.audit.services import verify


class Command(BaseCommand):
    help = ("Audit log tools. 'verify' checks the keyed hash chain against the audit key and "
            "the checkpoint file, and reports the first event that was edited, deleted or "
            "forged.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if not result.ok:
            if result.key_missing:
                raise CommandError(
                    f"audit chain cannot be verified from event #{result.broken_seq}: "
                    f"{result.reason} ({result.checked} events verified before it)")
            raise CommandError(
                f"audit chain BROKEN at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        keyed = (f"keyed (HMAC-SHA256) from #{result.keyed_from}" if result.keyed_from
                 else "no keyed events yet")
        self.stdout.write(self.style.SUCCESS(
            f"audit chain intact: {result.checked} events, {keyed}"))
        self.stdout.write(
            f"checkpoints: {result.checkpoints_checked} matched in {result.epoch} "
            f"of {result.epochs}")
