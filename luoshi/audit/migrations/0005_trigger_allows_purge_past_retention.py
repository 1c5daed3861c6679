"""On PostgreSQL, the append-only trigger lets one thing through: the purge of rows older than the
minimum retention period of 184 days (six months: 网络安全法 §21), and only inside a
transaction that says so (`SET LOCAL luoshi.audit_purge = 'on'`, services.purge_audit). UPDATE
stays refused; so does deleting a row younger than 184 days, whatever the application asks.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION luoshi_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('luoshi.audit_purge', true) = 'on'
       AND OLD.at < now() - interval '184 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % on audit_auditevent is refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

RESTORE = """
CREATE OR REPLACE FUNCTION luoshi_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % on audit_auditevent is refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def allow_purge(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def refuse_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_hash_existing_rows")]

    operations = [migrations.RunPython(allow_purge, refuse_all, elidable=False)]
