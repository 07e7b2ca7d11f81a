"""Scope roots become an explicit, administrator-only flag (security test, issue 7 item 1).

Until now the scope of leaders, staff and inspectors was the nearest ancestor whose *kind*
was "agency", and staff could edit kinds. Existing agencies keep their scope: the flag is
set on every unit of kind "agency".
"""

from django.db import migrations, models


def flag_agencies(apps, schema_editor):
    Unit = apps.get_model("organization", "Unit")
    Unit.objects.filter(kind="agency").update(is_scope_root=True)


def unflag(apps, schema_editor):
    apps.get_model("organization", "Unit").objects.update(is_scope_root=False)


class Migration(migrations.Migration):

    dependencies = [
        ("organization", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="is_scope_root",
            field=models.BooleanField(
                default=False,
                help_text="Leaders, staff and inspectors under this unit see its whole subtree "
                "(an agency such as a city police). Only administrators set it.",
                verbose_name="scope root",
            ),
        ),
        migrations.RunPython(flag_agencies, unflag),
    ]
