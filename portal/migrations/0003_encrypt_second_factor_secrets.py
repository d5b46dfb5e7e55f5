"""Second-factor secrets written before they were encrypted are encrypted now."""

from django.db import migrations

from portal.adapters import FERNET_PREFIX, secrets_box


def encrypt_stored_secrets(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    box = secrets_box()
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        changed = False
        for field in ("secret", "seed"):
            value = data.get(field)
            if isinstance(value, str) and not value.startswith(FERNET_PREFIX):
                data[field] = box.encrypt(value.encode()).decode()
                changed = True
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_user_is_participation_officer"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_stored_secrets, migrations.RunPython.noop)]
