"""Meeting pages: the list, a new meeting (agenda pre-filled from red and yellow tasks), the
meeting page with agenda, minutes, participants and decisions, each decision's task status."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.ledgers.access import recording_units
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import (
    get_unit_in_scope,
    require_perm,
    units_for_picker,
)

from . import exports, selectors, services
from . import forms as f
from .access import (
    can_edit_minutes,
    can_record_meetings,
    decision_perm,
    get_agenda_campaign_for_user,
    get_meeting_for_user,
)

PAGE_SIZE = 50
UNIT_LIST_LIMIT = 100


@login_required
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    get = request.GET
    unit_id = parse_int(get.get("unit"))
    unit = get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None
    flt = selectors.MeetingFilter(
        type_id=parse_int(get.get("type")),
        unit=unit,
        date_from=parse_date(get.get("from")),
        date_to=parse_date(get.get("to")),
        text=get.get("q", "").strip(),
    )
    params = {k: get[k] for k in ("type", "unit", "from", "to", "q") if get.get(k)}
    meetings = selectors.meeting_list(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="meetings.meeting",
            title=_("会议台账"),
            headers=exports.meeting_headers(),
            rows=exports.meeting_rows(meetings),
            filters=flt.describe(),
        )
    page = Paginator(meetings, PAGE_SIZE).get_page(get.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": list(page.object_list),
            "page": page,
            "params": params,
            "query": urlencode(params),
            "types": f.meeting_types(),
            "units": list(
                units_for_picker(request.user, "ledger.view").order_by("path")[:UNIT_LIST_LIMIT]
            ),
            "may_record": can_record_meetings(request.user),
        },
    )


@login_required
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new meeting; `?campaign=<id>&prefill=1` fills the agenda with the campaign's red and
    yellow tasks in the organiser's scope."""
    if not can_record_meetings(request.user):
        raise PermissionDenied
    units = list(recording_units(request.user).order_by("path")[:1])
    initial: dict[str, Any] = {
        "starts_at": timezone.localtime().replace(second=0, microsecond=0),
        "unit": units[0].pk if units else None,
        "type": parse_int(request.GET.get("type")),
    }
    campaign_id = parse_int(request.GET.get("campaign"))
    if campaign_id:
        campaign = get_agenda_campaign_for_user(request.user, campaign_id)
        initial["campaign"] = campaign.pk
        if request.GET.get("prefill") == "1":
            initial["agenda"] = selectors.warning_agenda(request.user, campaign)
            if not initial["agenda"]:
                messages.info(request, _("该专项行动目前没有红色预警、黄色预警任务。"))
    form = f.MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                actor=request.user,
                activity_type=data["type"],
                unit=data["unit"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data.get("ends_at"),
                place=data.get("place", ""),
                participants=list(data.get("participants") or []),
                campaign=data.get("campaign"),
                agenda=data.get("agenda", ""),
                minutes=data.get("minutes", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记会议“%(t)s”。") % {"t": meeting.activity.title})
            return redirect("meetings:meeting-detail", meeting.activity_id)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "campaigns": form.fields["campaign"].queryset},  # type: ignore[attr-defined]
    )


@login_required
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_meeting_for_user(request.user, pk)
    meeting = getattr(activity, "meeting", None)
    perm = decision_perm(request.user, meeting)
    form = f.DecisionForm(request.POST or None, user=request.user, perm=perm) if perm else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.create_decision(
                    actor=request.user,
                    activity=activity,
                    text=data["text"],
                    unit=data["unit"],
                    owner=data["owner"],
                    deadline=data["deadline"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("议定事项已作为督办事项下发给%(unit)s，责任人 %(owner)s。")
                    % {"unit": decision.unit.name, "owner": decision.owner},
                )
                return redirect("meetings:meeting-detail", activity.pk)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "activity": activity,
            "meeting": meeting,
            "participants": [p.person for p in activity.participations.select_related("person")],
            "decisions": selectors.decisions_of(request.user, activity),
            "form": form,
            "may_edit": can_edit_minutes(request.user, activity),
        },
    )


@login_required
def meeting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_meeting_for_user(request.user, pk, write=True)
    meeting = getattr(activity, "meeting", None)
    initial: dict[str, Any] = {}
    if meeting is not None:
        initial = {
            "campaign": meeting.campaign_id,
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
        }
    if request.GET.get("prefill") == "1" and meeting is not None and meeting.campaign:
        initial["agenda"] = selectors.warning_agenda(request.user, meeting.campaign)
    form = f.MinutesForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_minutes(
                actor=request.user,
                activity=activity,
                agenda=data.get("agenda", ""),
                minutes=data.get("minutes", ""),
                campaign=data.get("campaign"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存会议纪要。"))
            return redirect("meetings:meeting-detail", activity.pk)
    return render(
        request,
        "meetings/minutes_form.html",
        {"form": form, "activity": activity, "meeting": meeting},
    )
