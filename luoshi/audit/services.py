"""Writing the audit log. Services call `record` inside their own transaction; every Excel export
is served (and recorded) by `serve_export`."""

import datetime
import decimal
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext as _

from luoshi.lib.xlsx import build_workbook, xlsx_response

from . import chain
from .context import current_request
from .models import AuditEvent
from .retention import retention_cutoff


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` (FKs as ids), for a before/after diff."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]}."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    verb: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit event for `actor` doing `action` to `obj`."""
    return _append(
        _event(
            actor=actor,
            action=action,
            obj=obj,
            verb=verb,
            changes=changes,
            note=note,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
        )
    )


def _event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    verb: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """The event `record` appends, unsaved and not yet linked to the chain."""
    context = current_request.get()
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    name = (getattr(actor, "name", "") or getattr(actor, "username", "")) if is_person else ""
    event = AuditEvent(
        actor=actor if is_person else None,
        actor_name=name[:150],
        ip=context.ip,
        action=action,
        verb=verb[:50],
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else object_id[:40],
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
        note=note,
    )
    # What the database will give back, so that the hash computed now is the one a later walk
    # recomputes: JSON as JSON reads it, IPv6 in its canonical form.
    event.changes = json.loads(json.dumps(event.changes))
    if event.ip and ":" in event.ip:
        event.ip = clean_ipv6_address(event.ip)
    return event


@transaction.atomic
def _append(event: AuditEvent) -> AuditEvent:
    """Link `event` to the last row of the chain and insert it, holding the chain meanwhile."""
    chain.lock_for_append()
    last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    event.prev_hash = last or ""
    event.row_hash = chain.row_hash(event)
    event.save(force_insert=True)
    return event


@transaction.atomic
def _append_many(events: Sequence[AuditEvent]) -> None:
    """Link `events` in their order after the last row of the chain and insert them in bulk,
    holding the chain meanwhile (the ids of one INSERT rise in the order of its rows)."""
    if not events:
        return
    chain.lock_for_append()
    previous = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or ""
    for event in events:
        event.prev_hash = previous
        event.row_hash = previous = chain.row_hash(event)
    AuditEvent.objects.bulk_create(events, batch_size=500)


def _created_changes(obj: models.Model) -> dict[str, list[Any]]:
    """{field: [None, value]} for the set fields of a new object (values plain already)."""
    return {key: [None, value] for key, value in snapshot(obj).items() if value not in (None, "")}


def record_created(*, actor, obj: models.Model, verb: str = "", note: str = "") -> AuditEvent:
    return record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        verb=verb,
        changes=_created_changes(obj),
        note=note,
    )


def record_created_many(*, actor, objects: Sequence[tuple[models.Model, str]]) -> None:
    """One creation event per (saved object, note), as record_created writes each, appended
    to the chain in one go (an import of many rows)."""
    _append_many(
        [
            _event(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=obj,
                changes=_created_changes(obj),
                note=note,
            )
            for obj, note in objects
        ]
    )


def serve_export(
    *,
    actor,
    object_type: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filters: Sequence[str] = (),
) -> HttpResponse:
    """The one path of every Excel export: the workbook (lib.xlsx.build_workbook, with the filters
    and the time of export in its note row) as a download, and one audit event saying who
    exported what, with which filters and how many rows. Views call nothing else to export."""
    data = list(rows)
    exported_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    filter_text = "；".join(str(part) for part in filters if part)
    notes = [
        _("筛选条件：%(filters)s") % {"filters": filter_text} if filter_text else "",
        _("导出时间：%(at)s") % {"at": exported_at},
    ]
    record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type=object_type,
        object_repr=str(title),
        note=_("%(filters)s；%(count)d 行")
        % {"filters": filter_text or _("全部"), "count": len(data)},
    )
    content = build_workbook(title=str(title), headers=headers, rows=data, notes=notes)
    return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


@transaction.atomic
def purge_audit(*, actor, before: datetime.date | None = None, operator: str = "") -> AuditEvent:
    """Delete the audit records older than the retention period (or than `before`, which may not
    lie within it), and record the purge. The purge row carries the chain's new anchor: the first
    kept row and the hash it links to, so that verify_audit still walks an unbroken chain.

    Only a prefix of the chain is removed (the rows before the first one written at or after the
    cutoff), so no kept row loses its predecessor without the anchor saying so.
    """
    cutoff = retention_cutoff()
    if before is not None:
        requested = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
        if requested > cutoff:
            raise ValidationError(
                _(
                    "审计记录须保存至少 %(days)d 天：只能清理 %(date)s 以前的记录，"
                    "%(before)s 以后的记录尚在保存期内，拒绝清理。"
                )
                % {
                    "days": settings.AUDIT_RETENTION_DAYS,
                    "date": timezone.localtime(cutoff).date().isoformat(),
                    "before": before.isoformat(),
                }
            )
        cutoff = requested
    chain.lock_for_append()
    first_kept = (
        AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values("id", "prev_hash").first()
    )
    if connection.vendor == "postgresql":
        # The append-only trigger lets a DELETE through only in a transaction that says so, and
        # only of rows older than the minimum retention period (migration 0005).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL luoshi.audit_purge = 'on'")
    deleted = AuditEvent.objects.purge_before(first_kept["id"] if first_kept else None)
    return record(
        actor=actor,
        action=AuditEvent.Action.PURGE,
        object_type="audit.auditevent",
        object_repr=_("审计日志"),
        changes={
            chain.ANCHOR_FIRST_KEPT: first_kept["id"] if first_kept else None,
            chain.ANCHOR_HASH: first_kept["prev_hash"] if first_kept else "",
            "before": cutoff.isoformat(),
            "deleted": deleted,
        },
        note=_("清理 %(before)s 以前的审计记录 %(count)d 条（保存期限 %(days)d 天）%(by)s")
        % {
            "before": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M"),
            "count": deleted,
            "days": settings.AUDIT_RETENTION_DAYS,
            "by": _("；执行人：%(who)s") % {"who": operator} if operator else "",
        },
    )
