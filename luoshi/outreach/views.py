"""Outreach pages: the coverage table, the lecture list, recording a lecture, lecture teams and
targets. Views parse, fetch through access helpers, call services and selectors, render."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.ledgers.models import VenueCategory
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import (
    get_unit_in_scope,
    has_perm,
    require_perm,
    units_for_picker,
    units_with_any_perm,
)

from . import exports, selectors, services
from . import forms as f
from .access import (
    TEAM_PERMS,
    can_manage_target,
    can_manage_team,
    can_record_lectures,
    get_lecture_target_for_user,
    get_team_for_user,
    visible_teams,
)

PAGE_SIZE = 50
UNIT_LIST_LIMIT = 100


def _filter_from(
    request: AuthenticatedRequest,
) -> tuple[selectors.OutreachFilter, dict[str, str]]:
    """The filters from GET; a unit outside the ledger.view scope is a 404."""
    get = request.GET
    unit_id, team_id, target_id = (
        parse_int(get.get("unit")),
        parse_int(get.get("team")),
        parse_int(get.get("target")),
    )
    category = get.get("category", "")
    flt = selectors.OutreachFilter(
        unit=get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None,
        date_from=parse_date(get.get("from")),
        date_to=parse_date(get.get("to")),
        team_id=get_team_for_user(request.user, team_id).pk if team_id else None,
        category=category if category in VenueCategory.values else "",
        target=get_lecture_target_for_user(request.user, target_id) if target_id else None,
    )
    keys = ("unit", "from", "to", "team", "category", "target")
    return flt, {key: get[key] for key in keys if get.get(key)}


def _context(request: AuthenticatedRequest, params: dict[str, str]) -> dict[str, Any]:
    return {
        "params": params,
        "query": urlencode(params),
        "units": list(
            units_for_picker(request.user, "ledger.view").order_by("path")[:UNIT_LIST_LIMIT]
        ),
        "teams": visible_teams(request.user),
        "categories": [(c.value, c.label) for c in services.TARGET_CATEGORIES],
    }


# --- Coverage -------------------------------------------------------------------------------------


@login_required
def coverage(request: AuthenticatedRequest) -> HttpResponse:
    """Targets by category × month: lectures per cell, the unreached highlighted, 已覆盖 x / y."""
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    table = selectors.coverage(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="outreach.lecture",
            title=_("挎包宣讲覆盖情况"),
            headers=exports.coverage_headers(table),
            rows=exports.coverage_rows(table),
            filters=flt.describe(),
        )
    date_from, date_to = flt.period()
    base = {k: v for k, v in params.items() if k in ("team",)}

    def link(target_id: int, month: datetime.date | None) -> str:
        start, end = date_from, date_to
        if month is not None:
            last = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            start, end = max(month, date_from), min(last, date_to)
        query = {**base, "target": target_id, "from": start.isoformat(), "to": end.isoformat()}
        return reverse("outreach:lecture-list") + "?" + urlencode(query)

    linked = [
        {
            **row,
            "cells": [
                (count, link(row["target"].pk, month))
                for count, month in zip(row["counts"], table.months, strict=True)
            ],
            "link": link(row["target"].pk, None),
        }
        for row in table.rows
    ]
    context = _context(request, params)
    context.update(
        {
            "table": table,
            "rows": linked,
            "month_labels": exports.month_labels(table),
            "date_from": date_from,
            "date_to": date_to,
            "may_record": can_record_lectures(request.user),
        }
    )
    return render(request, "outreach/coverage.html", context)


# --- Lectures -------------------------------------------------------------------------------------


@login_required
def lecture_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    found = selectors.lectures(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="outreach.lecture",
            title=_("挎包宣讲记录"),
            headers=exports.lecture_headers(),
            rows=exports.lecture_rows(found),
            filters=flt.describe(),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, params)
    context.update({"page": page, "lectures": list(page.object_list), "target": flt.target})
    return render(request, "outreach/lecture_list.html", context)


@login_required
def lecture_record(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    if not can_record_lectures(request.user):
        raise PermissionDenied(_("您只能登记本人的个人学习记录。"))
    initial: dict[str, Any] = {}
    for key in ("team", "target"):
        if parse_int(request.GET.get(key)):
            initial[key] = parse_int(request.GET.get(key))
    form = f.LectureForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.create_lecture(
                actor=request.user,
                activity_type=data["type"],
                unit=data["unit"],
                starts_at=data["starts_at"],
                topic=data["topic"],
                team=data["team"],
                target=data["target"],
                place=data["place"],
                venue_category=data["venue_category"],
                audience=data["audience"],
                materials=data["materials"],
                notes=data["notes"],
                participants=list(data["participants"]) or None,
                uploads=request.FILES.getlist("files"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记宣讲“%(title)s”。") % {"title": activity.title})
            return redirect("ledgers:activity-detail", activity.pk)
    return render(request, "outreach/lecture_form.html", {"form": form})


# --- Teams ----------------------------------------------------------------------------------------


@login_required
def team_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    teams = list(selectors.team_list(request.user))
    members = selectors.members_of(teams)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="outreach.lectureteam",
            title=_("宣讲队"),
            headers=exports.team_headers(),
            rows=exports.team_rows(teams, members),
        )
    return render(
        request,
        "outreach/team_list.html",
        {
            "teams": [
                (t, members.get(t.pk, []), can_manage_team(request.user, t.unit)) for t in teams
            ],
            "may_create": units_with_any_perm(request.user, *TEAM_PERMS).exists(),
        },
    )


def _team_values(form: f.TeamForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "leader": data["leader"],
        "members": list(data["members"]),
        "description": data["description"],
    }


@login_required
def team_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    form = f.TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(
                actor=request.user, unit=form.cleaned_data["unit"], **_team_values(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已建立宣讲队“%(name)s”。") % {"name": team.name})
            return redirect("outreach:team-list")
    return render(request, "outreach/form.html", {"form": form, "title": _("新建宣讲队")})


@login_required
def team_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, write=True)
    initial = {
        "unit": team.unit_id,
        "name": team.name,
        "leader": team.leader_id,
        "description": team.description,
        "is_active": team.is_active,
        "members": list(team.members.values_list("person_id", flat=True)),
    }
    form = f.TeamForm(request.POST or None, user=request.user, initial=initial)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_team(
                actor=request.user,
                team=team,
                is_active=form.cleaned_data["is_active"],
                **_team_values(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("outreach:team-list")
    return render(request, "outreach/form.html", {"form": form, "title": _("修改宣讲队")})


# --- Targets --------------------------------------------------------------------------------------


@login_required
def target_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    category = request.GET.get("category", "")
    found = selectors.target_list(request.user, category=category)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="outreach.lecturetarget",
            title=_("宣讲覆盖点"),
            headers=exports.target_headers(),
            rows=exports.target_rows(found),
        )
    return render(
        request,
        "outreach/target_list.html",
        {
            "targets": [(t, can_manage_target(request.user, t.unit)) for t in found],
            "category": category,
            "categories": VenueCategory.choices,
            "may_create": has_perm(request.user, "ledger.configure"),
            "may_record": can_record_lectures(request.user),
        },
    )


@login_required
def target_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.LectureTargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_target(
                actor=request.user,
                name=data["name"],
                venue_category=data["venue_category"],
                unit=data["unit"],
                note=data["note"],
                sort_order=data["sort_order"] or 0,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加覆盖点。"))
            return redirect("outreach:target-list")
    return render(request, "outreach/form.html", {"form": form, "title": _("新增覆盖点")})


@login_required
def target_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = get_lecture_target_for_user(request.user, pk, write=True)
    initial = {
        key: getattr(target, key)
        for key in ("name", "venue_category", "note", "sort_order", "is_active")
    }
    initial["unit"] = target.unit_id
    form = f.LectureTargetForm(request.POST or None, user=request.user, initial=initial)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_target(
                actor=request.user,
                target=target,
                name=data["name"],
                venue_category=data["venue_category"],
                note=data["note"],
                sort_order=data["sort_order"] or 0,
                is_active=data["is_active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("outreach:target-list")
    return render(request, "outreach/form.html", {"form": form, "title": _("修改覆盖点")})
