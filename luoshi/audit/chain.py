"""The audit log's hash chain (防篡改): each row carries an HMAC-SM3 over its own content and the
previous row's hash, so that changing, inserting or removing any row breaks every link after it.

Keyed, not a plain SM3: whoever can write to the database but does not hold the key cannot
recompute the chain after rewriting a row. The key is LUOSHI_AUDIT_KEY (settings.AUDIT_CHAIN_KEY),
kept apart from the database; without it, one derived from SECRET_KEY. Changing the key makes
every existing row fail verification, so it is set once, when the platform is installed.

Appends are serialised so that the chain never forks: on PostgreSQL a transaction-level advisory
lock taken in the transaction of the insert; on SQLite every transaction is IMMEDIATE (settings),
so the writer already holds the database's one write lock.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

ALGORITHM = "sm3"
# pg_advisory_xact_lock's key for "appending to the audit log" (any bigint unique to luoshi).
LOCK_KEY = 0x6C756F73_68690001
# The changes of a purge row that anchor the chain after it (see services.purge_audit).
ANCHOR_FIRST_KEPT = "first_kept_id"
ANCHOR_HASH = "anchor_hash"


class ChainRow(Protocol):
    at: datetime
    actor_id: Any
    actor_name: str
    ip: str | None
    action: str
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    changes: Any
    note: str
    prev_hash: str
    row_hash: str


def require_sm3() -> None:
    """Refuse to start where this Python's OpenSSL has no SM3 (GB/T 32905-2016)."""
    try:
        hashlib.new(ALGORITHM)
    except ValueError as error:
        raise ImproperlyConfigured(
            "审计日志防篡改需要 SM3 杂凑算法，但本机 Python 的 OpenSSL 不提供 SM3"
            "（hashlib.new('sm3') 失败）。请使用带 SM3 的 OpenSSL（1.1.1 及以上的默认构建）。"
        ) from error


def _key() -> bytes:
    if settings.AUDIT_CHAIN_KEY:
        return settings.AUDIT_CHAIN_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"luoshi audit chain", ALGORITHM).digest()


def canonical(row: ChainRow) -> bytes:
    """The row's content as one fixed byte string: sorted-key compact JSON, time in UTC."""
    content = {
        "at": row.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": row.actor_id,
        "actor_name": row.actor_name,
        "ip": row.ip or "",
        "action": row.action,
        "verb": row.verb,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "changes": row.changes,
        "note": row.note,
        "prev": row.prev_hash,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_hash(row: ChainRow) -> str:
    return hmac.new(_key(), canonical(row), ALGORITHM).hexdigest()


def lock_for_append() -> None:
    """Hold the chain until the current transaction ends (the caller is inside one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # SQLite: the transaction began IMMEDIATE and holds the write lock already.


@dataclass(frozen=True)
class ChainState:
    """What a walk of the chain found: all `checked` rows good, or the first broken one."""

    checked: int
    last_id: int | None
    broken_id: int | None = None
    broken_at: datetime | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(rows, *, start_hash: str) -> ChainState:
    """Walk `rows` (in chain order) from `start_hash`; stop at the first row whose link to the
    one before it or whose own hash does not hold."""
    expected = start_hash
    checked = 0
    last_id = None
    for row in rows:
        if row.prev_hash != expected:
            return ChainState(checked, last_id, row.id, row.at, "link")
        if not hmac.compare_digest(row_hash(row), row.row_hash):
            return ChainState(checked, last_id, row.id, row.at, "content")
        expected = row.row_hash
        checked += 1
        last_id = row.id
    return ChainState(checked, last_id)
