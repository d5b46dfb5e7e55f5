"""On PostgreSQL the audit log refuses UPDATE and DELETE: nobody, not even the app's own
database user, can rewrite what happened."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from portal.models import AuditEntry, AuditKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_audit_table_refuses_update_and_delete(db: None) -> None:
    entry = AuditEntry.objects.create(kind=AuditKind.EXPORT, username="chris", detail="x.csv")
    for statement in (
        "UPDATE portal_auditentry SET username = 'someone' WHERE id = %s",
        "DELETE FROM portal_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.username == "chris"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
