"""Row builders of the campaigns' Excel exports (the task, campaign, supervision notice and
accountability lists and the accountability kinds). The views hand them to audit.services.serve_export, which writes
the workbook and records the export."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from luoshi.workdays.selectors import deadline_cell, load_calendar

from .models import (
    AccountabilityAction,
    AccountabilityKind,
    Campaign,
    SupervisionNotice,
    Task,
    TaskState,
    WarningLevel,
)
from .selectors import CampaignCard

EXPORT_LIMIT = 100_000  # rows in one export: a province's whole task list fits


def task_headers() -> list[str]:
    return [
        _("编号"),
        _("专项行动"),
        _("方向"),
        _("任务名称"),
        _("类型"),
        _("责任单位"),
        _("责任人"),
        _("状态"),
        _("预警"),
        _("进度（%）"),
        _("完成时限"),
        _("退回次数"),
        _("得分"),
    ]


def task_rows(tasks: QuerySet[Task]) -> list[list]:
    """The rows of a task export, read as plain values (no model objects for big lists)."""
    states = dict(TaskState.choices)
    warnings = dict(WarningLevel.choices)
    kinds = dict(Task.Kind.choices)
    calendar = load_calendar()
    values = tasks[:EXPORT_LIMIT].values_list(
        "pk",
        "campaign__name",
        "track__name",
        "title",
        "kind",
        "unit__name",
        "owner__name",
        "state",
        "warning",
        "progress",
        "deadline",
        "returned_count",
        "score",
    )
    return [
        [
            pk,
            campaign,
            track or "",
            title,
            kinds.get(kind, kind),
            unit or _("（任务分解）"),
            owner or "",
            states.get(state, state),
            warnings.get(warning, "") if warning else _("正常"),
            progress,
            deadline_cell(calendar, deadline),
            returned,
            float(score) if score is not None else "",
        ]
        for (
            pk,
            campaign,
            track,
            title,
            kind,
            unit,
            owner,
            state,
            warning,
            progress,
            deadline,
            returned,
            score,
        ) in values
    ]


def campaign_headers() -> list[str]:
    return [
        _("名称"),
        _("牵头单位"),
        _("开始日期"),
        _("结束日期"),
        _("状态"),
        _("任务数"),
        _("已办结"),
        _("红色预警"),
        _("黄色预警"),
        _("平均进度（%）"),
    ]


def campaign_rows(cards: Iterable[CampaignCard]) -> list[list]:
    """A row per campaign card (selectors.campaign_cards)."""
    statuses = dict(Campaign.Status.choices)
    return [
        [
            card.campaign.name,
            card.campaign.office_unit.name,
            card.campaign.start_date,
            card.campaign.end_date,
            statuses.get(card.campaign.status, card.campaign.status),
            card.total,
            card.done,
            card.red,
            card.yellow,
            card.progress,
        ]
        for card in cards
    ]


def notice_headers() -> list[str]:
    return [
        _("编号"),
        _("专项行动"),
        _("任务名称"),
        _("责任单位"),
        _("督办事项"),
        _("签发人"),
        _("签发时间"),
        _("回复时限"),
        _("状态"),
        _("回复内容"),
        _("回复人"),
        _("回复时间"),
    ]


def notice_rows(notices: QuerySet[SupervisionNotice]) -> list[list]:
    """A row per supervision notice (selectors.filter_notices brings the relations along)."""
    states = dict(SupervisionNotice.State.choices)
    calendar = load_calendar()
    return [
        [
            notice.number,
            notice.task.campaign.name,
            notice.task.title,
            notice.task.unit.name if notice.task.unit else "",
            notice.content,
            str(notice.issued_by),
            notice.issued_at,
            deadline_cell(calendar, notice.reply_deadline),
            states.get(notice.state, notice.state),
            notice.reply,
            str(notice.replied_by or ""),
            notice.replied_at,
        ]
        for notice in notices[:EXPORT_LIMIT]
    ]


def accountability_kind_headers() -> list[str]:
    return [
        _("名称"),
        _("严重程度"),
        _("扣分"),
        _("状态"),
        _("使用次数"),
    ]


def accountability_kind_rows(kinds: Iterable[AccountabilityKind]) -> list[list]:
    """A row per accountability kind (annotated with `used`, how many records name it)."""
    return [
        [
            kind.name,
            kind.severity,
            kind.score_deduction,
            _("启用") if kind.is_active else _("停用"),
            getattr(kind, "used", 0),
        ]
        for kind in kinds
    ]


def accountability_headers() -> list[str]:
    return [
        _("问责日期"),
        _("专项行动"),
        _("任务名称"),
        _("问责方式"),
        _("被问责单位"),
        _("被问责人"),
        _("问责事由"),
        _("文件文号"),
        _("登记人"),
    ]


def accountability_rows(actions: QuerySet[AccountabilityAction]) -> list[list]:
    """A row per accountability record (selectors.filter_accountability brings the relations)."""
    return [
        [
            action.recorded_at,
            action.task.campaign.name,
            action.task.title,
            action.kind.name,
            action.unit.name if action.unit else "",
            str(action.person or ""),
            action.reason,
            action.document_number,
            str(action.recorded_by),
        ]
        for action in actions[:EXPORT_LIMIT]
    ]
