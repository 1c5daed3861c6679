"""Phones encrypted at rest with SM4 (luoshi.lib.fieldcrypt), with a keyed SM3 hash for lookups.

Existing phones are encrypted in place; going back decrypts them. Both directions write the
column with plain SQL, so that what is written is exactly what the step means."""

from django.db import migrations

import luoshi.lib.fieldcrypt

CONTEXT = "accounts.user.phone"


def encrypt_phones(apps, schema_editor):
    from luoshi.lib.fieldcrypt import encrypt, is_encrypted, lookup_hash

    table = apps.get_model("accounts", "User")._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, phone FROM {table} WHERE phone <> ''")
        for pk, phone in cursor.fetchall():
            if is_encrypted(phone):
                continue
            cursor.execute(
                f"UPDATE {table} SET phone = %s, phone_hash = %s WHERE id = %s",
                [encrypt(phone, context=CONTEXT), lookup_hash(phone, context=CONTEXT), pk],
            )


def decrypt_phones(apps, schema_editor):
    from luoshi.lib.fieldcrypt import decrypt, is_encrypted

    table = apps.get_model("accounts", "User")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, phone FROM {table} WHERE phone <> ''")
        for pk, phone in cursor.fetchall():
            if is_encrypted(phone):
                cursor.execute(
                    f"UPDATE {table} SET phone = %s WHERE id = %s",
                    [decrypt(phone, context=CONTEXT), pk],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_hash",
            field=luoshi.lib.fieldcrypt.LookupHashField(source="phone"),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=luoshi.lib.fieldcrypt.EncryptedCharField(
                blank=True, max_length=20, verbose_name="手机号"
            ),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones),
    ]
