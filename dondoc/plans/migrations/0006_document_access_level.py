"""Documents get an access level (security test, issue 7 item 7), replacing ``is_public``.

public documents stay public; every other document becomes internal (the default): no
longer readable by external agencies placed under the agency.
"""

from django.db import migrations, models


def public_from_flag(apps, schema_editor):
    Document = apps.get_model("plans", "Document")
    Document.objects.filter(is_public=True).update(access_level="public")


def flag_from_public(apps, schema_editor):
    Document = apps.get_model("plans", "Document")
    Document.objects.filter(access_level="public").update(is_public=True)


class Migration(migrations.Migration):

    dependencies = [
        ('organization', '0002_unit_is_scope_root'),
        ('plans', '0005_task_deadline_text_starts_on_extra_columns'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='access_level',
            field=models.CharField(choices=[('public', 'Public (also on the public portal)'), ('internal', "Internal (the agency's own units)"), ('restricted', 'Restricted (the units it is shared with)')], default='internal', help_text="Public: anyone, also on the public portal. Internal: every account of the agency's own units, not external agencies. Restricted: only the units it is shared with, and the managing unit's scope.", max_length=10, verbose_name='access level'),
        ),
        migrations.AddField(
            model_name='document',
            name='shared_with_units',
            field=models.ManyToManyField(blank=True, help_text='For a restricted document: the units (with their sub-units) that may read it.', related_name='shared_documents', to='organization.unit', verbose_name='shared with'),
        ),
        migrations.RunPython(public_from_flag, flag_from_public),
        migrations.RemoveField(
            model_name='document',
            name='is_public',
        ),
    ]
