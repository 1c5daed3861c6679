"""Activity pages, phone first: the list by month, place, team and skill; publishing; an
activity with its positions, sign-up and (for the organiser) the sign-ups, approvals and hours;
check-in and check-out by code; 补录; objections to hours."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.ledgers import qr
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_int

from .. import exports, selectors, services
from .. import forms as f
from ..access import (
    can_organise,
    get_hours_for_user,
    get_objection_for_user,
    get_service_for_user,
    get_signup_for_user,
    get_team_for_user,
    is_centre,
    organising_teams,
    own_volunteer,
    publishing_units,
    require_use,
    visible_teams,
)
from ..models import Objection, SignUp, Skill

PAGE_SIZE = 30


def _filter_from(request: AuthenticatedRequest) -> selectors.ActivityFilter:
    form = f.ActivityFilterForm(request.GET)
    flt = selectors.ActivityFilter()
    if not form.is_valid():
        return flt
    data = form.cleaned_data
    if data["month"]:
        year, month = (int(part) for part in data["month"].split("-"))
        flt.month = datetime.date(year, month, 1)
        flt.labels.append(_("月份：%(m)s") % {"m": data["month"]})
    if data["place"]:
        flt.place = data["place"].strip()
        flt.labels.append(_("地点：%(p)s") % {"p": flt.place})
    if data["team"]:
        flt.team = get_team_for_user(request.user, data["team"])
        flt.labels.append(_("队伍：%(t)s") % {"t": flt.team.name})
    if data["skill"]:
        flt.skill = data["skill"]
        flt.labels.append(_("技能：%(skill)s") % {"skill": flt.skill.name})
    if data["open"]:
        flt.open_only = True
        flt.labels.append(_("正在招募"))
    return flt


@login_required
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    require_use(request.user)
    flt = _filter_from(request)
    found = selectors.activity_list(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="volunteering.serviceactivity",
            title=_("志愿服务活动"),
            headers=exports.activity_headers(),
            rows=exports.activity_rows(found),
            filters=flt.describe(),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteering/activity_list.html",
        {
            "page": page,
            "services": list(page.object_list),
            "flt": flt,
            "month": request.GET.get("month", ""),
            "teams": visible_teams(request.user).filter(is_active=True),
            "skills": Skill.objects.all(),
            "query": query.urlencode(),
            "may_publish": publishing_units(request.user).exists(),
            "now": timezone.now(),
        },
    )


@login_required
def activity_create(request: AuthenticatedRequest) -> HttpResponse:
    require_use(request.user)
    if not publishing_units(request.user).exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            _("只有单位联络员、文明实践中心和志愿服务队队长可以发布志愿服务活动。")
        )
    initial = {}
    for key in ("action", "team", "theme", "order"):
        if parse_int(request.GET.get(key)):
            initial[key] = parse_int(request.GET.get(key))
    team_id = initial.get("team")
    team = organising_teams(request.user).filter(pk=team_id).first() if team_id else None
    if team is not None:  # a team's activity is of the team's unit
        initial["unit"] = team.unit_id
    form = f.ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service = services.publish_activity(
                actor=request.user,
                activity_type=data["type"],
                unit=data["unit"],
                title=data["title"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                planned_hours=data["planned_hours"],
                recruit_until=data["recruit_until"],
                positions=data["positions"],
                requirements=data["requirements"],
                needs_approval=data["needs_approval"],
                theme=data["theme"],
                action=data["action"],
                team=data["team"],
                order=data["order"],
                skills=list(data["skills"]),
                notes=data["notes"],
                uploads=request.FILES.getlist("files"),
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"type": "type"})
        else:
            messages.success(
                request,
                _("已发布“%(title)s”，签到码 %(code)s。")
                % {"title": service.activity.title, "code": service.activity.checkin_code},
            )
            return redirect("volunteering:activity-detail", service.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("发布志愿服务活动")})


@login_required
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, pk)
    volunteer = own_volunteer(request.user)
    mine = (
        SignUp.objects.filter(service=service, volunteer=volunteer)
        .exclude(status__in=[SignUp.Status.CANCELLED, SignUp.Status.REJECTED])
        .select_related("position")
        .first()
        if volunteer
        else None
    )
    organiser = can_organise(request.user, service)
    now = timezone.now()
    context = {
        "service": service,
        "activity": service.activity,
        "positions": selectors.position_rows(service),
        "mine": mine,
        "volunteer": volunteer,
        "recruiting": now <= service.recruit_until,
        "organiser": organiser,
        "now": now,
    }
    if organiser:
        if service.activity.checkin_code:
            target = reverse("volunteering:checkin") + f"?code={service.activity.checkin_code}"
            context["qr_svg"] = qr.svg(
                request.build_absolute_uri(target), label=_("扫码签到、签退")
            )
        context["signups"] = list(selectors.service_signups(service))
        context["hours"] = list(selectors.service_hours(service))
    return render(request, "volunteering/activity_detail.html", context)


@login_required
@require_POST
def signup_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, pk)
    position = get_object_or_404(service.positions, pk=parse_int(request.POST.get("position")))
    try:
        signup = services.sign_up(actor=request.user, service=service, position=position)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if signup.status == SignUp.Status.WAITLISTED:
            messages.warning(request, _("岗位已满，您已进入候补，有人取消时将自动递补并通知您。"))
        elif signup.status == SignUp.Status.PENDING:
            messages.success(request, _("已报名，等待组织方审核。"))
        else:
            messages.success(request, _("报名成功。"))
    return redirect("volunteering:activity-detail", service.pk)


@login_required
@require_POST
def signup_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    signup = get_signup_for_user(request.user, pk, write=True)
    try:
        services.cancel_signup(
            actor=request.user, signup=signup, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已取消报名。"))
    return redirect("volunteering:activity-detail", signup.service_id)


@login_required
@require_POST
def signup_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    signup = get_signup_for_user(request.user, pk, write=True)
    try:
        services.decide_signup(
            actor=request.user, signup=signup, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("volunteering:activity-detail", signup.service_id)


@login_required
def checkin(request: AuthenticatedRequest) -> HttpResponse:
    """签到 / 签退 by the activity's six-digit code, on the phone."""
    require_use(request.user)
    form = f.CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if request.POST.get("move") == "out":
                signup, hours = services.check_out_volunteer(actor=request.user, code=code)
                if hours is None:
                    messages.warning(
                        request,
                        _("已签退。服务时间不足计划时长的规定比例，本次不记录服务时长。"),
                    )
                else:
                    messages.success(
                        request,
                        _("已签退，记录服务时长 %(h)s 小时（公示期满后确认）。")
                        % {"h": hours.hours},
                    )
            else:
                signup = services.check_in_volunteer(actor=request.user, code=code)
                messages.success(
                    request, _("签到成功：%(title)s") % {"title": signup.service.activity.title}
                )
        except ValidationError as error:
            add_service_errors(form, error, default_field="code")
        else:
            return redirect("volunteering:activity-detail", signup.service_id)
    return render(request, "volunteering/checkin.html", {"form": form})


@login_required
def hours_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """补录: the organiser adds or corrects hours with a reason and proof."""
    service = get_service_for_user(request.user, pk, write=True)
    form = f.AddHoursForm(request.POST or None, request.FILES or None, service=service)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_hours(
                actor=request.user,
                service=service,
                volunteer=data["volunteer"],
                hours=data["hours"],
                reason=data["reason"],
                proof=data["proof"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已补录服务时长，进入公示。"))
            return redirect("volunteering:activity-detail", service.pk)
    title = _("补录服务时长：%(title)s") % {"title": service.activity.title}
    return render(request, "volunteering/form.html", {"form": form, "title": title})


@login_required
def objection_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    hours = get_hours_for_user(request.user, pk)
    form = f.ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.object_to_hours(actor=request.user, hours=hours, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已提出异议，组织方将答复。"))
            return redirect("volunteering:home")
    title = _("对服务时长提出异议：%(title)s（%(h)s 小时）") % {
        "title": hours.service.activity.title,
        "h": hours.hours,
    }
    return render(request, "volunteering/form.html", {"form": form, "title": title})


@login_required
def objection_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The organiser answers an open objection; the centre rules on an escalated one."""
    objection = get_objection_for_user(request.user, pk)
    form = f.ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if objection.status == Objection.Status.ESCALATED:
                services.rule_objection(actor=request.user, objection=objection, **data)
            else:
                services.answer_objection(actor=request.user, objection=objection, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已答复。"))
            return redirect("volunteering:objection-list")
    title = _("答复异议：%(text)s") % {"text": objection.text[:30]}
    return render(
        request, "volunteering/form.html", {"form": form, "title": title, "objection": objection}
    )


@login_required
@require_POST
def objection_escalate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    objection = get_objection_for_user(request.user, pk)
    try:
        services.escalate_objection(actor=request.user, objection=objection)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已提请文明实践中心复核。"))
    return redirect("volunteering:home")


@login_required
def objection_list(request: AuthenticatedRequest) -> HttpResponse:
    """Objections for the organiser (open) and the centre (escalated), and one's own."""
    require_use(request.user)
    rows = selectors.objections_for(request.user)
    return render(
        request,
        "volunteering/objection_list.html",
        {"objections": rows, "centre": is_centre(request.user)},
    )
