"""Supervision notices (督办单) on the tasks the caller may see, and the unit's reply. The list
is the notice list page's: the same NoticeFilter and selectors.filter_notices."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router

from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS
from luoshi.lib.docx import docx_response

from .. import forms as f
from .. import selectors, services
from ..access import get_notice_for_user
from ..documents import notice_filename
from .filters import form_data, read_filters
from .schemas import (
    NoticeReplyIn,
    SupervisionNoticeFilters,
    SupervisionNoticeOut,
    SupervisionNoticePage,
)

router = Router(tags=["督办单"])


@router.get("", response={200: SupervisionNoticePage, **ERRORS}, summary="督办单列表")
def list_notices(
    request: HttpRequest, filters: Query[SupervisionNoticeFilters], page: Query[PageParams]
):
    user = current_user(request)
    data = form_data(filters.model_dump())
    flt = read_filters(f.NoticeFilterForm(data, user=user))
    return paginate(selectors.filter_notices(user, flt, today=timezone.localdate()), page)


@router.get(
    "/{int:notice_id}", response={200: SupervisionNoticeOut, **ERRORS}, summary="督办单详情"
)
def get_supervision_notice(request: HttpRequest, notice_id: int):
    return get_notice_for_user(current_user(request), notice_id)


@router.post(
    "/{int:notice_id}/reply", response={200: SupervisionNoticeOut, **ERRORS}, summary="回复督办单"
)
def reply_notice(request: HttpRequest, notice_id: int, payload: NoticeReplyIn):
    user = current_user(request)
    notice = get_notice_for_user(user, notice_id)
    return services.reply_notice(actor=user, notice=notice, reply=payload.reply)


@router.get(
    "/{int:notice_id}/document",
    response={200: None, **ERRORS},
    summary="下载督办单（Word）",
)
def supervision_notice_document(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The printable 督办单 of a notice the caller sees, as on the task page (404 otherwise)."""
    user = current_user(request)
    notice = get_notice_for_user(user, notice_id)
    content = services.export_notice_document(actor=user, notice=notice)
    return docx_response(content, notice_filename(notice))
