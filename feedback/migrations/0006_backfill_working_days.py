"""Fill in the working days recorded on items since 0005, for items from before it.

Answers and extensions recorded before 0005 carry no stage or deadline in their
event data and so count in no column of the annual report; the portal had not
been released when 0005 was written, so no such events exist.
"""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    from feedback.workdays import working_days_between

    Item = apps.get_model("feedback", "Item")
    responded = Item.objects.filter(
        first_response_at__isnull=False, first_response_days__isnull=True
    )
    for item in responded.only("pk", "created_at", "first_response_at").iterator():
        Item.objects.filter(pk=item.pk).update(
            first_response_days=working_days_between(
                timezone.localdate(item.created_at), timezone.localdate(item.first_response_at)
            )
        )
    closed = Item.objects.filter(status="closed", closed_at__isnull=False, close_days__isnull=True)
    for item in closed.only("pk", "created_at", "closed_at").iterator():
        Item.objects.filter(pk=item.pk).update(
            close_days=working_days_between(
                timezone.localdate(item.created_at), timezone.localdate(item.closed_at)
            )
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0005_working_days_on_item")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
