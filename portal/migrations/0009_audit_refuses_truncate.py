"""The audit log refused UPDATE and DELETE row by row (0005), but TRUNCATE fires no row
trigger and emptied it. A statement-level trigger refuses it to every role but the
table's owner: the owner can drop any trigger anyway, so the portal runs as a role that
does not own the table (README, production), and the owner's TRUNCATE is what a test
run's flush uses."""

from django.db import migrations


def refuse_truncate(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has no TRUNCATE
    schema_editor.execute(NO_TRUNCATE)


def allow_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS portal_auditentry_no_truncate ON portal_auditentry;"
            "DROP FUNCTION IF EXISTS portal_auditentry_no_truncate();"
        )


NO_TRUNCATE = """
CREATE FUNCTION portal_auditentry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditentry_no_truncate
    BEFORE TRUNCATE ON portal_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION portal_auditentry_no_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_user_daily_digest")]

    operations = [migrations.RunPython(refuse_truncate, allow_truncate)]
