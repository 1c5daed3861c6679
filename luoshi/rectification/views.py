"""Rectification pages: the problem list (office), task forces, market inspections and their
findings. Views parse, fetch through access helpers, call services and selectors."""

import datetime
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
from luoshi.campaigns.access import visible_campaigns
from luoshi.campaigns.models import TaskState, WarningLevel
from luoshi.ledgers.models import ActivityType, Category
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import get_unit_in_scope, has_perm, require_perm, units_for_picker

from . import exports, selectors, services
from . import forms as f
from .access import (
    can_manage,
    finding_campaigns,
    finding_perm,
    get_inspection_for_user,
    get_task_force_for_user,
    managed_campaigns,
    visible_task_forces,
)

PAGE_SIZE = 50
UNIT_LIST_LIMIT = 100


def _params(request: AuthenticatedRequest, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: request.GET.get(key, "") for key in keys if request.GET.get(key)}


def _units(request: AuthenticatedRequest, perm: str) -> list:
    return list(units_for_picker(request.user, perm).order_by("path")[:UNIT_LIST_LIMIT])


# --- Problem list ---------------------------------------------------------------------------------


def _may_see_problems(user) -> None:
    require_perm(user, "task.view")


@login_required
def problem_list(request: AuthenticatedRequest) -> HttpResponse:
    _may_see_problems(request.user)
    get = request.GET
    unit_id = parse_int(get.get("unit"))
    unit = get_unit_in_scope(request.user, unit_id, perm="task.view") if unit_id else None
    state = get.get("state", "")
    warning = get.get("warning", "")
    flt = selectors.ProblemFilter(
        campaign_id=parse_int(get.get("campaign")),
        unit=unit,
        state=state if state in {"open", "done", *TaskState.values} else "",
        warning=warning if warning in WarningLevel.values else "",
        task_force_id=parse_int(get.get("task_force")),
        text=get.get("q", "").strip(),
    )
    params = _params(request, ("campaign", "unit", "state", "warning", "task_force", "q"))
    problems = selectors.problem_list(request.user, flt)
    if wants_xlsx(request):
        parts = [_("单位：%(u)s（含下级）") % {"u": unit.name}] if unit else []
        if flt.state:
            label = {"open": _("未销号"), "done": _("已销号")}.get(flt.state) or TaskState(
                flt.state
            ).label
            parts.append(_("状态：%(s)s") % {"s": label})
        if flt.warning:
            parts.append(_("预警：%(w)s") % {"w": WarningLevel(flt.warning).label})
        if flt.text:
            parts.append(_("关键词：%(q)s") % {"q": flt.text})
        return serve_export(
            actor=request.user,
            object_type="rectification.problem",
            title=_("整改问题清单"),
            headers=exports.problem_headers(),
            rows=exports.problem_rows(problems),
            filters=parts,
        )
    page = Paginator(problems, PAGE_SIZE).get_page(get.get("page"))
    return render(
        request,
        "rectification/problem_list.html",
        {
            "problems": list(page.object_list),
            "page": page,
            "params": params,
            "query": urlencode(params),
            "units": _units(request, "task.view"),
            "campaigns": visible_campaigns(request.user).order_by("-start_date"),
            "task_forces": visible_task_forces(request.user).order_by("name"),
            "states": [("open", _("未办结")), ("done", _("已办结")), *TaskState.choices],
            "warnings": [w for w in WarningLevel.choices if w[0]],
            "may_manage": managed_campaigns(request.user).exists(),
        },
    )


@login_required
def problem_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "task.issue")
    form = f.ProblemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.create_problem(
                actor=request.user,
                campaign=data["campaign"],
                title=data["title"],
                description=data.get("description", ""),
                source=data.get("source", ""),
                unit=data["unit"],
                task_force=data.get("task_force"),
                deadline=data["deadline"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已列入问题清单，整改任务已下发给%(unit)s。") % {"unit": problem.unit.name},
            )
            return redirect("rectification:problem-list")
    return render(
        request,
        "rectification/form.html",
        {"form": form, "title": _("新增整改问题"), "back": "rectification:problem-list"},
    )


# --- Task forces ----------------------------------------------------------------------------------


@login_required
def task_force_list(request: AuthenticatedRequest) -> HttpResponse:
    task_forces = selectors.task_force_list(request.user)
    text = request.GET.get("q", "").strip()
    if text:
        task_forces = task_forces.filter(name__icontains=text)
    params = _params(request, ("q",))
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="rectification.taskforce",
            title=_("项目攻坚组"),
            headers=exports.task_force_headers(),
            rows=exports.task_force_rows(task_forces),
            filters=[_("名称含：%(q)s") % {"q": text}] if text else [],
        )
    page = Paginator(task_forces, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rectification/task_force_list.html",
        {
            "task_forces": list(page.object_list),
            "page": page,
            "params": params,
            "query": urlencode(params),
            "may_manage": managed_campaigns(request.user).exists(),
        },
    )


@login_required
def task_force_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "task.issue")
    form = f.TaskForceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_task_force(
                actor=request.user,
                campaign=data["campaign"],
                name=data["name"],
                lead=data["lead"],
                members=list(data.get("members") or []),
                description=data.get("description", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已成立攻坚组“%(name)s”。") % {"name": data["name"]})
            return redirect("rectification:task-force-list")
    return render(
        request,
        "rectification/form.html",
        {"form": form, "title": _("成立项目攻坚组"), "back": "rectification:task-force-list"},
    )


@login_required
def task_force_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task_force = get_task_force_for_user(request.user, pk)
    if not can_manage(request.user, task_force.campaign):
        raise PermissionDenied
    initial: dict[str, Any] = {
        "campaign": task_force.campaign_id,
        "name": task_force.name,
        "lead": task_force.lead_id,
        "members": [m.pk for m in task_force.members.all()],
        "description": task_force.description,
    }
    form = f.TaskForceForm(request.POST or None, user=request.user, initial=initial)
    form.fields["campaign"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task_force(
                actor=request.user,
                task_force=task_force,
                name=data["name"],
                lead=data["lead"],
                members=list(data.get("members") or []),
                description=data.get("description", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("rectification:task-force-list")
    return render(
        request,
        "rectification/form.html",
        {
            "form": form,
            "title": _("修改项目攻坚组 · %(name)s") % {"name": task_force.name},
            "back": "rectification:task-force-list",
        },
    )


# --- Market inspections ---------------------------------------------------------------------------


@login_required
def inspection_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    get = request.GET
    unit_id = parse_int(get.get("unit"))
    unit = get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None
    venue_kind = get.get("venue_kind", "")
    result = get.get("result", "")
    flt = selectors.InspectionFilter(
        unit=unit,
        date_from=parse_date(get.get("from")),
        date_to=parse_date(get.get("to")),
        venue_kind=venue_kind if venue_kind in selectors.VENUE_KINDS else "",
        result=result if result in selectors.RESULTS else "",
        text=get.get("q", "").strip(),
    )
    params = _params(request, ("unit", "from", "to", "venue_kind", "result", "q"))
    inspections = selectors.inspection_list(request.user, flt)
    if wants_xlsx(request):
        parts = []
        if unit:
            parts.append(_("单位：%(u)s（含下级）") % {"u": unit.name})
        if flt.date_from or flt.date_to:
            parts.append(
                _("时间：%(a)s 至 %(b)s")
                % {"a": flt.date_from or _("不限"), "b": flt.date_to or _("不限")}
            )
        for label, value in ((_("场所类型"), flt.venue_kind), (_("检查结果"), flt.result)):
            if value:
                parts.append(f"{label}：{value}")
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("文化市场检查"),
            headers=exports.inspection_headers(),
            rows=exports.inspection_rows(inspections),
            filters=parts,
        )
    page = Paginator(inspections, PAGE_SIZE).get_page(get.get("page"))
    return render(
        request,
        "rectification/inspection_list.html",
        {
            "inspections": list(page.object_list),
            "page": page,
            "params": params,
            "query": urlencode(params),
            "units": _units(request, "ledger.view"),
            "venue_kinds": selectors.VENUE_KINDS,
            "record_type": ActivityType.objects.filter(
                category=Category.INSPECTION, is_active=True
            ).first()
            if has_perm(request.user, "ledger.record")
            else None,
            "results": selectors.RESULTS,
        },
    )


@login_required
def inspection_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    perm = finding_perm(request.user, inspection)
    form = None
    if perm:
        initial: dict[str, Any] = {
            "description": inspection.values.get("findings", ""),
            # The inspecting unit supervises the venue's rectification, unless chosen otherwise.
            "unit": inspection.unit_id,
            "deadline": timezone.localdate() + datetime.timedelta(days=30),
        }
        linked = (
            finding_campaigns(request.user, perm)
            .filter(pk__in=inspection.campaigns.values("pk"))
            .first()
        )
        if linked is not None:
            initial["campaign"] = linked.pk
        form = f.FindingForm(request.POST or None, user=request.user, perm=perm, initial=initial)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding = services.create_finding(
                    actor=request.user,
                    activity=inspection,
                    campaign=data["campaign"],
                    description=data["description"],
                    unit=data["unit"],
                    deadline=data["deadline"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已登记发现问题，整改任务已下发给%(unit)s。") % {"unit": finding.unit.name},
                )
                return redirect("rectification:inspection-detail", inspection.pk)
    return render(
        request,
        "rectification/inspection_detail.html",
        {
            "inspection": inspection,
            "inspectors": [p.person for p in inspection.participations.select_related("person")],
            "findings": selectors.findings_of(request.user, inspection),
            "form": form,
        },
    )
