"""Rows of the audit log's Excel export (served, like every export, by `services.serve_export`,
whose workbook replaces the control characters a stored text may carry)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

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
    return [
        [
            event.at,
            event.actor_name,
            event.ip,
            event.get_action_display(),
            event.verb,
            selectors.type_name(event.object_type) if event.object_type else "",
            event.object_id,
            event.object_repr,
            changes_text(event.changes),
            event.note,
        ]
        for event in events
    ]


def changes_text(changes: dict) -> str:
    """The before → after of each changed field, one per line."""
    parts = []
    for key, pair in (changes or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            parts.append(f"{key}: {pair[0]} → {pair[1]}")
        else:
            parts.append(f"{key}: {pair}")
    return "\n".join(parts)
