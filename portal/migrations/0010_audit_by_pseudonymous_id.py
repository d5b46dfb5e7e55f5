"""The audit log keeps who by account id only: a username written into an append-only
row outlived the erasure of the person. Dropping the column is DDL, which the row and
TRUNCATE triggers do not refuse; names are looked up as the log is read."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0009_audit_refuses_truncate'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='auditentry',
            name='username',
        ),
    ]
