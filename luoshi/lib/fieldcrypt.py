"""Personal data encrypted at rest (GB/T 22239-2019 §8.1.4.8 数据保密性): SM4 in GCM mode, and
keyed SM3 lookup hashes where a value must still be found (a phone number in an import).

A model declares `phone = EncryptedCharField(max_length=20, blank=True)`; the value is encrypted
when written and decrypted when read, so code keeps reading `person.phone`. The column holds
`sm4:<key id>:<base64 of nonce, ciphertext and tag>`, bound to its model and field (the GCM
associated data), so a value copied into another column does not decrypt. An encrypted column
cannot be searched: filtering on it raises, and a `LookupHashField(source="phone")` beside it
holds HMAC-SM3 of the normalised value for exact lookups.

Keys come from settings.FIELD_KEYS (see settings: LUOSHI_FIELD_KEY, LUOSHI_FIELD_KEY_FILE or a
file made once in var/): `id:hex` entries, the first the current one. To rotate, put a new entry
first and keep the old ones until `manage.py rotate_field_keys` has rewritten every row; then the
old entries can go (docs/security.md).
"""

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "sm4"
NONCE_BYTES = 12
TAG_BYTES = 16
_KEY_ENTRY = re.compile(r"^([A-Za-z0-9_-]{1,16}):([0-9a-fA-F]{32})$")


class DecryptionError(ValueError):
    """A stored value that does not decrypt with any configured key (wrong key or tampering)."""


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]

    @property
    def lookup_key(self) -> bytes:
        """The HMAC key of lookup hashes, derived from the current key (rotation recomputes them)."""
        return hmac.new(self.keys[self.current], b"luoshi lookup hash", "sm3").digest()


def parse_keys(text: str) -> KeyRing:
    entries = [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
    keys: dict[str, bytes] = {}
    for entry in entries:
        found = _KEY_ENTRY.match(entry)
        if not found:
            raise ImproperlyConfigured(
                "Field encryption keys must be `id:32 hex digits` entries (SM4 keys are 128-bit)."
            )
        keys[found[1]] = bytes.fromhex(found[2])
    if not keys:
        raise ImproperlyConfigured("No field encryption key is configured (LUOSHI_FIELD_KEY).")
    return KeyRing(current=next(iter(keys)), keys=keys)


@cache
def _configured(text: str) -> KeyRing:
    return parse_keys(text)


def keyring() -> KeyRing:
    return _configured(settings.FIELD_KEYS)


def encrypt(value: str, *, context: str, ring: KeyRing | None = None) -> str:
    """`value` encrypted with the current key; `context` (model and field) is bound to it."""
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.keys[ring.current]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode())
    body = encryptor.update(value.encode()) + encryptor.finalize()
    token = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}:{ring.current}:{token}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(f"{PREFIX}:")


def key_id(stored: str) -> str:
    return stored.split(":", 2)[1] if is_encrypted(stored) else ""


def decrypt(stored: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    try:
        _prefix, kid, token = stored.split(":", 2)
        raw = base64.urlsafe_b64decode(token.encode())
        key = ring.keys[kid]
    except (ValueError, KeyError) as error:
        raise DecryptionError(f"no key for this value ({stored[:12]}…)") from error
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as error:
        raise DecryptionError("the value does not match its key or its place") from error


def lookup_hash(value: str, *, context: str, ring: KeyRing | None = None) -> str:
    """HMAC-SM3 of `value` for exact lookups; empty for an empty value."""
    if not value:
        return ""
    ring = ring or keyring()
    message = f"{context}\0{value}".encode()
    return hmac.new(ring.lookup_key, message, "sm3").hexdigest()


if "sm3" not in hashlib.algorithms_available:  # pragma: no cover - depends on the OpenSSL build
    raise ImproperlyConfigured("This Python's OpenSSL has no SM3 (hashlib 'sm3').")


class EncryptedCharField(models.TextField):
    """A short text stored SM4-encrypted; reads give the plain text. Not searchable: declare a
    LookupHashField beside it. `max_length` limits the plain text (forms and full_clean)."""

    description = "Text encrypted at rest (SM4-GCM)"

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression, connection) -> str | None:
        if not value or not is_encrypted(value):
            return value  # empty, or a row written before the column was encrypted
        return decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value, context=self.context)

    def get_lookup(self, lookup_name: str):
        if lookup_name not in {"isnull", "exact"}:
            raise ValueError(
                f"{self.context} is encrypted and cannot be searched ({lookup_name}); "
                "use its lookup hash."
            )
        return _EmptyOnlyExact if lookup_name == "exact" else super().get_lookup(lookup_name)

    def formfield(self, **kwargs: Any):
        from django import forms

        defaults = {"required": not self.blank, "max_length": self.plain_max_length}
        return forms.CharField(**{**defaults, **kwargs})


class _EmptyOnlyExact(models.lookups.Exact):
    """`field=""` still works (blank values are stored as they are); any other value raises,
    because a fresh nonce makes equal values differ in the column."""

    def get_db_prep_lookup(self, value, connection):
        if value not in ("", None):
            raise ValueError(f"{self.lhs.target.context} is encrypted: look it up by its hash.")
        return super().get_db_prep_lookup(value, connection)


class LookupHashField(models.CharField):
    """HMAC-SM3 of another field's value (stored normalised by its service), kept up to date on
    every save; `Model.objects.filter(phone_hash=field.hash_of(phone))` finds it."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        # a row written without the hash (an older migration's model state) gets an empty one
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key in ("max_length", "editable", "blank", "db_index", "db_default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.source}"

    def hash_of(self, value: str) -> str:
        return lookup_hash(value or "", context=self.context)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.hash_of(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
