from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from feedback.models import Item
from tests.conftest import submit

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db(transaction=True)
def test_items_from_before_0005_get_their_working_days_filled_in(care_leaver):
    item = submit(care_leaver).item
    Item.objects.filter(pk=item.pk).update(
        created_at=datetime(2026, 3, 27, 12, tzinfo=LONDON),
        first_response_at=datetime(2026, 4, 7, 12, tzinfo=LONDON),
        closed_at=datetime(2026, 4, 9, 12, tzinfo=LONDON),
        status="closed",
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("feedback", "0005_working_days_on_item")])
    executor = MigrationExecutor(connection)
    executor.migrate([("feedback", "0006_backfill_working_days")])
    # Leave the schema as every other test expects it: fully migrated.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    item.refresh_from_db()
    assert (item.first_response_days, item.close_days) == (5, 7)  # over Easter 2026
