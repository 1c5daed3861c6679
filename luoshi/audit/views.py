"""The audit log for the audit administrator: search, detail with before/after, Excel export."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.xlsx import build_workbook, xlsx_response

from . import selectors
from .forms import EventFilterForm
from .models import AuditEvent
from .services import record

PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> EventFilterForm:
    selectors.require_auditor(request.user)
    return EventFilterForm(request.GET, object_types=selectors.object_types())


@login_required
def event_list(request: AuthenticatedRequest) -> HttpResponse:
    form = _filter_form(request)
    events = selectors.events_for(request.user, form.to_filter())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "audit/event_list.html", context)


@login_required
def event_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = selectors.get_event_for_user(request.user, pk)
    context = {
        "event": event,
        "rows": selectors.change_rows(event),
        "type_name": selectors.type_name(event.object_type) if event.object_type else "",
    }
    return render(request, "audit/event_detail.html", context)


@login_required
@transaction.atomic
def event_export(request: AuthenticatedRequest) -> HttpResponse:
    form = _filter_form(request)
    events = selectors.events_for(request.user, form.to_filter())
    described = form.describe()
    rows = (
        (
            event.at,
            event.actor_name,
            event.ip,
            event.get_action_display(),
            event.verb,
            selectors.type_name(event.object_type) if event.object_type else "",
            event.object_id,
            event.object_repr,
            _changes_text(event.changes),
            event.note,
        )
        for event in events.iterator(chunk_size=2000)
    )
    content = build_workbook(
        title=_("审计日志"),
        headers=[
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
        ],
        rows=rows,
        notes=[
            _("筛选条件：%(filters)s") % {"filters": described or _("无")},
            _("导出时间：%(at)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
        ],
    )
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="audit.auditevent",
        object_repr=_("审计日志"),
        note=described,
    )
    return xlsx_response(content, f"审计日志-{timezone.localdate():%Y%m%d}.xlsx")


def _changes_text(changes: dict) -> str:
    parts = []
    for key, pair in (changes or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            parts.append(f"{key}: {pair[0]} → {pair[1]}")
        else:
            parts.append(f"{key}: {pair}")
    return "\n".join(parts)
