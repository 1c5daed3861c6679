"""manage.py rotate_field_keys: rewrite every encrypted field with the current key.

After a new key has been put first in LUOSHI_FIELD_KEY (or the key file), values written with an
older key still read; this rewrites them with the current one and recomputes the lookup hashes
(which are keyed by the current key), so that the older entries can then be removed."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from luoshi.lib.fieldcrypt import EncryptedCharField, LookupHashField, key_id, keyring

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every SM4-encrypted field with the current key and recompute lookup hashes."

    def handle(self, *args, **options):
        current = keyring().current
        for model in apps.get_models():
            encrypted = [
                f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)
            ]
            if not encrypted:
                continue
            hashes = [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]
            names = [f.name for f in encrypted + hashes]
            table = model._meta.db_table
            columns = ", ".join(connection.ops.quote_name(f.column) for f in encrypted)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {connection.ops.quote_name('id')}, {columns} FROM {table}")
                stale = [
                    row[0]
                    for row in cursor.fetchall()
                    if any(value and key_id(value) != current for value in row[1:])
                ]
            for start in range(0, len(stale), BATCH):
                with transaction.atomic():
                    for obj in model._base_manager.filter(pk__in=stale[start : start + BATCH]):
                        obj.save(update_fields=names)
            self.stdout.write(
                f"{model._meta.label}: {len(stale)} row(s) rewritten with key {current}"
            )
