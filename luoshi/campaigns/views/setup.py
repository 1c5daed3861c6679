"""Campaign set-up pages: the campaign, its tracks and leading group, the task breakdown
(create, edit with optimistic locking, issue to units), and the configured accountability kinds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import require_perm, units_for_picker
from luoshi.workdays.selectors import load_calendar

from .. import exports, selectors, services
from .. import forms as f
from ..access import (
    can_create_task,
    can_manage_campaign,
    get_accountability_kind_for_user,
    get_campaign_for_user,
    get_task_for_user,
    visible_tasks,
    visible_tasks_q,
)
from ..models import AccountabilityKind, LeadingGroupMember, Task, TaskState

S = TaskState


# --- The campaign ---------------------------------------------------------------------------------


@login_required
def campaign_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "campaign.manage")
    units = units_for_picker(request.user, "campaign.manage").order_by("path")
    form = f.CampaignForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                actor=request.user,
                name=data["name"],
                short_name=data["short_name"],
                office_unit=data["office_unit"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                description=data["description"],
                tracks=data["tracks"],
                notice_prefix=data["notice_prefix"],
                blue_working_days=data["blue_working_days"],
                yellow_lag_percent=data["yellow_lag_percent"],
                sign_working_days=data["sign_working_days"],
                reply_working_days=data["reply_working_days"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("专项行动已创建。"))
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
    return render(
        request, "campaigns/campaign_form.html", {"form": form, "title": _("新建专项行动")}
    )


@login_required
def campaign_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    manage = can_manage_campaign(request.user, campaign)
    live_children = Q(children__deleted_at__isnull=True) & ~Q(children__state=S.WITHDRAWN)
    plans = list(
        visible_tasks(request.user)
        .filter(campaign=campaign, parent__isnull=True)
        .select_related("track")
        .annotate(unit_count=Count("children", filter=live_children))
        .order_by("track__sort_order", "deadline", "id")
    )
    tracks = []
    for track in campaign.tracks.all():
        tracks.append((track, [plan for plan in plans if plan.track_id == track.pk]))
    untracked = [plan for plan in plans if plan.track_id is None]
    unit_tasks = []
    if not manage:
        unit_tasks = list(
            visible_tasks(request.user)
            .filter(campaign=campaign, unit__isnull=False, parent__unit__isnull=True)
            .select_related("unit", "owner", "track")
            .order_by("deadline", "id")
        )
    deleted = []
    if manage:
        deleted = list(
            Task.objects.filter(campaign=campaign, parent__isnull=True, deleted_at__isnull=False)
            .filter(visible_tasks_q(request.user))
            .order_by("-deleted_at")
        )
    context = {
        "campaign": campaign,
        "manage": manage,
        "can_create_task": can_create_task(request.user, campaign),
        "leading_group": campaign.leading_group.select_related("person"),
        "tracks": tracks,
        "untracked": untracked,
        "unit_tasks": unit_tasks,
        "deleted": deleted,
        "track_form": f.TrackForm(),
    }
    return render(request, "campaigns/campaign_detail.html", context)


@login_required
def campaign_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, write=True)
    form = f.CampaignForm(request.POST or None, instance=campaign, creating=False)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.update_campaign(actor=request.user, campaign=campaign, **values)
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "title": _("修改专项行动")},
    )


@login_required
def track_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, write=True)
    form = f.TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_track(
                actor=request.user,
                campaign=campaign,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已添加方向。"))
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
    return render(request, "campaigns/track_form.html", {"form": form, "campaign": campaign})


@login_required
def leading_group_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, write=True)
    people = selectors.people_in_scope(request.user)
    current = campaign.leading_group.select_related("person")
    initial = [{"person": m.person, "seat": m.seat, "title": m.title} for m in current]
    data: QueryDict | None = request.POST or None
    adding = data is not None and "add_rows" in data
    if data is not None and adding:
        # "再加三行" without JavaScript: the same input comes back with three empty rows more.
        data = data.copy()
        given = data.get("lg-TOTAL_FORMS", "0")
        total = min(int(given) if given.isdigit() else 0, 200)
        for index in range(total, total + 3):
            data[f"lg-{index}-seat"] = LeadingGroupMember.Seat.MEMBER
        data["lg-TOTAL_FORMS"] = str(total + 3)
    formset = f.LeadingGroupFormSet(
        data, initial=initial, form_kwargs={"people": people}, prefix="lg"
    )
    if data is not None and not adding and formset.is_valid():
        try:
            services.set_leading_group(
                actor=request.user, campaign=campaign, members=formset.members()
            )
        except ValidationError as error:
            # Django's formsets keep these in _non_form_errors; django-stubs leaves it out.
            formset._non_form_errors = formset.error_class(list(error.messages))  # type: ignore[attr-defined]
        else:
            messages.success(request, _("领导小组已保存。"))
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/leading_group_form.html",
        {"formset": formset, "campaign": campaign},
    )


# --- Task breakdown ------------------------------------------------------------------------------


def _estimated_years_notice() -> list[int]:
    today = timezone.localdate()
    return load_calendar().estimated_years([today.year, today.year + 1])


@login_required
def task_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    require_perm(request.user, "task.issue", campaign.office_unit)
    initial = {"track": request.GET.get("track")} if request.GET.get("track") else None
    form = f.TaskForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.create_task(
                actor=request.user,
                campaign=campaign,
                title=data["title"],
                track=data["track"],
                description=data["description"],
                expected_evidence=data["expected_evidence"],
                priority=data["priority"],
                kind=data["kind"],
                start_date=data["start_date"],
                deadline=data["deadline"],
                deadline_working_days=data["deadline_working_days"],
                milestones=data["milestones"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("任务已加入任务分解，可以下发给责任单位。"))
            return redirect("campaigns:task-detail", pk=task.pk)
    return render(
        request,
        "campaigns/task_form.html",
        {
            "form": form,
            "campaign": campaign,
            "title": _("新建任务"),
            "estimated_years": _estimated_years_notice(),
        },
    )


@login_required
def task_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk, write=True)
    initial = {
        "track": task.track_id,
        "title": task.title,
        "description": task.description,
        "expected_evidence": task.expected_evidence,
        "priority": task.priority,
        "kind": task.kind,
        "start_date": task.start_date,
        "deadline": task.deadline,
        "version": task.version,
    }
    form = f.TaskEditForm(request.POST or None, campaign=task.campaign, initial=initial)
    conflicts = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(
                actor=request.user,
                task=task,
                version=form.cleaned_data["version"],
                values=form.values(),
            )
        except services.StaleEdit as error:
            track_names = dict(task.campaign.tracks.values_list("pk", "name"))
            conflicts = selectors.describe_conflicts(error.changes, track_names)
            messages.error(request, error.messages[0])
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("任务已保存。"))
            return redirect("campaigns:task-detail", pk=task.pk)
    return render(
        request,
        "campaigns/task_form.html",
        {
            "form": form,
            "campaign": task.campaign,
            "task": task,
            "title": _("修改任务"),
            "conflicts": conflicts,
            "current": task,
        },
    )


@login_required
def task_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    require_perm(request.user, "task.issue", task.campaign.office_unit)
    if not task.is_plan:
        messages.error(request, _("只能从任务分解中下发任务；单位任务请使用“分解”。"))
        return redirect("campaigns:task-detail", pk=task.pk)
    units = units_for_picker(request.user, "task.issue").order_by("path")
    form = f.IssueForm(request.POST or None, units=units)
    issued = frozenset(task.children.alive().values_list("unit_id", flat=True))
    if request.method == "POST" and form.is_valid():
        try:
            children = services.issue_task(
                actor=request.user,
                task=task,
                units=form.chosen(skip=issued),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已下发给 %(n)d 个责任单位。") % {"n": len(children)})
            return redirect("campaigns:task-detail", pk=task.pk)
    checked = set(request.POST.getlist("units")) if request.method == "POST" else set()
    rows = selectors.issue_rows(list(units), checked=checked, issued=issued)
    return render(
        request,
        "campaigns/task_issue.html",
        {
            "task": task,
            "form": form,
            "rows": rows,
            "estimated_years": _estimated_years_notice() if task.deadline_working_days else [],
        },
    )


# --- 问责方式 (accountability kinds) -----------------------------------------------------------------


@login_required
def accountability_kind_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "campaign.manage")
    kinds = AccountabilityKind.objects.annotate(used=Count("accountabilityaction")).order_by(
        "severity", "id"
    )
    text = request.GET.get("q", "").strip()
    if text:
        kinds = kinds.filter(name__icontains=text)
    active = request.GET.get("active", "")
    if active in ("1", "0"):
        kinds = kinds.filter(is_active=active == "1")
    if wants_xlsx(request):
        status = {"1": _("启用"), "0": _("停用")}.get(active, "")
        return serve_export(
            actor=request.user,
            object_type="campaigns.accountabilitykind",
            title=_("问责方式"),
            headers=exports.accountability_kind_headers(),
            rows=exports.accountability_kind_rows(kinds),
            filters=[
                _("名称包含：%(q)s") % {"q": text} if text else "",
                _("状态：%(status)s") % {"status": status} if status else "",
            ],
        )
    return render(
        request,
        "campaigns/accountability_kind_list.html",
        {"kinds": list(kinds), "q": text, "active": active},
    )


@login_required
def accountability_kind_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "campaign.manage")
    form = f.AccountabilityKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.create_accountability_kind(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已添加问责方式“%(name)s”。") % {"name": kind.name})
            return redirect("campaigns:accountability-kind-list")
    return render(
        request,
        "campaigns/accountability_kind_form.html",
        {"form": form, "title": _("新增问责方式")},
    )


@login_required
def accountability_kind_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    kind = get_accountability_kind_for_user(request.user, pk, write=True)
    initial = {
        "name": kind.name,
        "severity": kind.severity,
        "score_deduction": kind.score_deduction,
    }
    form = f.AccountabilityKindForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_accountability_kind(actor=request.user, kind=kind, **form.cleaned_data)
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("campaigns:accountability-kind-list")
    return render(
        request,
        "campaigns/accountability_kind_form.html",
        {"form": form, "kind": kind, "title": _("修改问责方式")},
    )


@login_required
@require_POST
def accountability_kind_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """停用 or 启用: a kind is never deleted, since accountability records refer to it."""
    kind = get_accountability_kind_for_user(request.user, pk, write=True)
    activate = request.POST.get("active") == "1"
    try:
        services.update_accountability_kind(actor=request.user, kind=kind, is_active=activate)
    except ValidationError as error:
        messages.error(request, " ".join(list(error.messages)))
        return redirect("campaigns:accountability-kind-list")
    if activate:
        messages.success(request, _("问责方式“%(name)s”已启用。") % {"name": kind.name})
    else:
        messages.success(
            request,
            _("问责方式“%(name)s”已停用，登记问责时不再提供；已有记录不受影响。")
            % {"name": kind.name},
        )
    return redirect("campaigns:accountability-kind-list")
