"""The default reminder rules: 7 and 3 days before, on the day, weekly when overdue,
escalation to the lead unit's manager after 7 days and to leaders after 14."""

from django.db import migrations

DEFAULTS = [("before_due", 7), ("before_due", 3), ("on_due", 0), ("overdue", 7),
            ("escalate_manager", 7), ("escalate_leader", 14)]


def add_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule = apps.get_model("notifications", "ReminderRule")
    for kind, days in DEFAULTS:
        rule.objects.get_or_create(kind=kind, days=days)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
