"""Key the audit chain: events get a hash scheme; existing rows keep plain SHA-256 (1)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        # Rows already in the table were hashed with plain SHA-256: scheme 1.
        migrations.AddField(
            model_name='auditevent',
            name='scheme',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='hash scheme'),
        ),
        # New rows are HMAC-SHA256 with the audit key: scheme 2.
        migrations.AlterField(
            model_name='auditevent',
            name='scheme',
            field=models.PositiveSmallIntegerField(default=2, verbose_name='hash scheme'),
        ),
    ]
