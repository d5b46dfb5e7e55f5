"""On PostgreSQL the audit log refuses UPDATE, DELETE and TRUNCATE: nobody, not even the
app's own database user, can rewrite or empty what happened."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from portal.models import AuditEntry, AuditKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_audit_table_refuses_update_and_delete(db: None) -> None:
    entry = AuditEntry.objects.create(kind=AuditKind.EXPORT, user_id=7, detail="x.csv")
    for statement in (
        "UPDATE portal_auditentry SET user_id = 8 WHERE id = %s",
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
    assert entry.user_id == 7
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# The portal's role: every right on the table, but not its owner (README, production).
APP_ROLE = "portal_audit_test_app"


def test_the_audit_table_refuses_truncate_to_the_portals_role(db: None) -> None:
    AuditEntry.objects.create(kind=AuditKind.EXPORT, detail="x.csv")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        cursor.execute(f"CREATE ROLE {APP_ROLE}")
        cursor.execute(f"GRANT ALL ON portal_auditentry TO {APP_ROLE}")
    try:
        for statement in (
            "TRUNCATE portal_auditentry",
            "TRUNCATE portal_auditentry CASCADE",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
                cursor.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"REVOKE ALL ON portal_auditentry FROM {APP_ROLE}")
            cursor.execute(f"DROP ROLE {APP_ROLE}")
    assert AuditEntry.objects.filter(detail="x.csv").count() == 1
