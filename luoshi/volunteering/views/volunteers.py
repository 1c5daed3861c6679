"""Volunteer pages: my volunteer service, registration, the volunteer list, a volunteer's
record, teams. Views parse, fetch through the access helpers, call services and selectors."""

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
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import get_unit_in_scope, require_perm

from .. import exports, selectors, services
from .. import forms as f
from ..access import (
    can_edit_volunteer,
    can_manage_team,
    can_see_identity,
    get_team_for_user,
    get_volunteer_for_user,
    led_teams,
    managed_units,
    own_volunteer,
    require_use,
    visible_teams,
)
from ..models import Skill, TeamMember

PAGE_SIZE = 50


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """我的志愿服务: my star level and hours, my sign-ups, the teams I lead."""
    require_use(request.user)
    volunteer = own_volunteer(request.user)
    context: dict = {
        "volunteer": volunteer,
        "led_teams": list(led_teams(request.user)),
        "now": timezone.now(),
    }
    if volunteer is not None:
        context["summary"] = selectors.hours_summary(volunteer)
        context["hours"] = list(selectors.volunteer_hours(request.user, volunteer)[:20])
        context["signups"] = selectors.my_signups(volunteer)
    context["may_manage"] = managed_units(request.user).exists()
    return render(request, "volunteering/home.html", context)


def _volunteer_values(data: dict) -> dict:
    return {
        "real_name": data["real_name"],
        "phone": data["phone"],
        "id_type": data["id_type"],
        "id_number": data["id_number"],
        "political_status": data["political_status"],
        "skills": list(data["skills"]),
        "areas": data["areas"],
        "availability": data["availability"],
    }


@login_required
def register(request: AuthenticatedRequest) -> HttpResponse:
    """Register oneself (self=1, the default for a person without a record) or, for a manager,
    another person without an account."""
    require_use(request.user)
    myself = request.GET.get("for") != "other"
    if myself and own_volunteer(request.user) is not None:
        return redirect("volunteering:home")
    if not myself and not managed_units(request.user).exists():
        raise PermissionDenied(_("只有单位联络员或文明实践中心可以代为登记志愿者。"))
    initial = {"real_name": request.user.name, "phone": request.user.phone} if myself else {}
    form = f.VolunteerForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = services.register_volunteer(
                actor=request.user,
                unit=data["unit"],
                person=request.user if myself else None,
                consent=data["consent"],
                **_volunteer_values(data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已注册志愿者，编号 %(number)s。") % {"number": volunteer.number}
            )
            if myself:
                return redirect("volunteering:home")
            return redirect("volunteering:volunteer-detail", volunteer.pk)
    title = _("注册志愿者") if myself else _("代为登记志愿者")
    return render(request, "volunteering/form.html", {"form": form, "title": title})


def _filter_from(request: AuthenticatedRequest) -> selectors.VolunteerFilter:
    form = f.VolunteerFilterForm(request.GET)
    if not form.is_valid():
        return selectors.VolunteerFilter()
    data = form.cleaned_data
    flt = selectors.VolunteerFilter(keyword=(data["q"] or "").strip())
    if data["unit"]:
        flt.unit = get_unit_in_scope(request.user, data["unit"], perm="volunteer.view")
        flt.labels.append(_("单位：%(unit)s") % {"unit": flt.unit.name})
    if data["skill"]:
        flt.skill = data["skill"]
        flt.labels.append(_("技能：%(skill)s") % {"skill": flt.skill.name})
    if flt.keyword:
        flt.labels.append(_("关键词：%(q)s") % {"q": flt.keyword})
    return flt


def _without_page(request: AuthenticatedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


@login_required
def volunteer_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "volunteer.view")
    flt = _filter_from(request)
    found = selectors.volunteer_list(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="volunteering.volunteer",
            title=_("志愿者名册"),
            headers=exports.volunteer_headers(),
            rows=exports.volunteer_rows(found),
            filters=flt.describe(),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    units = managed_units(request.user)
    return render(
        request,
        "volunteering/volunteer_list.html",
        {
            "page": page,
            "volunteers": list(page.object_list),
            "skills": Skill.objects.all(),
            "flt": flt,
            "params": request.GET.urlencode(),
            "query": _without_page(request),
            "may_register": units.exists(),
        },
    )


@login_required
def volunteer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A volunteer's record (民政部令第67号 第九条): identity (masked unless one may see it),
    each service with its organiser, hours and 计时/补录, the teams, the certificates."""
    volunteer = get_volunteer_for_user(request.user, pk)
    context = {
        "volunteer": volunteer,
        "identity": can_see_identity(request.user, volunteer),
        "may_edit": can_edit_volunteer(request.user, volunteer),
        "summary": selectors.hours_summary(volunteer),
        "hours": list(selectors.volunteer_hours(request.user, volunteer)),
        "teams": list(
            TeamMember.objects.filter(volunteer=volunteer).select_related("team", "team__unit")
        ),
        "certificates": list(selectors.volunteer_certificates(request.user, volunteer)),
        "may_certify": selectors.certifying_units(request.user, volunteer),
    }
    return render(request, "volunteering/volunteer_detail.html", context)


@login_required
def volunteer_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    volunteer = get_volunteer_for_user(request.user, pk, write=True)
    initial = {
        "real_name": volunteer.real_name,
        "phone": volunteer.phone,
        "id_type": volunteer.id_type,
        "id_number": volunteer.id_number,
        "political_status": volunteer.political_status,
        "skills": list(volunteer.skills.all()),
        "areas": volunteer.areas,
        "availability": volunteer.availability,
        "is_active": volunteer.is_active,
    }
    form = f.VolunteerForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_volunteer(
                actor=request.user,
                volunteer=volunteer,
                is_active=data["is_active"],
                **_volunteer_values(data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteering:volunteer-detail", volunteer.pk)
    title = _("修改志愿者信息：%(name)s") % {"name": volunteer.masked_name}
    return render(request, "volunteering/form.html", {"form": form, "title": title})


# --- Teams ----------------------------------------------------------------------------------------


@login_required
def team_list(request: AuthenticatedRequest) -> HttpResponse:
    require_use(request.user)
    teams = visible_teams(request.user).prefetch_related("members__volunteer")
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="volunteering.team",
            title=_("志愿服务队"),
            headers=exports.team_headers(),
            rows=exports.team_rows(teams),
        )
    rows = [(team, can_manage_team(request.user, team)) for team in teams]
    return render(
        request,
        "volunteering/team_list.html",
        {"teams": rows, "may_create": managed_units(request.user).exists()},
    )


@login_required
def team_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "volunteer.manage")
    form = f.TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.create_team(
                actor=request.user,
                unit=data["unit"],
                name=data["name"],
                description=data["description"],
                leaders=list(data["leaders"]),
                members=list(data["members"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已建立志愿服务队“%(name)s”。") % {"name": team.name})
            return redirect("volunteering:team-list")
    return render(request, "volunteering/form.html", {"form": form, "title": _("新建志愿服务队")})


@login_required
def team_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, write=True)
    if not can_manage_team(request.user, team):
        raise PermissionDenied(_("只有队伍所属单位的联络员或文明实践中心可以修改队伍。"))
    members = list(team.members.select_related("volunteer"))
    initial = {
        "unit": team.unit,
        "name": team.name,
        "description": team.description,
        "is_active": team.is_active,
        "leaders": [m.volunteer for m in members if m.is_leader],
        "members": [m.volunteer for m in members if not m.is_leader],
    }
    form = f.TeamForm(request.POST or None, user=request.user, initial=initial)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_team(
                actor=request.user,
                team=team,
                name=data["name"],
                description=data["description"],
                leaders=list(data["leaders"]),
                members=list(data["members"]),
                is_active=data["is_active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteering:team-list")
    title = _("修改志愿服务队：%(name)s") % {"name": team.name}
    return render(request, "volunteering/form.html", {"form": form, "title": title})
