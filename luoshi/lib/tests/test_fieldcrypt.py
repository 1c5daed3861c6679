"""SM4-GCM field encryption and HMAC-SM3 lookup hashes (luoshi.lib.fieldcrypt)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from luoshi.lib import fieldcrypt

OLD = fieldcrypt.parse_keys("k1:00112233445566778899aabbccddeeff")
ROTATED = fieldcrypt.parse_keys(
    "k2:ffeeddccbbaa99887766554433221100,k1:00112233445566778899aabbccddeeff"
)


def test_a_value_round_trips_and_is_not_stored_in_the_clear():
    stored = fieldcrypt.encrypt("13800138000", context="accounts.user.phone", ring=OLD)
    assert stored.startswith("sm4:k1:") and "13800138000" not in stored
    assert fieldcrypt.decrypt(stored, context="accounts.user.phone", ring=OLD) == "13800138000"
    # a fresh nonce each time: equal values differ in the column
    assert stored != fieldcrypt.encrypt("13800138000", context="accounts.user.phone", ring=OLD)


def test_a_value_moved_to_another_column_or_altered_does_not_decrypt():
    stored = fieldcrypt.encrypt("13800138000", context="accounts.user.phone", ring=OLD)
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(stored, context="learning.row.phone", ring=OLD)
    prefix, token = stored[:7], stored[7:]
    altered = prefix + ("A" if token[0] != "A" else "B") + token[1:]
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(altered, context="accounts.user.phone", ring=OLD)


def test_after_rotation_old_values_still_read_and_new_ones_use_the_new_key():
    stored = fieldcrypt.encrypt("13800138000", context="c", ring=OLD)
    assert fieldcrypt.decrypt(stored, context="c", ring=ROTATED) == "13800138000"
    assert fieldcrypt.key_id(fieldcrypt.encrypt("x", context="c", ring=ROTATED)) == "k2"
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(
            fieldcrypt.encrypt("x", context="c", ring=ROTATED), context="c", ring=OLD
        )


def test_lookup_hashes_are_keyed_and_stable():
    a = fieldcrypt.lookup_hash("13800138000", context="accounts.user.phone", ring=OLD)
    assert a == fieldcrypt.lookup_hash("13800138000", context="accounts.user.phone", ring=OLD)
    assert len(a) == 64 and a != fieldcrypt.lookup_hash(
        "13800138001", context="accounts.user.phone", ring=OLD
    )
    assert a != fieldcrypt.lookup_hash("13800138000", context="accounts.user.phone", ring=ROTATED)
    assert fieldcrypt.lookup_hash("", context="c", ring=OLD) == ""


@pytest.mark.parametrize("text", ["", "k1", "k1:abcd", "bad id!:00112233445566778899aabbccddeeff"])
def test_malformed_keys_are_refused_at_start(text):
    with pytest.raises(ImproperlyConfigured):
        fieldcrypt.parse_keys(text)
