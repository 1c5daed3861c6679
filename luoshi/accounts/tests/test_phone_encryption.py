"""Phones are stored SM4-encrypted (luoshi.lib.fieldcrypt): the column never holds the number,
reads give it back, a keyed hash finds it, and the migration encrypts rows written before."""

import importlib

import pytest
from django.db import connection

from luoshi.accounts.models import User
from luoshi.lib import fieldcrypt
from luoshi.org import services as org

pytestmark = pytest.mark.django_db


def _set_phone(user: User, phone: str) -> None:
    user.phone = org.normalise_phone(phone)
    user.save()


def _column(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {User._meta.db_table} WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_the_column_holds_ciphertext_and_reads_give_the_number(world):
    _set_phone(world.staff, "13912345678")
    stored = _column(world.staff)
    assert stored.startswith("sm4:") and "13912345678" not in stored and "5678" not in stored
    assert User.objects.get(pk=world.staff.pk).phone == "13912345678"
    assert User.objects.filter(pk=world.staff.pk).values_list("phone", flat=True)[0] == (
        "13912345678"
    )
    assert User.objects.get(pk=world.staff.pk).masked_phone == "139****5678"


def test_a_person_is_found_by_the_hash_of_the_phone_and_never_by_the_column(world):
    _set_phone(world.staff, "13912345678")
    field = User._meta.get_field("phone_hash")
    assert list(User.objects.filter(phone_hash=field.hash_of("13912345678"))) == [world.staff]
    assert not User.objects.filter(phone_hash=field.hash_of("13912345679")).exists()
    with pytest.raises(ValueError, match="encrypted"):
        list(User.objects.filter(phone="13912345678"))
    with pytest.raises(ValueError, match="encrypted"):
        list(User.objects.filter(phone__contains="1391"))
    assert User.objects.filter(phone="").count() == User.objects.filter(phone_hash="").count()


def test_the_migration_encrypts_rows_written_in_the_clear_and_going_back_decrypts_them(world):
    table = User._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET phone = %s, phone_hash = '' WHERE id = %s",
            ["13700001111", world.staff.pk],
        )
    migration = importlib.import_module("luoshi.accounts.migrations.0005_phone_encrypted_at_rest")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    from django.apps import apps

    migration.encrypt_phones(apps, editor)
    assert fieldcrypt.is_encrypted(_column(world.staff))
    staff = User.objects.get(pk=world.staff.pk)
    assert staff.phone == "13700001111"
    assert staff.phone_hash == User._meta.get_field("phone_hash").hash_of("13700001111")
    migration.decrypt_phones(apps, editor)
    assert _column(world.staff) == "13700001111"
