"""The tops of the tree and the agencies, read on nearly every page (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organization', '0003_user_role_editor'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='unit',
            index=models.Index(condition=models.Q(('is_scope_root', True), ('depth', 1), _connector='OR'), fields=['path'], name='organization_unit_tops_roots'),
        ),
    ]
