"""Audit records are kept at least 184 days: a purge removes only older rows, refuses a date
within the retention period or a retention set below the minimum, is itself audited, and
leaves a chain that still verifies."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from luoshi.audit import selectors
from luoshi.audit.models import AuditEvent
from luoshi.audit.retention import require_retention
from luoshi.audit.services import _append, record

pytestmark = pytest.mark.django_db


def _rows(days_ago: list[int]) -> list[AuditEvent]:
    now = timezone.now()
    return [
        _append(
            AuditEvent(
                at=now - timedelta(days=days), action=AuditEvent.Action.LOGIN, note=f"{days} 天前"
            )
        )
        for days in days_ago
    ]


def test_purge_removes_only_rows_past_retention_and_is_audited(capsys):
    old = _rows([400, 300, 185])
    kept = _rows([183, 10, 0])
    call_command("purge_audit")
    assert "清理" in capsys.readouterr().out
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert not remaining & {row.pk for row in old}
    assert {row.pk for row in kept} <= remaining
    purge = AuditEvent.objects.get(action=AuditEvent.Action.PURGE)
    assert purge.changes["deleted"] == 3
    assert purge.changes["first_kept_id"] == kept[0].pk
    assert "3 条" in purge.note and "184 天" in purge.note
    state = selectors.chain_state()
    assert state.ok and state.checked == 4  # the three kept and the purge row


def test_purge_before_a_date_within_retention_is_refused():
    rows = _rows([200, 100])
    within = (timezone.localdate() - timedelta(days=100)).isoformat()
    with pytest.raises(CommandError, match="须保存至少 184 天") as refused:
        call_command("purge_audit", "--before", within)
    assert refused.value.returncode == 2
    assert AuditEvent.objects.count() == len(rows)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PURGE).exists()


def test_purge_before_an_older_date_keeps_what_is_newer():
    rows = _rows([400, 300, 200])
    call_command(
        "purge_audit", "--before", (timezone.localdate() - timedelta(days=350)).isoformat()
    )
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert rows[0].pk not in remaining and {rows[1].pk, rows[2].pk} <= remaining
    assert selectors.chain_state().ok


def test_purge_of_everything_leaves_a_verifiable_chain():
    _rows([500, 400])
    call_command("purge_audit")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["purge"]
    assert selectors.chain_state().ok
    record(actor=None, action=AuditEvent.Action.LOGIN_FAILED)
    assert selectors.chain_state().checked == 2


def test_retention_below_the_minimum_is_refused(settings):
    _rows([100])
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="不得少于 184 天"):
        require_retention()
    with pytest.raises(CommandError, match="不得少于 184 天"):
        call_command("purge_audit")
    assert AuditEvent.objects.count() == 1


def test_longer_retention_is_honoured(settings):
    rows = _rows([300, 200])
    settings.AUDIT_RETENTION_DAYS = 250
    call_command("purge_audit")
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert rows[0].pk not in remaining and rows[1].pk in remaining


def test_rows_hidden_before_a_purge_anchor_are_reported():
    _rows([400])
    kept = _rows([1, 0])
    call_command("purge_audit")
    # Someone slips a forged old row in below the anchor: the walk must not skip it.
    forged = AuditEvent(at=timezone.now() - timedelta(days=400), action="login", note="伪造")
    models_queryset_insert(forged, pk=1)
    state = selectors.chain_state()
    assert not state.ok and state.broken_id == 1 and state.reason == "anchor"
    assert kept[0].pk > 1


def models_queryset_insert(event: AuditEvent, pk: int) -> None:
    event.pk = pk
    event.prev_hash = event.row_hash = ""
    AuditEvent.objects.bulk_create([event])
