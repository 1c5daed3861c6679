"""Rows of the audit log's Excel export (served, like every export, by `services.serve_export`,
whose workbook replaces the control characters a stored text may carry).

The stored log keeps what happened as it happened (its hash chain covers the full text); the
export is a copy that leaves the building, so every phone number in it is masked the way the org
pages mask a person's phone for those who do not manage them: a field named like a phone is
masked whole, and any mainland mobile number in any text (names, notes, changes) is masked too.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from luoshi.lib.phones import mask_phone, mask_phones

from . import selectors
from .models import AuditEvent


def event_headers() -> list[str]:
    return [
        _("时间"),
        _("操作人"),
        _("IP 地址"),
        _("操作"),
        _("事项"),
        _("对象类型"),
        _("对象编号"),
        _("对象"),
        _("变更"),
        _("说明"),
    ]


def event_rows(events: Iterable[AuditEvent]) -> list[list]:
    return [[_masked(cell) for cell in row] for row in _plain_rows(events)]


def _masked(cell: Any) -> Any:
    return mask_phones(cell) if isinstance(cell, str) else cell


def _plain_rows(events: Iterable[AuditEvent]) -> Iterable[list]:
    return (
        [
            event.at,
            event.actor_name,
            event.ip,
            event.get_action_display(),
            event.verb,
            selectors.type_name(event.object_type) if event.object_type else "",
            event.object_id,
            event.object_repr,
            changes_text(event.changes, event.object_type),
            event.note,
        ]
        for event in events
    )


def changes_text(changes: dict, object_type: str = "") -> str:
    """The before → after of each changed field, one per line, named and valued as the detail
    page shows them (selectors.change_rows)."""
    model = selectors.model_for(object_type)
    parts = []
    for key, pair in (changes or {}).items():
        label = selectors.field_label(model, key)
        if isinstance(pair, list) and len(pair) == 2:
            before, after = (_value(key, selectors.shown_value(model, key, v)) for v in pair)
            parts.append(f"{label}: {before} → {after}")
        else:
            parts.append(f"{label}: {_value(key, selectors.shown_value(model, key, pair))}")
    return "\n".join(parts)


def _value(key: str, value: Any) -> Any:
    """A phone field's value masked whole (a landline too), whatever its format."""
    if "phone" in key.lower() and isinstance(value, str) and value:
        return mask_phone(value)
    return value
