"""Give the rows written before the hash chain their hashes, in id order, so that verify_audit
walks one chain from the first row. On PostgreSQL the append-only trigger is lifted for this one
update and put back in the same transaction."""

from django.db import migrations
from django.db.models import QuerySet

from luoshi.audit import chain

TRIGGER = "audit_auditevent_append_only"


def hash_existing_rows(apps, schema_editor):
    chain.require_sm3()
    event_model = apps.get_model("audit", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # ALTER TABLE refuses while deferred foreign-key checks of this transaction are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
    previous = ""
    for event in event_model.objects.order_by("id").iterator(chunk_size=2000):
        event.prev_hash = previous
        event.row_hash = chain.row_hash(event)
        # QuerySet.update itself: the model's own queryset refuses updates (append-only).
        QuerySet.update(
            event_model.objects.filter(pk=event.pk),
            prev_hash=event.prev_hash,
            row_hash=event.row_hash,
        )
        previous = event.row_hash
    if postgres:
        schema_editor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]

    operations = [
        migrations.RunPython(hash_existing_rows, migrations.RunPython.noop, elidable=False)
    ]
