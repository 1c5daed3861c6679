"""The monthly return per unit and month (the centre: every unit; a liaison: their unit), its
Excel export, and the national system's export; a team's page for its leaders."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import get_unit_in_scope, require_perm

from .. import exports, selectors
from ..access import can_lead_team, can_publish, get_team_for_user, managed_units
from ..models import VolunteerSettings


def _month(value: str | None) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@login_required
def monthly_return(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "volunteer.view")
    month = _month(request.GET.get("month"))
    unit_id = parse_int(request.GET.get("unit"))
    unit = get_unit_in_scope(request.user, unit_id, perm="volunteer.view") if unit_id else None
    report = selectors.monthly_return(request.user, month, unit)
    labels = [_("月份：%(m)s") % {"m": f"{month:%Y-%m}"}]
    if unit is not None:
        labels.append(_("单位：%(unit)s") % {"unit": unit.name})
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="volunteering.return",
            title=_("志愿服务月报"),
            headers=exports.return_headers(),
            rows=exports.return_rows(report),
            filters=labels,
        )
    return render(
        request,
        "volunteering/returns.html",
        {
            "report": report,
            "month": f"{month:%Y-%m}",
            "unit": unit,
            "query": request.GET.urlencode(),
            "may_export_national": managed_units(request.user).exists(),
        },
    )


@login_required
def national_export(request: AuthenticatedRequest) -> HttpResponse:
    """The national 志愿服务信息系统's bulk import: name, ID type, ID number, activity, date,
    hours (the layout in VolunteerSettings); final hours of the units one manages."""
    require_perm(request.user, "volunteer.manage")
    month = _month(request.GET.get("month"))
    first, last = selectors.in_month(month)
    date_from = parse_date(request.GET.get("from")) or first
    date_to = parse_date(request.GET.get("to")) or last
    columns = VolunteerSettings.load().national_columns
    return serve_export(
        actor=request.user,
        object_type="volunteering.national",
        title=_("志愿服务时长（全国志愿服务信息系统导入）"),
        headers=exports.national_headers(columns),
        rows=exports.national_rows(
            selectors.national_rows(request.user, date_from, date_to), columns
        ),
        filters=[_("服务日期：%(a)s 至 %(b)s") % {"a": date_from, "b": date_to}],
    )


@login_required
def team_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A team's page for its leaders and its unit: members, activities, orders with their
    response times and ratings."""
    team = get_team_for_user(request.user, pk)
    leads = can_lead_team(request.user, team)
    figures = selectors.team_figures(team) if leads else None
    context = {
        "team": team,
        "leads": leads,
        "may_publish": can_publish(request.user, team.unit, team),
        "members": list(team.members.select_related("volunteer")),
        "activities": list(
            team.activities.filter(activity__deleted_at__isnull=True)
            .select_related("activity")
            .order_by("-activity__starts_at")[:30]
        ),
        "orders": list(team.orders.order_by("-created_at")[:50]) if leads else [],
        "figures": figures,
    }
    return render(request, "volunteering/team_detail.html", context)
