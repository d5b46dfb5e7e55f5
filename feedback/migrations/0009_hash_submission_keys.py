"""The database keeps a keyed hash of each form's key, never the key: the anonymous
tracking code is derived from the key, so a copy of the key was a copy of the code."""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import migrations


def stored(key: uuid.UUID) -> uuid.UUID:
    # As feedback.codes.stored_submission_key, frozen here.
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"submission:{key}".encode(), hashlib.sha256
    ).digest()
    return uuid.UUID(bytes=digest[:16])


def hash_keys(apps, schema_editor):
    Item = apps.get_model("feedback", "Item")
    for item in Item.objects.only("pk", "submission_key").iterator(chunk_size=2000):
        Item.objects.filter(pk=item.pk).update(submission_key=stored(item.submission_key))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0008_clock_running_rule")]

    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop)]
