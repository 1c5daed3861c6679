"""Writing the audit log. Services call `record` inside their own transaction."""

import datetime
import decimal
from typing import Any

from django.db import models

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
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
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
