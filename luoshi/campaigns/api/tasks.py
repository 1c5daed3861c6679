"""Tasks on the responsibility chain: lists with filters, the detail with its timeline and
progress reports, the edit with optimistic locking, and every move of the chain.

Each move looks the task up through campaigns.access (404 outside scope) and calls the service
of the same name, which checks the permission (403), writes the timeline and the audit log.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from luoshi.accounts.models import User
from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, annotate, ref
from luoshi.files.models import Attachment
from luoshi.org.access import has_perm, require_perm, units_for_picker
from luoshi.workdays.selectors import load_calendar

from .. import access, selectors, services, warning_levels
from .. import forms as f
from ..access import (
    get_accountability_kind_for_user,
    get_campaign_for_user,
    get_notice_for_user,
    get_restorable_task_for_user,
    get_task_for_user,
    visible_tasks,
)
from ..models import AccountabilityKind, ProgressReport, Task
from .filters import form_data, read_filters
from .schemas import (
    AccountabilityIn,
    AccountabilityOut,
    AssignIn,
    CommentIn,
    DecomposeIn,
    EventOut,
    IssueIn,
    KindCreateIn,
    KindEditIn,
    KindFilters,
    KindOut,
    NoteIn,
    RemindOut,
    ReportIn,
    ReportOut,
    SupervisionNoticeIn,
    SupervisionNoticeOut,
    TaskCreateIn,
    TaskDeletedOut,
    TaskDetailOut,
    TaskEditIn,
    TaskFilters,
    TaskOut,
    TaskPage,
    TaskReasonIn,
    VerifyIn,
)

router = Router(tags=["任务"])

LIST_RELATED = ("campaign", "track", "unit", "owner")


# --- Reads ---------------------------------------------------------------------------------------


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
    person = selectors.unit_members(task).filter(pk=person_id).first()
    if person is None:
        raise ValidationError({field: _("所选人员不存在或不是该任务责任单位的人员。")})
    return person


def task_filter(user, filters: TaskFilters) -> selectors.TaskFilter:
    """The API's task filters read by the task list page's form (`owner=me` and `plan` are the
    older spellings of `mine` and `level`)."""
    values = filters.model_dump()
    if values.pop("owner") == "me":
        values["mine"] = True
    plan = values.pop("plan")
    if plan is not None and not values["level"]:
        values["level"] = "plan" if plan else "unit"
    return read_filters(f.TaskFilterForm(form_data(values), user=user))


@router.get("", response={200: TaskPage, **ERRORS}, summary="任务列表（可筛选、分页）")
def list_tasks(request: HttpRequest, filters: Query[TaskFilters], page: Query[PageParams]):
    user = current_user(request)
    return paginate(selectors.filter_tasks(user, task_filter(user, filters)), page)


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
    kind = get_accountability_kind_for_user(user, kind_id, write=True)
    values = payload.model_dump(exclude_unset=True)
    empty = [name for name, value in values.items() if value is None]
    if empty:
        raise ValidationError({name: _("此项不能为空。") for name in empty})
    return services.update_accountability_kind(actor=user, kind=kind, **values)


@router.get("/{int:task_id}", response={200: TaskDetailOut, **ERRORS}, summary="任务详情与轨迹")
def get_task(request: HttpRequest, task_id: int):
    user = current_user(request)
    task = get_task_for_user(user, task_id)
    children = visible_tasks(user).filter(parent=task).select_related(*LIST_RELATED)
    notices = selectors.filter_notices(
        user, selectors.NoticeFilter(task=task), today=timezone.localdate()
    )
    actions = task.accountability_actions.select_related("kind", "unit", "person", "recorded_by")
    return annotate(
        task,
        visible_children=list(children.order_by("id")),
        timeline=list(task.events.select_related("actor").order_by("at", "id")),
        report_list=_reports(task),
        notice_list=list(notices),
        accountability_list=list(actions),
        warning_reasons=_warning_reasons(task),
        move_list=access.allowed_moves(user, task),
    )


@router.get(
    "/{int:task_id}/reports", response={200: list[ReportOut], **ERRORS}, summary="任务的进度报告"
)
def list_reports(request: HttpRequest, task_id: int):
    return _reports(get_task_for_user(current_user(request), task_id))


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
    return Status(201, get_task_for_user(user, task.pk))


@router.patch(
    "/{int:task_id}",
    response={200: TaskOut, **ERRORS},
    summary="修改任务（乐观锁：须提交 version）",
)
def edit_task(request: HttpRequest, task_id: int, payload: TaskEditIn):
    user = current_user(request)
    task = get_task_for_user(user, task_id)
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
    return get_task_for_user(user, task.pk)


@router.post(
    "/{int:task_id}/issue", response={201: list[TaskOut], **ERRORS}, summary="下发到责任单位"
)
def issue_task(request: HttpRequest, task_id: int, payload: IssueIn):
    user = current_user(request)
    task = get_task_for_user(user, task_id)
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
    task = services.sign_task(actor=user, task=get_task_for_user(user, task_id), note=payload.note)
    return get_task_for_user(user, task.pk)


@router.post("/{int:task_id}/assign", response={200: TaskOut, **ERRORS}, summary="确定责任人")
def assign_task(request: HttpRequest, task_id: int, payload: AssignIn):
    user = current_user(request)
    task = get_task_for_user(user, task_id)
    require_perm(user, "task.assign", task.unit)
    owner = _unit_member(task, payload.owner_id, "owner_id")
    services.assign_task(actor=user, task=task, owner=owner, note=payload.note)
    return get_task_for_user(user, task.pk)


@router.post(
    "/{int:task_id}/decompose", response={201: list[TaskOut], **ERRORS}, summary="分解为子任务"
)
def decompose_task(request: HttpRequest, task_id: int, payload: DecomposeIn):
    user = current_user(request)
    task = get_task_for_user(user, task_id)
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
def withdraw_task(request: HttpRequest, task_id: int, payload: TaskReasonIn):
    user = current_user(request)
    services.withdraw_task(actor=user, task=get_task_for_user(user, task_id), reason=payload.reason)
    return get_task_for_user(user, task_id)


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
    task = get_task_for_user(user, task_id)
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


@router.post(
    "/{int:task_id}/notices", response={201: SupervisionNoticeOut, **ERRORS}, summary="下发督办单"
)
def issue_notice(request: HttpRequest, task_id: int, payload: SupervisionNoticeIn):
    user = current_user(request)
    notice = services.issue_notice(
        actor=user,
        task=get_task_for_user(user, task_id),
        content=payload.content,
        reply_deadline=payload.reply_deadline,
    )
    return Status(201, get_notice_for_user(user, notice.pk))


@router.post("/{int:task_id}/remind", response={200: RemindOut, **ERRORS}, summary="催办")
def remind_task(request: HttpRequest, task_id: int, payload: NoteIn):
    user = current_user(request)
    notes = services.remind_task(
        actor=user, task=get_task_for_user(user, task_id), note=payload.note
    )
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
        task=get_task_for_user(user, task_id),
        passed=payload.decision == "pass",
        quality=payload.quality or "",
        reason=payload.reason,
    )
    return get_task_for_user(user, task_id)


@router.post("/{int:task_id}/close", response={200: TaskOut, **ERRORS}, summary="销号")
def close_task(request: HttpRequest, task_id: int, payload: NoteIn):
    user = current_user(request)
    services.close_task(actor=user, task=get_task_for_user(user, task_id), note=payload.note)
    return get_task_for_user(user, task_id)


# --- 问责 and comments ------------------------------------------------------------------------------


@router.post(
    "/{int:task_id}/accountability",
    response={201: AccountabilityOut, **ERRORS},
    summary="记录问责",
)
def record_accountability(request: HttpRequest, task_id: int, payload: AccountabilityIn):
    user = current_user(request)
    task = get_task_for_user(user, task_id)
    require_perm(user, "task.hold_accountable", task.unit)
    try:
        kind = get_accountability_kind_for_user(user, payload.kind_id)
    except Http404:
        kind = None
    if kind is None or not kind.is_active:
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
    event = services.comment_task(
        actor=user, task=get_task_for_user(user, task_id), text=payload.text
    )
    return Status(201, event)


# --- Soft delete ---------------------------------------------------------------------------------


@router.delete(
    "/{int:task_id}",
    response={200: TaskDeletedOut, **ERRORS},
    summary="删除任务（可恢复；须说明理由）",
)
def delete_task(request: HttpRequest, task_id: int, payload: TaskReasonIn):
    user = current_user(request)
    task = services.delete_task(
        actor=user, task=get_task_for_user(user, task_id), reason=payload.reason
    )
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
    task = get_restorable_task_for_user(user, task_id)
    services.restore_task(actor=user, task=task)
    return get_task_for_user(user, task.pk)
