"""Rows and headers of the rectification exports (整改问题清单, 项目攻坚组, 文化市场检查); the
views hand them to `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from luoshi.ledgers.models import Activity
from luoshi.workdays.selectors import deadline_cell, load_calendar

from .models import Problem, TaskForce


def problem_headers() -> list[str]:
    return [
        _("问题"),
        _("问题表现及整改要求"),
        _("问题来源"),
        _("责任单位"),
        _("项目攻坚组"),
        _("组长"),
        _("整改时限"),
        _("状态"),
        _("预警"),
        _("进度（%）"),
        _("责任人"),
        _("销号时间"),
    ]


def problem_rows(problems: Iterable[Problem]) -> list[list[Any]]:
    """One row per problem of `selectors.problem_list`."""
    calendar = load_calendar()
    return [
        [
            p.title,
            p.description,
            p.source,
            p.unit.name,
            p.task_force.name if p.task_force else "",
            str(p.task_force.lead) if p.task_force else "",
            deadline_cell(calendar, p.task.deadline),
            p.task.get_state_display(),
            p.task.get_warning_display() if p.task.warning else "",
            p.task.progress,
            str(p.task.owner or ""),
            p.task.closed_at,
        ]
        for p in problems
    ]


def task_force_headers() -> list[str]:
    return [_("名称"), _("专项行动"), _("组长"), _("成员"), _("整改问题数"), _("职责")]


def task_force_rows(task_forces: Iterable[TaskForce]) -> list[list[Any]]:
    """One row per task force of `selectors.task_force_list` (annotated with its problem count)."""
    return [
        [
            t.name,
            t.campaign.display_name,
            str(t.lead),
            "、".join(str(m) for m in t.members.all()),
            t.problem_count,  # type: ignore[attr-defined]
            t.description,
        ]
        for t in task_forces
    ]


def inspection_headers() -> list[str]:
    return [
        _("检查时间"),
        _("检查场所"),
        _("场所类型"),
        _("检查结果"),
        _("发现问题"),
        _("检查单位"),
        _("检查人员"),
        _("整改任务"),
    ]


def inspection_rows(inspections: Iterable[Activity]) -> list[list[Any]]:
    """One row per market inspection of `selectors.inspection_list`, with its findings."""
    return [
        [
            a.starts_at,
            a.values.get("venue_name", ""),
            a.values.get("venue_kind", ""),
            a.values.get("result", ""),
            a.values.get("findings", ""),
            a.unit.name,
            "、".join(str(p.person) for p in a.participations.all()),
            "；".join(
                f"{x.description}（{x.unit.name}，{x.task.get_state_display()}）"
                for x in a.findings.all()  # type: ignore[attr-defined]
            ),
        ]
        for a in inspections
    ]
