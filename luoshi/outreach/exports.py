"""Rows and headers of the outreach exports (the coverage table, lectures, teams, targets); the
views hand them to `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from luoshi.ledgers.models import Activity

from .models import LectureTarget, LectureTeam, TeamMember
from .selectors import Coverage


def month_labels(table: Coverage) -> list[str]:
    return [f"{month:%Y-%m}" for month in table.months]


def coverage_headers(table: Coverage) -> list[str]:
    return [_("类别"), _("覆盖点"), _("所属单位"), *month_labels(table), _("合计")]


def coverage_rows(table: Coverage) -> list[list[Any]]:
    """One row per target with its lectures per month, then 已覆盖 x / y per category."""
    rows: list[list[Any]] = [
        [
            row["target"].get_venue_category_display(),
            row["target"].name,
            row["target"].unit.name,
            *row["counts"],
            row["total"],
        ]
        for row in table.rows
    ]
    rows += [
        [s["label"], _("已覆盖 %(x)d / %(y)d") % {"x": s["reached"], "y": s["total"]}]
        for s in table.summary
    ]
    return rows


def lecture_headers() -> list[str]:
    return [
        _("时间"),
        _("宣讲主题"),
        _("宣讲队"),
        _("覆盖点"),
        _("地点"),
        _("场所类别"),
        _("受众人数"),
        _("宣讲人数"),
        _("组织单位"),
    ]


def lecture_rows(lectures: Iterable[Activity]) -> list[list[Any]]:
    rows = []
    for a in lectures:
        lecture = getattr(a, "lecture", None)
        rows.append(
            [
                a.starts_at,
                a.title,
                getattr(lecture, "team", None) or "",
                getattr(lecture, "target", None) or "",
                a.place,
                a.get_venue_category_display(),
                a.audience,
                a.people,  # type: ignore[attr-defined]
                a.unit.name,
            ]
        )
    return rows


def team_headers() -> list[str]:
    return [_("宣讲队"), _("牵头单位"), _("队长"), _("队员")]


def team_rows(
    teams: Sequence[LectureTeam], members: dict[int, list[TeamMember]]
) -> list[list[Any]]:
    """One row per team member (`members` from `selectors.members_of`)."""
    return [
        [
            t.name,
            t.unit.name,
            (t.leader.name if t.leader else ""),
            m.person.name or m.person.username,
        ]
        for t in teams
        for m in members.get(t.pk, [])
    ]


def target_headers() -> list[str]:
    return [_("类别"), _("名称"), _("所属单位"), _("状态")]


def target_rows(targets: Iterable[LectureTarget]) -> list[list[Any]]:
    return [
        [
            t.get_venue_category_display(),
            t.name,
            t.unit.name,
            _("启用") if t.is_active else _("停用"),
        ]
        for t in targets
    ]
