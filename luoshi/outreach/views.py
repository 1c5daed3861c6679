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
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.ledgers.models import VenueCategory
from luoshi.lib.forms import add_service_errors
from luoshi.lib.params import parse_date, parse_int
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import (
    get_unit_in_scope,
    has_perm,
    require_perm,
    scope_for,
    units_for_picker,
)

from . import forms as f
from . import selectors, services
from .access import (
    can_manage_target,
    can_manage_team,
    get_target_for_user,
    get_team_for_user,
    team_units,
    visible_targets,
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
        target=get_target_for_user(request.user, target_id) if target_id else None,
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


def _note(flt: selectors.OutreachFilter) -> str:
    date_from, date_to = flt.period()
    parts = [
        _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        _("时间：%(a)s 至 %(b)s") % {"a": date_from, "b": date_to},
    ]
    if flt.unit is not None:
        parts.append(_("单位：%(unit)s（含下级）") % {"unit": flt.unit.name})
    return "；".join(str(part) for part in parts)


def _export(request, *, title: str, headers: list, rows: list, note: str) -> HttpResponse:
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="outreach",
        object_repr=title,
        note=f"{note}；{len(rows)} 行",
    )
    content = build_workbook(title=title, headers=headers, rows=rows, notes=[note])
    return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


# --- Coverage -------------------------------------------------------------------------------------


@login_required
def coverage(request: AuthenticatedRequest) -> HttpResponse:
    """Targets by category × month: lectures per cell, the unreached highlighted, 已覆盖 x / y."""
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    table = selectors.coverage(request.user, flt)
    month_labels = [f"{month:%Y-%m}" for month in table.months]
    if request.GET.get("export") == "xlsx":
        rows = [
            [
                row["target"].get_venue_category_display(),
                row["target"].name,
                row["target"].unit.name,
                *row["counts"],
                row["total"],
            ]
            for row in table.rows
        ]
        rows += [
            [s["label"], _("已覆盖 %(x)d / %(y)d") % {"x": s["reached"], "y": s["total"]}]
            for s in table.summary
        ]
        headers = [_("类别"), _("覆盖点"), _("所属单位"), *month_labels, _("合计")]
        title = _("挎包宣讲覆盖情况")
        return _export(request, title=title, headers=headers, rows=rows, note=_note(flt))
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
            "month_labels": month_labels,
            "date_from": date_from,
            "date_to": date_to,
            "may_record": has_perm(request.user, "ledger.record"),
        }
    )
    return render(request, "outreach/coverage.html", context)


# --- Lectures -------------------------------------------------------------------------------------


@login_required
def lecture_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    found = selectors.lectures(request.user, flt)
    if request.GET.get("export") == "xlsx":
        rows = [
            (
                a.starts_at,
                a.title,
                getattr(getattr(a, "lecture", None), "team", None) or "",
                getattr(getattr(a, "lecture", None), "target", None) or "",
                a.place,
                a.get_venue_category_display(),
                a.audience,
                a.people,  # type: ignore[attr-defined]
                a.unit.name,
            )
            for a in found
        ]
        headers = [
            _("时间"),
            _("宣讲主题"),
            _("宣讲队"),
            _("覆盖点"),
            _("地点"),
            _("场所类别"),
            _("受众人数"),
            _("宣讲人数"),
            _("组织单位"),
        ]
        return _export(
            request, title=_("挎包宣讲记录"), headers=headers, rows=rows, note=_note(flt)
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, params)
    context.update({"page": page, "lectures": list(page.object_list), "target": flt.target})
    return render(request, "outreach/lecture_list.html", context)


@login_required
def lecture_record(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    if not scope_for(request.user, "ledger.record").covers_units():
        # plain staff record only their own personal study, not a unit's lectures
        raise PermissionDenied(_("您只能登记本人的个人学习记录。"))
    initial: dict[str, Any] = {}
    for key in ("team", "target"):
        if parse_int(request.GET.get(key)):
            initial[key] = parse_int(request.GET.get(key))
    form = f.LectureForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.record_lecture(
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
    teams = list(visible_teams(request.user).order_by("name"))
    members = selectors.members_of(teams)
    if request.GET.get("export") == "xlsx":
        rows = [
            (
                t.name,
                t.unit.name,
                (t.leader.name if t.leader else ""),
                m.person.name or m.person.username,
            )
            for t in teams
            for m in members.get(t.pk, [])
        ]
        note = _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
        headers = [_("宣讲队"), _("牵头单位"), _("队长"), _("队员")]
        return _export(request, title=_("宣讲队"), headers=headers, rows=rows, note=note)
    return render(
        request,
        "outreach/team_list.html",
        {
            "teams": [
                (t, members.get(t.pk, []), can_manage_team(request.user, t.unit)) for t in teams
            ],
            "may_create": team_units(request.user).exists(),
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
    found = visible_targets(request.user).order_by("venue_category", "sort_order", "id")
    category = request.GET.get("category", "")
    if category in VenueCategory.values:
        found = found.filter(venue_category=category)
    if request.GET.get("export") == "xlsx":
        rows = [
            (
                t.get_venue_category_display(),
                t.name,
                t.unit.name,
                _("启用") if t.is_active else _("停用"),
            )
            for t in found
        ]
        note = _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
        headers = [_("类别"), _("名称"), _("所属单位"), _("状态")]
        return _export(request, title=_("宣讲覆盖点"), headers=headers, rows=rows, note=note)
    return render(
        request,
        "outreach/target_list.html",
        {
            "targets": [(t, can_manage_target(request.user, t.unit)) for t in found],
            "category": category,
            "categories": VenueCategory.choices,
            "may_create": has_perm(request.user, "ledger.configure"),
        },
    )


@login_required
def target_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.TargetForm(request.POST or None, user=request.user)
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
    target = get_target_for_user(request.user, pk, write=True)
    initial = {
        key: getattr(target, key)
        for key in ("name", "venue_category", "note", "sort_order", "is_active")
    }
    initial["unit"] = target.unit_id
    form = f.TargetForm(request.POST or None, user=request.user, initial=initial)
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
