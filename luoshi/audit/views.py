"""The audit log for the audit administrator: search, detail with before/after, Excel export."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest

from . import exports, selectors
from .forms import EventFilterForm
from .services import serve_export

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
    chain = selectors.chain_state()
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "chain": chain,
        "chain_text": selectors.describe_chain(chain),
    }
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
    return serve_export(
        actor=request.user,
        object_type="audit.auditevent",
        title=_("审计日志"),
        headers=exports.event_headers(),
        rows=exports.event_rows(events.iterator(chunk_size=2000)),
        filters=[form.describe()],
    )
