"""Rows and headers of the meeting ledger export (会议台账); the view hands them to
`luoshi.audit.services.serve_export`."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from luoshi.ledgers.models import Activity


def meeting_headers() -> list[str]:
    return [
        _("时间"),
        _("会议类型"),
        _("会议名称"),
        _("组织单位"),
        _("地点"),
        _("参会人数"),
        _("会议议程"),
        _("会议纪要"),
        _("议定事项数"),
    ]


def meeting_rows(meetings: Iterable[Activity]) -> list[list[Any]]:
    """One row per meeting of `selectors.meeting_list` (annotated with people and decisions)."""
    rows = []
    for a in meetings:
        meeting = getattr(a, "meeting", None)
        rows.append(
            [
                a.starts_at,
                a.type.name,
                a.title,
                a.unit.name,
                a.place,
                a.people,  # type: ignore[attr-defined]
                meeting.agenda if meeting else "",
                meeting.minutes if meeting else "",
                a.decision_count,  # type: ignore[attr-defined]
            ]
        )
    return rows
