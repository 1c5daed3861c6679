"""Supervision notices (督办单) on the tasks the caller may see, and the unit's reply."""

import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from luoshi.campaigns import services
from luoshi.campaigns.access import visible_tasks
from luoshi.campaigns.models import SupervisionNotice

from .auth import current_user
from .pages import PageParams, paginate
from .schemas import ERRORS, Ref, ref

router = Router(tags=["督办单"])


class NoticeOut(Schema):
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


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NoticeOut]


class NoticeFilters(Schema):
    state: SupervisionNotice.State | None = None
    task: int | None = None
    unit: int | None = None
    campaign: int | None = None


class ReplyIn(Schema):
    reply: str


def visible_notices(user):
    """Notices on tasks `user` may see."""
    return SupervisionNotice.objects.filter(
        task__in=visible_tasks(user).values("pk")
    ).select_related("task", "task__unit", "issued_by", "replied_by")


def get_notice_for_user(user, pk: int) -> SupervisionNotice:
    notice = visible_notices(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


@router.get("", response={200: NoticePage, **ERRORS}, summary="督办单列表")
def list_notices(request: HttpRequest, filters: Query[NoticeFilters], page: Query[PageParams]):
    notices = visible_notices(current_user(request))
    if filters.state:
        notices = notices.filter(state=filters.state)
    if filters.task is not None:
        notices = notices.filter(task_id=filters.task)
    if filters.unit is not None:
        notices = notices.filter(task__unit_id=filters.unit)
    if filters.campaign is not None:
        notices = notices.filter(task__campaign_id=filters.campaign)
    return paginate(notices.order_by("-issued_at", "-id"), page)


@router.get("/{int:notice_id}", response={200: NoticeOut, **ERRORS}, summary="督办单详情")
def get_notice(request: HttpRequest, notice_id: int):
    return get_notice_for_user(current_user(request), notice_id)


@router.post("/{int:notice_id}/reply", response={200: NoticeOut, **ERRORS}, summary="回复督办单")
def reply_notice(request: HttpRequest, notice_id: int, payload: ReplyIn):
    notice = get_notice_for_user(current_user(request), notice_id)
    return services.reply_notice(actor=current_user(request), notice=notice, reply=payload.reply)
