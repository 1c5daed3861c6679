"""The campaigns API's request and response schemas (tasks, supervision notices, campaigns and
the workbench). Names are unique across the whole OpenAPI schema: a notice here is a
SupervisionNotice*, a task's delete and reason are Task*."""

import datetime
from decimal import Decimal
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema

from luoshi.api.schemas import Ref, ref
from luoshi.files.models import Attachment

from ..models import (
    AccountabilityAction,
    Campaign,
    LeadingGroupMember,
    ProgressReport,
    SupervisionNotice,
    Task,
    TaskEvent,
)


class SupervisionNoticeOut(Schema):
    id: int
    number: str
    task: Ref
    unit: Ref | None
    content: str
    reply_deadline: datetime.date
    issued_by: Ref
    issued_at: datetime.datetime
    state: str
    state_display: str
    overdue: bool
    reply: str
    replied_by: Ref | None
    replied_at: datetime.datetime | None

    @staticmethod
    def resolve_task(obj: SupervisionNotice) -> dict:
        return {"id": obj.task_id, "name": obj.task.title}

    @staticmethod
    def resolve_unit(obj: SupervisionNotice) -> dict | None:
        return ref(obj.task.unit)

    @staticmethod
    def resolve_issued_by(obj: SupervisionNotice) -> dict | None:
        return ref(obj.issued_by)

    @staticmethod
    def resolve_replied_by(obj: SupervisionNotice) -> dict | None:
        return ref(obj.replied_by)

    @staticmethod
    def resolve_state_display(obj: SupervisionNotice) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_overdue(obj: SupervisionNotice) -> bool:
        return obj.state == obj.State.OPEN and obj.reply_deadline < timezone.localdate()


class SupervisionNoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SupervisionNoticeOut]


class SupervisionNoticeFilters(Schema):
    """The notice list page's filters (forms.NoticeFilterForm reads both)."""

    campaign: int | None = None
    unit: int | None = None
    subtree: bool = Field(False, description="true：含下级单位（与 unit 同用）")
    state: Literal["open", "overdue", "replied", ""] = ""
    mine: bool = Field(False, description="true：仅待我回复的")
    task: int | None = None
    q: str = ""


class NoticeReplyIn(Schema):
    reply: str


class TaskOut(Schema):
    id: int
    title: str
    kind: str
    kind_display: str
    state: str
    state_display: str
    warning: str
    warning_display: str
    progress: int
    priority: int
    priority_display: str
    start_date: datetime.date | None
    deadline: datetime.date | None
    campaign: Ref
    track: Ref | None
    unit: Ref | None
    owner: Ref | None
    parent_id: int | None
    is_plan: bool
    returned_count: int
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_kind_display(obj: Task) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_state_display(obj: Task) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_warning_display(obj: Task) -> str:
        return obj.get_warning_display()

    @staticmethod
    def resolve_priority_display(obj: Task) -> str:
        return obj.get_priority_display()

    @staticmethod
    def resolve_campaign(obj: Task) -> dict | None:
        return ref(obj.campaign)

    @staticmethod
    def resolve_track(obj: Task) -> dict | None:
        return ref(obj.track)

    @staticmethod
    def resolve_unit(obj: Task) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_owner(obj: Task) -> dict | None:
        return ref(obj.owner)


class TaskPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TaskOut]


class EventOut(Schema):
    id: int
    at: datetime.datetime
    actor: Ref | None
    action: str
    action_display: str
    from_state: str
    to_state: str
    note: str
    data: dict

    @staticmethod
    def resolve_actor(obj: TaskEvent) -> dict | None:
        return ref(obj.actor)

    @staticmethod
    def resolve_action_display(obj: TaskEvent) -> str:
        return obj.get_action_display()


class AttachmentOut(Schema):
    id: int
    name: str = Field(..., alias="original_name")
    content_type: str = Field(..., alias="content_type_name")
    size: int
    is_image: bool
    url: str = Field(..., description="下载地址（登录会话）")
    api_url: str = Field(..., description="下载地址（访问令牌）")

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("files:download", args=[obj.pk])

    @staticmethod
    def resolve_api_url(obj: Attachment) -> str:
        return reverse("api:file-download", args=[obj.pk])


class ReportOut(Schema):
    id: int
    task_id: int
    at: datetime.datetime
    author: Ref
    percent: int
    text: str
    is_completion: bool
    links: list
    attachments: list[AttachmentOut] = Field(..., alias="attachment_list")

    @staticmethod
    def resolve_author(obj: ProgressReport) -> dict | None:
        return ref(obj.author)


class AccountabilityOut(Schema):
    id: int
    kind: Ref
    unit: Ref | None
    person: Ref | None
    reason: str
    document_number: str
    recorded_by: Ref
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_kind(obj: AccountabilityAction) -> dict | None:
        return ref(obj.kind)

    @staticmethod
    def resolve_unit(obj: AccountabilityAction) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_person(obj: AccountabilityAction) -> dict | None:
        return ref(obj.person)

    @staticmethod
    def resolve_recorded_by(obj: AccountabilityAction) -> dict | None:
        return ref(obj.recorded_by)


class TaskDetailOut(TaskOut):
    description: str
    expected_evidence: str
    deadline_working_days: int | None
    sign_deadline: datetime.date | None
    issued_at: datetime.datetime | None
    signed_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    verified_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    timeliness: str
    quality: str
    score: Decimal | None
    warning_reasons: list[str] = Field(..., description="预警原因（按今天计算）")
    parent: Ref | None
    children: list[TaskOut] = Field(..., alias="visible_children")
    events: list[EventOut] = Field(..., alias="timeline")
    reports: list[ReportOut] = Field(..., alias="report_list")
    notices: list[SupervisionNoticeOut] = Field(..., alias="notice_list")
    accountability: list[AccountabilityOut] = Field(..., alias="accountability_list")
    moves: list[str] = Field(
        ..., description="调用者此刻可以办理的操作（与任务页面的按钮相同）", alias="move_list"
    )

    @staticmethod
    def resolve_parent(obj: Task) -> dict | None:
        return {"id": obj.parent.pk, "name": obj.parent.title} if obj.parent else None


class KindOut(Schema):
    id: int
    name: str
    severity: int
    score_deduction: Decimal
    is_active: bool


class KindFilters(Schema):
    all: bool = Field(False, description="true：连同已停用的问责方式（须有 campaign.manage 权限）")


class KindCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    severity: int = Field(1, ge=1, le=99)
    score_deduction: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=1)
    is_active: bool = True


class KindEditIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    severity: int | None = Field(None, ge=1, le=99)
    score_deduction: Decimal | None = Field(None, ge=0, le=100, decimal_places=1)
    is_active: bool | None = Field(None, description="false：停用（问责方式不能删除）")


class TaskDeletedOut(Schema):
    id: int
    title: str
    deleted_at: datetime.datetime
    detail: str


class TaskFilters(Schema):
    """The task list page's filters (forms.TaskFilterForm reads both), and two older names."""

    campaign: int | None = None
    track: int | None = None
    unit: int | None = None
    subtree: bool = Field(False, description="true：含下级单位（与 unit 同用）")
    state: str = Field(
        "", description="状态，或 open（未办结）、done（已办结）、doing；默认不含已撤回"
    )
    warning: Literal["none", "blue", "yellow", "red", "any", ""] = ""
    mine: bool = Field(False, description="true：仅我负责的")
    owner: Literal["me", ""] = Field("", description="me：同 mine=true")
    kind: str = ""
    level: Literal["issued", "sub", "plan", "unit", ""] = Field(
        "", description="issued：下发单位的任务；sub：子任务；plan：任务分解；unit：全部单位任务"
    )
    plan: bool | None = Field(None, description="true：同 level=plan；false：同 level=unit")
    parent: int | None = None
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    q: str = Field("", description="任务名称中的关键词，或任务编号")
    sort: str = "deadline"


class TaskCreateIn(Schema):
    campaign_id: int
    title: str = Field(..., min_length=1, max_length=200)
    track_id: int | None = None
    description: str = ""
    expected_evidence: str = ""
    priority: Task.Priority = Task.Priority.NORMAL
    kind: Task.Kind = Task.Kind.CAMPAIGN
    start_date: datetime.date | None = None
    deadline: datetime.date | None = None
    deadline_working_days: int | None = Field(None, ge=1, le=365)


class TaskEditIn(Schema):
    version: int = Field(..., description="客户端读取任务时的 version；已被他人修改时返回 409")
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    expected_evidence: str | None = None
    priority: Task.Priority | None = None
    track_id: int | None = None
    start_date: datetime.date | None = None
    deadline: datetime.date | None = None
    kind: Task.Kind | None = None


class IssueIn(Schema):
    unit_ids: list[int]
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class TaskReasonIn(Schema):
    reason: str


class AssignIn(Schema):
    owner_id: int
    note: str = ""


class SubTaskIn(Schema):
    title: str
    owner_id: int
    deadline: datetime.date | None = None
    description: str = ""


class DecomposeIn(Schema):
    items: list[SubTaskIn]


class ReportIn(Schema):
    percent: int = Field(..., ge=0, le=100)
    text: str
    complete: bool = Field(False, description="true：办结报告，报送行动办复核")


class VerifyIn(Schema):
    decision: Literal["pass", "return"]
    quality: Task.Quality | None = None
    reason: str = ""


class SupervisionNoticeIn(Schema):
    content: str
    reply_deadline: datetime.date | None = None


class RemindOut(Schema):
    detail: str
    recipients: list[Ref]


class AccountabilityIn(Schema):
    kind_id: int
    reason: str
    unit_id: int | None = None
    person_id: int | None = None
    document_number: str = ""


class CommentIn(Schema):
    text: str


class CampaignOut(Schema):
    id: int
    name: str
    short_name: str
    office_unit: Ref
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_display: str

    @staticmethod
    def resolve_office_unit(obj: Campaign) -> dict | None:
        return ref(obj.office_unit)

    @staticmethod
    def resolve_status_display(obj: Campaign) -> str:
        return obj.get_status_display()


class TrackOut(Schema):
    id: int
    name: str
    description: str
    sort_order: int


class SeatOut(Schema):
    person: Ref
    seat: str
    seat_display: str
    title: str

    @staticmethod
    def resolve_person(obj: LeadingGroupMember) -> dict | None:
        return ref(obj.person)

    @staticmethod
    def resolve_seat_display(obj: LeadingGroupMember) -> str:
        return obj.get_seat_display()


class CampaignFilters(Schema):
    """The campaign list page's filters (forms.CampaignFilterForm reads both)."""

    status: Campaign.Status | Literal[""] = ""
    q: str = ""


class CampaignDetailOut(CampaignOut):
    description: str
    notice_prefix: str
    blue_working_days: int
    yellow_lag_percent: int
    sign_working_days: int
    reply_working_days: int
    tracks: list[TrackOut]
    leading_group: list[SeatOut]

    @staticmethod
    def resolve_tracks(obj: Campaign) -> list:
        return list(obj.tracks.all())

    @staticmethod
    def resolve_leading_group(obj: Campaign) -> list:
        return list(obj.leading_group.all())


class CampaignCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    short_name: str = Field("", max_length=50)
    office_unit_id: int = Field(..., description="牵头单位（须在调用者 campaign.manage 范围内）")
    start_date: datetime.date
    end_date: datetime.date
    description: str = ""
    tracks: list[str] = Field([], description="方向名称，按顺序")
    notice_prefix: str = Field("督办", min_length=1, max_length=20)
    blue_working_days: int = Field(3, ge=0, le=100)
    yellow_lag_percent: int = Field(20, ge=0, le=100)
    sign_working_days: int = Field(2, ge=0, le=100)
    reply_working_days: int = Field(3, ge=0, le=100)


class CampaignEditIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, max_length=50)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    description: str | None = None
    status: Campaign.Status | None = None
    notice_prefix: str | None = Field(None, min_length=1, max_length=20)
    blue_working_days: int | None = Field(None, ge=0, le=100)
    yellow_lag_percent: int | None = Field(None, ge=0, le=100)
    sign_working_days: int | None = Field(None, ge=0, le=100)
    reply_working_days: int | None = Field(None, ge=0, le=100)


class TrackIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = ""


class SeatIn(Schema):
    person_id: int
    seat: LeadingGroupMember.Seat = LeadingGroupMember.Seat.MEMBER
    title: str = Field("", max_length=100)


class LeadingGroupIn(Schema):
    members: list[SeatIn] = Field(..., description="领导小组全体成员，按显示顺序；整体替换")


class TodoItemOut(Schema):
    type: str = Field(..., description="task：任务；notice：督办单")
    id: int
    title: str
    task_id: int
    deadline: datetime.date | None
    state: str
    state_display: str
    warning: str
    unit: Ref | None
    campaign: Ref | None
    api_url: str


class TodoGroupOut(Schema):
    key: str = Field(..., description="sign / assign / report / reply / verify")
    title: str
    count: int = Field(..., description="数量（超过上限时为上限，见 capped）")
    capped: bool
    list_url: str = Field(..., description="显示全部的列表页（登录会话）")
    items: list[TodoItemOut]


class NotificationOut(Schema):
    id: int
    level: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime


class CardOut(Schema):
    campaign: Ref
    total: int
    open: int
    submitted: int
    done: int
    red: int
    yellow: int
    blue: int
    progress: int


class WorkbenchOut(Schema):
    todo_total: int
    todos: list[TodoGroupOut]
    warnings: dict[str, int] = Field(..., description="红、黄、蓝预警的任务数")
    notifications: list[NotificationOut] = Field(..., description="最近的未读消息")
    cards: list[CardOut] = Field(..., description="行动办和领导：进行中专项行动的概况")
