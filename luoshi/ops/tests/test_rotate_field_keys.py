"""Rotating the field-encryption key: `manage.py rotate_field_keys` rewrites every encrypted value
and lookup hash with the new key, after which the old key can be dropped."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from luoshi.accounts.models import User

pytestmark = pytest.mark.django_db

OLD = "t1:00112233445566778899aabbccddeeff"
NEW = "t2:ffeeddccbbaa99887766554433221100"


def _column(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {User._meta.db_table} WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_rotation_rewrites_values_and_hashes_so_the_old_key_can_go(world, settings):
    installed = settings.FIELD_KEYS.strip()  # the test world's phones were written with it
    settings.FIELD_KEYS = f"{OLD},{installed}"
    world.staff.phone = "13912345678"
    world.staff.save()
    assert _column(world.staff).startswith("sm4:t1:")
    settings.FIELD_KEYS = f"{NEW},{OLD},{installed}"
    assert User.objects.get(pk=world.staff.pk).phone == "13912345678"  # the old key still reads
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "accounts.User: " in out.getvalue()
    assert _column(world.staff).startswith("sm4:t2:")
    settings.FIELD_KEYS = NEW  # the old keys removed: every row was rewritten
    staff = User.objects.get(pk=world.staff.pk)
    assert staff.phone == "13912345678"
    field = User._meta.get_field("phone_hash")
    assert list(User.objects.filter(phone_hash=field.hash_of("13912345678"))) == [staff]
    assert all(user.phone is not None for user in User.objects.all())  # every row reads
