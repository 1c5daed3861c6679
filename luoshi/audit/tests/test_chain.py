"""The audit log is tamper-evident: every row carries an HMAC-SM3 chained to the row before it;
`verify_audit` and the auditor's page report the first broken link; concurrent appends never
fork the chain."""

import threading
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.urls import reverse

from luoshi.audit import chain, selectors
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list) -> None:
    """What someone with the database's own login could do; on PostgreSQL that means lifting
    the append-only trigger first (only the table's owner can)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this test's inserts would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only"
            )


def _write(count: int, note: str = "记录") -> list[AuditEvent]:
    return [
        record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, note=f"{note} {n}")
        for n in range(count)
    ]


def _verify() -> str:
    try:
        call_command("verify_audit", stdout=(out := _Out()))
    except CommandError as error:
        assert error.returncode == 1
        return "BROKEN " + str(error)
    return out.text


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def test_each_row_is_linked_to_the_one_before():
    first, second, third = _write(3)
    assert first.prev_hash == "" and len(first.row_hash) == 64
    assert second.prev_hash == first.row_hash
    assert third.prev_hash == second.row_hash
    assert third.row_hash == chain.row_hash(AuditEvent.objects.get(pk=third.pk))
    assert _verify().startswith("OK 3")


def test_hash_is_keyed(settings):
    event = _write(1)[0]
    settings.AUDIT_CHAIN_KEY = "另一把密钥"
    assert chain.row_hash(event) != event.row_hash
    assert _verify().startswith("BROKEN")


def test_changed_row_is_reported():
    rows = _write(4)
    _raw("UPDATE audit_auditevent SET note = %s WHERE id = %s", ["改写", rows[2].pk])
    report = _verify()
    assert report.startswith("BROKEN") and f"第 {rows[2].pk} 条" in report
    assert "内容与其杂凑值不符" in report and "此前已校验 2 条" in report


def test_deleted_row_is_reported():
    rows = _write(4)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    report = _verify()
    assert f"第 {rows[2].pk} 条" in report and "前面的记录被删除" in report


def test_auditor_page_shows_the_chain_state(client_for, world):
    rows = _write(2)
    page = client_for(world.auditor).get(reverse("audit:event-list"))
    assert "审计日志杂凑链完整" in page.content.decode()
    _raw("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["他人", rows[0].pk])
    page = client_for(world.auditor).get(reverse("audit:event-list")).content.decode()
    assert f"审计日志杂凑链在第 {rows[0].pk} 条" in page
    assert reverse("audit:event-detail", args=[rows[0].pk]) in page


def test_existing_rows_get_hashes_in_the_data_migration():
    rows = _write(3)
    _raw("UPDATE audit_auditevent SET prev_hash = '', row_hash = ''", [])
    assert _verify().startswith("BROKEN")
    migration = __import__(
        "luoshi.audit.migrations.0004_hash_existing_rows", fromlist=["hash_existing_rows"]
    )
    with connection.cursor() as cursor:
        # The parts of a schema editor the migration uses (SQLite's cannot open in a test's
        # transaction).
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.hash_existing_rows(apps, editor)
    assert _verify().startswith("OK 3")
    assert AuditEvent.objects.get(pk=rows[2].pk).row_hash == rows[2].row_hash


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "in-memory SQLite (shared cache) refuses a second writer outright instead of "
            "waiting; run with LUOSHI_TEST_SQLITE_NAME=/tmp/….sqlite3 for a file database"
        )
    per_thread = 15
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            start.wait()
            _write(per_thread, note=name)
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=append, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 2 * per_thread
    hashes = list(AuditEvent.objects.order_by("id").values_list("prev_hash", flat=True))
    assert len(set(hashes)) == len(hashes)  # no two rows link to the same predecessor
    state = selectors.chain_state()
    assert state.ok and state.checked == 2 * per_thread
