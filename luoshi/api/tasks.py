"""Tasks on the responsibility chain: lists with filters, the detail with its timeline and
progress reports, the edit with optimistic locking, and every move of the chain.

Each move looks the task up through campaigns.access (404 outside scope) and calls the service
of the same name, which checks the permission (403), writes the timeline and the audit log.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.accounts.models import User
from luoshi.campaigns import services, warning_levels
from luoshi.campaigns.access import (
    get_campaign_for_user,
    get_task_for_user,
    visible_tasks,
    visible_tasks_q,
)
from luoshi.campaigns.models import (
    AccountabilityAction,
    AccountabilityKind,
    ProgressReport,
    Task,
    TaskEvent,
    TaskState,
)
from luoshi.files.models import Attachment
from luoshi.org.access import has_perm, require_perm, units_for_picker
from luoshi.workdays.selectors import load_calendar

from .auth import current_user
from .notices import NoticeOut, visible_notices
from .pages import PageParams, paginate
from .schemas import ERRORS, Ref, annotate, ref

router = Router(tags=["任务"])

LIST_RELATED = ("campaign", "track", "unit", "owner")


# --- Schemas -------------------------------------------------------------------------------------


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
    notices: list[NoticeOut] = Field(..., alias="notice_list")
    accountability: list[AccountabilityOut] = Field(..., alias="accountability_list")

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


class DeletedOut(Schema):
    id: int
    title: str
    deleted_at: datetime.datetime
    detail: str


class TaskFilters(Schema):
    campaign: int | None = None
    track: int | None = None
    unit: int | None = None
    state: TaskState | None = None
    warning: Literal["none", "blue", "yellow", "red"] | None = None
    owner: Literal["me"] | None = None
    plan: bool | None = Field(None, description="true：仅任务分解；false：仅单位任务")
    parent: int | None = None
    q: str = ""


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


class ReasonIn(Schema):
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


class NoticeIn(Schema):
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


# --- Reads ---------------------------------------------------------------------------------------


def _task(user, task_id: int) -> Task:
    return get_task_for_user(user, task_id)


def _with_attachments(reports: list[ProgressReport]) -> list[ProgressReport]:
    """Give each report its attachments, in one query for all of them."""
    by_report: dict[int, list[Attachment]] = defaultdict(list)
    if reports:
        attachments = Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(ProgressReport),
            owner_id__in=[report.pk for report in reports],
        ).order_by("id")
        for attachment in attachments:
            by_report[attachment.owner_id or 0].append(attachment)
    return [annotate(report, attachment_list=by_report[report.pk]) for report in reports]


def _reports(task: Task) -> list[ProgressReport]:
    return _with_attachments(list(task.reports.select_related("author").order_by("-at", "-id")))


def _warning_reasons(task: Task) -> list[str]:
    """Why the task carries its warning today, in plain words (none for plans)."""
    if task.is_plan:
        return []
    today = timezone.localdate()
    result = warning_levels.assess(
        task, campaign=task.campaign, today=today, calendar=load_calendar()
    )
    return list(result.reasons)


def _unit_member(task: Task, person_id: int, field: str) -> User:
    """A person of the task's unit (the only people a unit task can go to)."""
    if task.unit_id is None:
        raise ValidationError({field: _("任务分解中的任务没有责任单位，请先下发。")})
    person = (
        User.objects.filter(pk=person_id, deleted_at__isnull=True, memberships__unit=task.unit_id)
        .distinct()
        .first()
    )
    if person is None:
        raise ValidationError({field: _("所选人员不存在或不是该任务责任单位的人员。")})
    return person


@router.get("", response={200: TaskPage, **ERRORS}, summary="任务列表（可筛选、分页）")
def list_tasks(request: HttpRequest, filters: Query[TaskFilters], page: Query[PageParams]):
    user = current_user(request)
    tasks = visible_tasks(user).select_related(*LIST_RELATED)
    if filters.campaign is not None:
        tasks = tasks.filter(campaign_id=filters.campaign)
    if filters.track is not None:
        tasks = tasks.filter(track_id=filters.track)
    if filters.unit is not None:
        tasks = tasks.filter(unit_id=filters.unit)
    if filters.state:
        tasks = tasks.filter(state=filters.state)
    if filters.warning:
        tasks = tasks.filter(warning="" if filters.warning == "none" else filters.warning)
    if filters.owner == "me":
        tasks = tasks.filter(owner=user)
    if filters.plan is not None:
        tasks = tasks.filter(unit__isnull=filters.plan)
    if filters.parent is not None:
        tasks = tasks.filter(parent_id=filters.parent)
    if filters.q.strip():
        text = filters.q.strip()
        tasks = tasks.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return paginate(tasks.order_by("deadline", "id"), page)


@router.get("/accountability-kinds", response={200: list[KindOut], **ERRORS}, summary="问责方式")
def list_accountability_kinds(request: HttpRequest, filters: Query[KindFilters]):
    kinds = AccountabilityKind.objects.all()
    if not (filters.all and has_perm(current_user(request), "campaign.manage")):
        kinds = kinds.filter(is_active=True)
    return list(kinds)


@router.post("/accountability-kinds", response={201: KindOut, **ERRORS}, summary="新增问责方式")
def create_accountability_kind(request: HttpRequest, payload: KindCreateIn):
    kind = services.create_accountability_kind(
        actor=current_user(request),
        name=payload.name,
        severity=payload.severity,
        score_deduction=payload.score_deduction,
        is_active=payload.is_active,
    )
    return Status(201, kind)


@router.patch(
    "/accountability-kinds/{int:kind_id}",
    response={200: KindOut, **ERRORS},
    summary="修改、停用或启用问责方式",
)
def edit_accountability_kind(request: HttpRequest, kind_id: int, payload: KindEditIn):
    user = current_user(request)
    require_perm(user, "campaign.manage")
    kind = AccountabilityKind.objects.filter(pk=kind_id).first()
    if kind is None:
        raise Http404
    values = payload.model_dump(exclude_unset=True)
    empty = [name for name, value in values.items() if value is None]
    if empty:
        raise ValidationError({name: _("此项不能为空。") for name in empty})
    return services.update_accountability_kind(actor=user, kind=kind, **values)


@router.get("/{int:task_id}", response={200: TaskDetailOut, **ERRORS}, summary="任务详情与轨迹")
def get_task(request: HttpRequest, task_id: int):
    user = current_user(request)
    task = _task(user, task_id)
    children = visible_tasks(user).filter(parent=task).select_related(*LIST_RELATED)
    notices = visible_notices(user).filter(task=task).order_by("-issued_at", "-id")
    actions = task.accountability_actions.select_related("kind", "unit", "person", "recorded_by")
    return annotate(
        task,
        visible_children=list(children.order_by("id")),
        timeline=list(task.events.select_related("actor").order_by("at", "id")),
        report_list=_reports(task),
        notice_list=list(notices),
        accountability_list=list(actions),
        warning_reasons=_warning_reasons(task),
    )


@router.get(
    "/{int:task_id}/reports", response={200: list[ReportOut], **ERRORS}, summary="任务的进度报告"
)
def list_reports(request: HttpRequest, task_id: int):
    return _reports(_task(current_user(request), task_id))


# --- 明责 ------------------------------------------------------------------------------------------


@router.post("", response={201: TaskOut, **ERRORS}, summary="在任务分解中新建任务")
def create_task(request: HttpRequest, payload: TaskCreateIn):
    user = current_user(request)
    campaign = get_campaign_for_user(user, payload.campaign_id)
    track = None
    if payload.track_id is not None:
        track = campaign.tracks.filter(pk=payload.track_id).first()
        if track is None:
            raise ValidationError({"track_id": _("所选方向不属于该专项行动。")})
    task = services.create_task(
        actor=user,
        campaign=campaign,
        title=payload.title.strip(),
        track=track,
        description=payload.description,
        expected_evidence=payload.expected_evidence,
        priority=payload.priority,
        kind=payload.kind,
        start_date=payload.start_date,
        deadline=payload.deadline,
        deadline_working_days=payload.deadline_working_days,
    )
    return Status(201, _task(user, task.pk))


@router.patch(
    "/{int:task_id}",
    response={200: TaskOut, **ERRORS},
    summary="修改任务（乐观锁：须提交 version）",
)
def edit_task(request: HttpRequest, task_id: int, payload: TaskEditIn):
    user = current_user(request)
    task = _task(user, task_id)
    values = payload.model_dump(exclude_unset=True)
    version = values.pop("version")
    if "title" in values and values["title"] is None:
        raise ValidationError({"title": _("任务名称不能为空。")})
    track_id = values.get("track_id")
    if track_id is not None and not task.campaign.tracks.filter(pk=track_id).exists():
        raise ValidationError({"track_id": _("所选方向不属于该专项行动。")})
    for field in ("description", "expected_evidence"):
        if field in values and values[field] is None:
            values[field] = ""
    for field in ("priority", "kind"):
        if field in values and values[field] is None:
            raise ValidationError({field: _("此项不能为空。")})
    services.update_task(actor=user, task=task, version=version, values=values)
    return _task(user, task.pk)


@router.post(
    "/{int:task_id}/issue", response={201: list[TaskOut], **ERRORS}, summary="下发到责任单位"
)
def issue_task(request: HttpRequest, task_id: int, payload: IssueIn):
    user = current_user(request)
    task = _task(user, task_id)
    require_perm(user, "task.issue", task.campaign.office_unit)
    ids = set(payload.unit_ids)
    units = list(units_for_picker(user, "task.issue").filter(pk__in=ids).order_by("path"))
    if len(units) != len(ids) or not ids:
        raise ValidationError({"unit_ids": _("请选择您数据范围内的责任单位。")})
    children = services.issue_task(actor=user, task=task, units=units, note=payload.note)
    created = visible_tasks(user).filter(pk__in=[child.pk for child in children])
    return Status(201, list(created.select_related(*LIST_RELATED)))


@router.post("/{int:task_id}/sign", response={200: TaskOut, **ERRORS}, summary="签收")
def sign_task(request: HttpRequest, task_id: int, payload: NoteIn):
    user = current_user(request)
    task = services.sign_task(actor=user, task=_task(user, task_id), note=payload.note)
    return _task(user, task.pk)


@router.post("/{int:task_id}/assign", response={200: TaskOut, **ERRORS}, summary="确定责任人")
def assign_task(request: HttpRequest, task_id: int, payload: AssignIn):
    user = current_user(request)
    task = _task(user, task_id)
    require_perm(user, "task.assign", task.unit)
    owner = _unit_member(task, payload.owner_id, "owner_id")
    services.assign_task(actor=user, task=task, owner=owner, note=payload.note)
    return _task(user, task.pk)


@router.post(
    "/{int:task_id}/decompose", response={201: list[TaskOut], **ERRORS}, summary="分解为子任务"
)
def decompose_task(request: HttpRequest, task_id: int, payload: DecomposeIn):
    user = current_user(request)
    task = _task(user, task_id)
    require_perm(user, "task.assign", task.unit)
    items = [
        services.SubTaskSpec(
            title=item.title,
            owner=_unit_member(task, item.owner_id, "items"),
            deadline=item.deadline,
            description=item.description,
        )
        for item in payload.items
    ]
    subtasks = services.decompose_task(actor=user, task=task, items=items)
    created = visible_tasks(user).filter(pk__in=[sub.pk for sub in subtasks])
    return Status(201, list(created.select_related(*LIST_RELATED)))


@router.post(
    "/{int:task_id}/withdraw", response={200: TaskOut, **ERRORS}, summary="撤回未签收的任务"
)
def withdraw_task(request: HttpRequest, task_id: int, payload: ReasonIn):
    user = current_user(request)
    services.withdraw_task(actor=user, task=_task(user, task_id), reason=payload.reason)
    return _task(user, task_id)


# --- 履责 ------------------------------------------------------------------------------------------


@router.post(
    "/{int:task_id}/reports",
    response={201: ReportOut, **ERRORS},
    summary="填报进度（multipart，可附文件；complete=true 为办结报告）",
)
def report_progress(
    request: HttpRequest,
    task_id: int,
    payload: Form[ReportIn],
    files: File[list[UploadedFile] | None] = None,
):
    user = current_user(request)
    task = _task(user, task_id)
    report = services.report_progress(
        actor=user,
        task=task,
        percent=payload.percent,
        text=payload.text,
        files=files or [],
        complete=payload.complete,
    )
    return Status(201, _with_attachments([report])[0])


# --- 督责 ------------------------------------------------------------------------------------------


@router.post("/{int:task_id}/notices", response={201: NoticeOut, **ERRORS}, summary="下发督办单")
def issue_notice(request: HttpRequest, task_id: int, payload: NoticeIn):
    user = current_user(request)
    notice = services.issue_notice(
        actor=user,
        task=_task(user, task_id),
        content=payload.content,
        reply_deadline=payload.reply_deadline,
    )
    return Status(201, visible_notices(user).get(pk=notice.pk))


@router.post("/{int:task_id}/remind", response={200: RemindOut, **ERRORS}, summary="催办")
def remind_task(request: HttpRequest, task_id: int, payload: NoteIn):
    user = current_user(request)
    notes = services.remind_task(actor=user, task=_task(user, task_id), note=payload.note)
    recipients = [ref(note.recipient) for note in notes]
    return {
        "detail": _("已向 %(n)d 人发出催办。") % {"n": len(recipients)},
        "recipients": recipients,
    }


# --- 考责 ------------------------------------------------------------------------------------------


@router.post(
    "/{int:task_id}/verify", response={200: TaskOut, **ERRORS}, summary="复核（通过或退回）"
)
def verify_task(request: HttpRequest, task_id: int, payload: VerifyIn):
    user = current_user(request)
    services.verify_task(
        actor=user,
        task=_task(user, task_id),
        passed=payload.decision == "pass",
        quality=payload.quality or "",
        reason=payload.reason,
    )
    return _task(user, task_id)


@router.post("/{int:task_id}/close", response={200: TaskOut, **ERRORS}, summary="销号")
def close_task(request: HttpRequest, task_id: int, payload: NoteIn):
    user = current_user(request)
    services.close_task(actor=user, task=_task(user, task_id), note=payload.note)
    return _task(user, task_id)


# --- 问责 and comments ------------------------------------------------------------------------------


@router.post(
    "/{int:task_id}/accountability",
    response={201: AccountabilityOut, **ERRORS},
    summary="记录问责",
)
def record_accountability(request: HttpRequest, task_id: int, payload: AccountabilityIn):
    user = current_user(request)
    task = _task(user, task_id)
    require_perm(user, "task.hold_accountable", task.unit)
    kind = AccountabilityKind.objects.filter(pk=payload.kind_id, is_active=True).first()
    if kind is None:
        raise ValidationError({"kind_id": _("所选问责方式不存在或已停用。")})
    unit = None
    if payload.unit_id is not None:
        unit = units_for_picker(user, "task.hold_accountable").filter(pk=payload.unit_id).first()
        if unit is None:
            raise ValidationError({"unit_id": _("请选择您数据范围内的单位。")})
    person = _unit_member(task, payload.person_id, "person_id") if payload.person_id else None
    action = services.record_accountability(
        actor=user,
        task=task,
        kind=kind,
        reason=payload.reason,
        unit=unit,
        person=person,
        document_number=payload.document_number,
    )
    return Status(201, action)


@router.post("/{int:task_id}/comments", response={201: EventOut, **ERRORS}, summary="批示（评论）")
def comment_task(request: HttpRequest, task_id: int, payload: CommentIn):
    user = current_user(request)
    event = services.comment_task(actor=user, task=_task(user, task_id), text=payload.text)
    return Status(201, event)


# --- Soft delete ---------------------------------------------------------------------------------


@router.delete(
    "/{int:task_id}",
    response={200: DeletedOut, **ERRORS},
    summary="删除任务（可恢复；须说明理由）",
)
def delete_task(request: HttpRequest, task_id: int, payload: ReasonIn):
    user = current_user(request)
    task = services.delete_task(actor=user, task=_task(user, task_id), reason=payload.reason)
    return {
        "id": task.pk,
        "title": task.title,
        "deleted_at": task.deleted_at,
        "detail": _("任务“%(title)s”已删除，可以恢复。") % {"title": task.title},
    }


@router.post(
    "/{int:task_id}/restore", response={200: TaskOut, **ERRORS}, summary="恢复已删除的任务"
)
def restore_task(request: HttpRequest, task_id: int):
    user = current_user(request)
    # A deleted task is not among the visible ones; look it up in scope with the deleted ones.
    task = (
        Task.objects.filter(visible_tasks_q(user))
        .filter(pk=task_id)
        .select_related("campaign", "campaign__office_unit", "unit", "parent")
        .first()
    )
    if task is None:
        raise Http404
    services.restore_task(actor=user, task=task)
    return _task(user, task.pk)
