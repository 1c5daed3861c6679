"""Writing the audit log. Services call `record` inside their own transaction; every Excel export
is served (and recorded) by `serve_export`."""

import datetime
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.lib.xlsx import build_workbook, xlsx_response

from .context import current_request
from .models import AuditEvent


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
    context = current_request.get()
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_person else None,
        actor_name=(getattr(actor, "name", "") or getattr(actor, "username", ""))
        if is_person
        else "",
        ip=context.ip,
        action=action,
        verb=verb,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else object_id[:40],
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
        note=note,
    )


def record_created(*, actor, obj: models.Model, verb: str = "", note: str = "") -> AuditEvent:
    return record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        verb=verb,
        changes={
            key: [None, value] for key, value in snapshot(obj).items() if value not in (None, "")
        },
        note=note,
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
