"""The task page with its actions along the chain, and the campaign set-up pages.

Views parse, fetch through the access helpers (404 outside scope), call one service and redirect.
The services check permissions (PermissionDenied → 403) and the chain's rules (IllegalMove →
a message on the task page); a refused form is shown again with the errors at its fields.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from luoshi.accounts.models import User
from luoshi.files.models import Attachment
from luoshi.lib.workdays import load_calendar
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import has_perm, require_perm, scope_for, units_for_picker

from . import forms as f
from . import services, warnings
from .access import (
    can_manage_campaign,
    get_campaign_for_user,
    get_task_for_user,
    visible_tasks,
    visible_tasks_q,
)
from .models import (
    OPEN_STATES,
    HolidayYear,
    Milestone,
    SupervisionNotice,
    Task,
    TaskState,
)

S = TaskState


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for text in _messages_of(error):
        messages.error(request, text)


# --- Campaign set-up -----------------------------------------------------------------------------


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
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
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
        "can_create_task": has_perm(request.user, "task.issue", campaign.office_unit),
        "leading_group": campaign.leading_group.select_related("person"),
        "tracks": tracks,
        "untracked": untracked,
        "unit_tasks": unit_tasks,
        "deleted": deleted,
        "track_form": f.TrackForm(),
    }
    return render(request, "campaigns/campaign_detail.html", context)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, manage=True)
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
def track_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, manage=True)
    form = f.TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_track(
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


def _people_in_scope(user) -> "list[User] | object":
    """People the user may pick: members of units in their person.view scope."""
    scope = scope_for(user, "person.view")
    people = User.objects.filter(is_active=True, deleted_at__isnull=True)
    if not scope.everything:
        units = units_for_picker(user, "person.view")
        people = people.filter(memberships__unit__in=units)
    return people.distinct().order_by("name", "id")


@login_required
def leading_group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, manage=True)
    people = _people_in_scope(request.user)
    current = campaign.leading_group.select_related("person")
    initial = [{"person": m.person, "seat": m.seat, "title": m.title} for m in current]
    formset = f.LeadingGroupFormSet(
        request.POST or None, initial=initial, form_kwargs={"people": people}, prefix="lg"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.set_leading_group(
                actor=request.user, campaign=campaign, members=formset.members()
            )
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(_messages_of(error))
        else:
            messages.success(request, _("领导小组已保存。"))
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/leading_group_form.html",
        {"formset": formset, "campaign": campaign, "picker_url": _person_picker_url()},
    )


def _person_picker_url() -> str:
    """The organisation's person search, when that app provides it (a plain select otherwise)."""
    try:
        return reverse("org:person-picker") + "?perm=person.view"
    except NoReverseMatch:
        return ""


# --- Task breakdown ------------------------------------------------------------------------------


def _estimated_years_notice() -> list[int]:
    today = timezone.localdate()
    return load_calendar().estimated_years([today.year, today.year + 1])


@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
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


EDIT_LABELS = {
    "title": _lazy("任务名称"),
    "description": _lazy("任务要求"),
    "expected_evidence": _lazy("佐证材料要求"),
    "priority": _lazy("优先级"),
    "track_id": _lazy("方向"),
    "start_date": _lazy("开始日期"),
    "deadline": _lazy("完成时限"),
    "kind": _lazy("类型"),
}


def _shown(name: str, value, track_names: dict[int, str]):
    """An edited field's stored value as people read it (names instead of ids and codes)."""
    if value in (None, ""):
        return value
    try:
        if name == "track_id":
            return track_names.get(int(value), value)
        if name == "priority":
            return Task.Priority(int(value)).label
        if name == "kind":
            return Task.Kind(value).label
    except ValueError:
        pass
    return value


def _change_rows(changes: dict, track_names: dict[int, str]) -> list[tuple]:
    return [
        (
            str(EDIT_LABELS.get(name, name)),
            _shown(name, pair[0], track_names),
            _shown(name, pair[1], track_names),
        )
        for name, pair in (changes or {}).items()
    ]


def _describe_conflicts(changes: list[dict], track_names: dict[int, str]) -> list[dict]:
    """StaleEdit's changes, with field labels, for the page."""
    return [
        {
            "actor": change["actor"],
            "at": change["at"],
            "fields": [
                {"label": label, "before": before, "after": after}
                for label, before, after in _change_rows(change["changes"], track_names)
            ],
        }
        for change in changes
    ]


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    if not services.can_edit_task(request.user, task):
        raise PermissionDenied
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
            conflicts = _describe_conflicts(error.changes, track_names)
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


@dataclass
class UnitRow:
    unit: object
    indent: int
    has_children: bool
    checked: bool
    issued: bool


@login_required
def task_issue(request: HttpRequest, pk: int) -> HttpResponse:
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
    unit_list = list(units)
    checked = {str(v) for v in (request.POST.getlist("units") if request.method == "POST" else [])}
    parent_ids = {unit.parent_id for unit in unit_list}
    base = min((unit.depth for unit in unit_list), default=0)
    rows = [
        UnitRow(
            unit=unit,
            indent=unit.depth - base,
            has_children=unit.pk in parent_ids,
            checked=str(unit.pk) in checked,
            issued=unit.pk in issued,
        )
        for unit in unit_list
    ]
    return render(
        request,
        "campaigns/task_issue.html",
        {"task": task, "form": form, "rows": rows},
    )


# --- The task page -------------------------------------------------------------------------------


def _unit_members(task: Task):
    return (
        User.objects.filter(memberships__unit=task.unit, is_active=True, deleted_at__isnull=True)
        .distinct()
        .order_by("name", "id")
    )


def allowed_moves(user, task: Task) -> dict[str, bool]:
    """Which action forms the page shows: the service's own permission plus the chain's state."""
    unit = task.unit
    plan = task.is_plan
    top_unit_task = not plan and (task.parent is None or task.parent.unit_id is None)
    open_ = task.state in OPEN_STATES
    return {
        "edit": services.can_edit_task(user, task),
        "issue": plan
        and task.state in (S.DRAFT, S.ISSUED)
        and has_perm(user, "task.issue", task.campaign.office_unit),
        "sign": not plan and task.state == S.ISSUED and has_perm(user, "task.sign", unit),
        "assign": top_unit_task
        and task.state in (S.SIGNED, S.IN_PROGRESS)
        and has_perm(user, "task.assign", unit),
        "decompose": top_unit_task
        and task.state in (S.SIGNED, S.IN_PROGRESS)
        and has_perm(user, "task.assign", unit),
        "report": not plan and task.state == S.IN_PROGRESS and services.can_report(user, task),
        "verify": not plan and task.state == S.SUBMITTED and has_perm(user, "task.verify", unit),
        "close": not plan and task.state == S.VERIFIED and has_perm(user, "task.verify", unit),
        "withdraw": not plan
        and task.state == S.ISSUED
        and has_perm(user, "task.issue", task.campaign.office_unit),
        "notice": not plan
        and task.state in (*OPEN_STATES, S.SUBMITTED)
        and has_perm(user, "task.supervise", unit),
        "reply": not plan and (task.owner_id == user.pk or has_perm(user, "task.reply", unit)),
        "remind": not plan and open_ and has_perm(user, "task.remind", unit),
        "accountability": not plan
        and (task.warning == "red" or task.returned_count > 0)
        and has_perm(user, "task.hold_accountable", unit),
        "comment": has_perm(user, "task.comment", unit or task.campaign.office_unit),
        "milestone": services.can_edit_task(user, task)
        or (not plan and services.can_report(user, task)),
    }


def _action_forms(request: HttpRequest, task: Task, can: dict) -> dict:
    calendar_today = timezone.localdate()
    forms_ = {}
    members = _unit_members(task) if task.unit_id else User.objects.none()
    if can["sign"]:
        forms_["sign"] = f.NoteForm()
    if can["assign"]:
        forms_["assign"] = f.AssignForm(members=members, initial={"owner": task.owner_id})
    if can["decompose"]:
        forms_["decompose"] = f.SubTaskFormSet(form_kwargs={"members": members}, prefix="sub")
    if can["report"]:
        forms_["report"] = f.ReportForm(initial={"percent": task.progress})
    if can["verify"]:
        forms_["verify"] = f.VerifyForm()
    if can["close"]:
        forms_["close"] = f.NoteForm()
    if can["withdraw"]:
        forms_["withdraw"] = f.ReasonForm()
    if can["notice"]:
        reply_by = load_calendar().add_working_days(
            calendar_today, task.campaign.reply_working_days
        )
        forms_["notice"] = f.NoticeForm(initial={"reply_deadline": reply_by})
    if can["reply"]:
        forms_["reply"] = f.ReplyForm()
    if can["remind"]:
        forms_["remind"] = f.NoteForm()
    if can["accountability"]:
        forms_["accountability"] = f.AccountabilityForm(members=members)
    if can["comment"]:
        forms_["comment"] = f.CommentForm()
    if can["edit"]:
        forms_["delete"] = f.ReasonForm()
    if can["milestone"] and can["edit"]:
        forms_["milestone"] = f.MilestoneForm()
    return forms_


def _render_task(
    request: HttpRequest, task: Task, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    calendar = load_calendar()
    assessment = (
        warnings.assess(task, campaign=task.campaign, today=today, calendar=calendar)
        if not task.is_plan
        else None
    )
    # The badge shows today's computed warning, not the copy the daily job stored for lists.
    level = assessment.level if assessment is not None else task.warning
    can = allowed_moves(user, task)
    action_forms = _action_forms(request, task, can)
    action_forms.update(bound or {})
    children = list(
        task.children.alive()
        .select_related("unit", "owner")
        .order_by("unit__path", "deadline", "id")
    )
    deleted_children = []
    if can["edit"] or can["decompose"]:
        deleted_children = list(
            task.children.filter(deleted_at__isnull=False).select_related("unit", "owner")
        )
    reports = list(
        task.reports.select_related("author").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
        )
    )
    notices = list(task.notices.select_related("issued_by", "replied_by"))
    actions = list(
        task.accountability_actions.select_related(
            "kind", "unit", "person", "recorded_by"
        ).prefetch_related("attachments")
    )
    scheduled = warnings.scheduled_percent(task, today) if not task.is_plan else None
    events = list(task.events.select_related("actor"))
    track_names = dict(task.campaign.tracks.values_list("pk", "name"))
    for event in events:
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        event.change_rows = _change_rows(changes, track_names)
    context = {
        "task": task,
        "campaign": task.campaign,
        "assessment": assessment,
        "level": level,
        "scheduled": scheduled,
        "lag": (scheduled - task.progress) if scheduled is not None else 0,
        "children": children,
        "deleted_children": deleted_children,
        "reports": reports,
        "notices": notices,
        "accountability": actions,
        "milestones": list(task.milestones.all()),
        "events": events,
        "can": can,
        "forms": action_forms,
        "today": today,
        "estimated": task.deadline and calendar.is_estimated(task.deadline.year),
    }
    return render(request, "campaigns/task_detail.html", context, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_task(request, get_task_for_user(request.user, pk))


def _act(
    request: HttpRequest,
    pk: int,
    name: str,
    make_form: Callable[[Task], object],
    run: Callable[[Task, object], str],
    *,
    default_field: str | None = None,
) -> HttpResponse:
    """The shape of every action: fetch in scope, validate, call the service, redirect.

    PermissionDenied from the service becomes a 403; IllegalMove a message; any other
    ValidationError is shown at the form's fields on the task page, with nothing saved.
    """
    task = get_task_for_user(request.user, pk)
    form = make_form(task)
    if not form.is_valid():
        return _render_task(request, task, {name: form}, status=400)
    try:
        message = run(task, form)
    except services.IllegalMove as error:
        _flash(request, error)
        return redirect("campaigns:task-detail", pk=task.pk)
    except ValidationError as error:
        if isinstance(form, f.forms.BaseFormSet):
            form._non_form_errors = form.error_class(_messages_of(error))
        else:
            f.add_service_errors(form, error, default_field)
        fresh = get_task_for_user(request.user, pk)
        return _render_task(request, fresh, {name: form}, status=400)
    if message:
        messages.success(request, message)
    return redirect("campaigns:task-detail", pk=task.pk)


@login_required
@require_POST
def task_sign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.sign_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        return _("已签收。")

    return _act(request, pk, "sign", lambda task: f.NoteForm(request.POST), run)


@login_required
@require_POST
def task_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.assign_task(
            actor=request.user,
            task=task,
            owner=form.cleaned_data["owner"],
            note=form.cleaned_data["note"],
        )
        return _("已确定责任人：%(name)s") % {"name": form.cleaned_data["owner"].name}

    return _act(
        request,
        pk,
        "assign",
        lambda task: f.AssignForm(request.POST, members=_unit_members(task)),
        run,
        default_field="owner",
    )


@login_required
@require_POST
def task_decompose(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, formset):
        items = [
            services.SubTaskSpec(
                title=row.cleaned_data["title"],
                owner=row.cleaned_data["owner"],
                deadline=row.cleaned_data.get("deadline"),
            )
            for row in formset.forms
            if row.cleaned_data.get("title")
        ]
        subtasks = services.decompose_task(actor=request.user, task=task, items=items)
        return _("已分解为 %(n)d 项子任务。") % {"n": len(subtasks)}

    return _act(
        request,
        pk,
        "decompose",
        lambda task: f.SubTaskFormSet(
            request.POST, form_kwargs={"members": _unit_members(task)}, prefix="sub"
        ),
        run,
    )


@login_required
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        data = form.cleaned_data
        services.report_progress(
            actor=request.user,
            task=task,
            percent=data["percent"],
            text=data["text"],
            files=data["files"],
            links=data["links"],
            complete=data["complete"],
        )
        return _("已报送办结，等待行动办复核。") if data["complete"] else _("进度已填报。")

    return _act(
        request,
        pk,
        "report",
        lambda task: f.ReportForm(request.POST, request.FILES),
        run,
        default_field="files",
    )


@login_required
@require_POST
def task_verify(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        data = form.cleaned_data
        passed = data["decision"] == f.VerifyForm.PASS
        services.verify_task(
            actor=request.user,
            task=task,
            passed=passed,
            quality=data["quality"],
            reason=data["reason"],
        )
        return _("复核通过。") if passed else _("已退回，责任单位将重新办理。")

    return _act(request, pk, "verify", lambda task: f.VerifyForm(request.POST), run)


@login_required
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.close_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        return _("已销号。")

    return _act(request, pk, "close", lambda task: f.NoteForm(request.POST), run)


@login_required
@require_POST
def task_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.withdraw_task(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        return _("已撤回。")

    return _act(request, pk, "withdraw", lambda task: f.ReasonForm(request.POST), run)


@login_required
@require_POST
def notice_create(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        notice = services.issue_notice(
            actor=request.user,
            task=task,
            content=form.cleaned_data["content"],
            reply_deadline=form.cleaned_data["reply_deadline"],
        )
        return _("已下发督办单 %(number)s。") % {"number": notice.number}

    return _act(request, pk, "notice", lambda task: f.NoticeForm(request.POST), run)


@login_required
@require_POST
def notice_reply(request: HttpRequest, pk: int) -> HttpResponse:
    notice = (
        SupervisionNotice.objects.filter(pk=pk, task__in=visible_tasks(request.user))
        .select_related("task")
        .first()
    )
    if notice is None:
        raise Http404

    def run(task, form):
        services.reply_notice(actor=request.user, notice=notice, reply=form.cleaned_data["reply"])
        return _("已回复督办单 %(number)s。") % {"number": notice.number}

    return _act(request, notice.task_id, "reply", lambda task: f.ReplyForm(request.POST), run)


@login_required
@require_POST
def task_remind(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        sent = services.remind_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        return _("已催办，通知 %(n)d 人。") % {"n": len(sent)}

    return _act(request, pk, "remind", lambda task: f.NoteForm(request.POST), run)


@login_required
@require_POST
def accountability_create(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        data = form.cleaned_data
        services.record_accountability(
            actor=request.user,
            task=task,
            kind=data["kind"],
            reason=data["reason"],
            unit=task.unit if data["target_unit"] else None,
            person=data["person"],
            document_number=data["document_number"],
            document=data["document"],
        )
        return _("问责记录已登记。")

    return _act(
        request,
        pk,
        "accountability",
        lambda task: f.AccountabilityForm(request.POST, request.FILES, members=_unit_members(task)),
        run,
        default_field="document",
    )


@login_required
@require_POST
def task_comment(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.comment_task(actor=request.user, task=task, text=form.cleaned_data["text"])
        return _("批示已发送。")

    return _act(request, pk, "comment", lambda task: f.CommentForm(request.POST), run)


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.add_milestone(
            actor=request.user,
            task=task,
            title=form.cleaned_data["title"],
            due_date=form.cleaned_data["due_date"],
        )
        return _("已添加里程碑。")

    return _act(request, pk, "milestone", lambda task: f.MilestoneForm(request.POST), run)


@login_required
@require_POST
def milestone_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = (
        Milestone.objects.filter(pk=pk, task__in=visible_tasks(request.user))
        .select_related("task")
        .first()
    )
    if milestone is None:
        raise Http404
    services.set_milestone_done(
        actor=request.user, milestone=milestone, done=request.POST.get("done") == "1"
    )
    return redirect("campaigns:task-detail", pk=milestone.task_id)


def _after_delete(task: Task) -> HttpResponse:
    if task.parent_id:
        return redirect("campaigns:task-detail", pk=task.parent_id)
    return redirect("campaigns:campaign-detail", pk=task.campaign_id)


@login_required
@require_POST
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, {"delete": form}, status=400)
    try:
        services.delete_task(actor=request.user, task=task, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _flash(request, error)
        return redirect("campaigns:task-detail", pk=task.pk)
    messages.success(request, _("任务“%(title)s”已删除，可在原处恢复。") % {"title": task.title})
    return _after_delete(task)


@login_required
@require_POST
def task_restore(request: HttpRequest, pk: int) -> HttpResponse:
    task = (
        Task.objects.filter(visible_tasks_q(request.user))
        .filter(pk=pk, deleted_at__isnull=False)
        .select_related("campaign", "campaign__office_unit", "unit", "parent")
        .first()
    )
    if task is None:
        raise Http404
    try:
        services.restore_task(actor=request.user, task=task)
    except ValidationError as error:
        _flash(request, error)
        return _after_delete(task)
    messages.success(request, _("任务“%(title)s”已恢复。") % {"title": task.title})
    return redirect("campaigns:task-detail", pk=task.pk)


# --- Holiday calendar ----------------------------------------------------------------------------


SOURCE_LABELS = {
    "entered": _lazy("已录入"),
    "package": _lazy("chinese-calendar 内置"),
    "weekends": _lazy("估算（仅按周末）"),
}


@login_required
def holiday_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "calendar.manage")
    wanted = request.GET.get("year", "")
    if wanted.isdigit() and 2000 <= int(wanted) <= 2100:
        return redirect("campaigns:holiday-edit", year=int(wanted))
    calendar = load_calendar()
    entered = {
        entry.year: entry
        for entry in HolidayYear.objects.select_related("entered_by").annotate(
            rest=Count("days", filter=Q(days__is_workday=False)),
            work=Count("days", filter=Q(days__is_workday=True)),
        )
    }
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 2, this_year + 3), *entered}, reverse=True)
    source_filter = request.GET.get("source", "")
    if source_filter in SOURCE_LABELS:
        years = [year for year in years if calendar.source(year) == source_filter]
    if request.GET.get("export") == "xlsx":
        title = _("节假日安排")
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        content = build_workbook(
            title=title,
            headers=[_("年份"), _("日期"), _("类型"), _("名称")],
            rows=services.holiday_export_rows(actor=request.user, years=years),
            notes=[
                _("导出时间：%(at)s；年份：%(years)s")
                % {"at": stamp, "years": "、".join(str(y) for y in years) or _("无")}
            ],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    rows = [
        {
            "year": year,
            "source": calendar.source(year),
            "label": SOURCE_LABELS[calendar.source(year)],
            "entry": entered.get(year),
        }
        for year in years
    ]
    return render(
        request,
        "campaigns/holiday_list.html",
        {
            "rows": rows,
            "estimated": calendar.estimated_years(years),
            "sources": SOURCE_LABELS,
            "source_filter": source_filter,
        },
    )


@login_required
def holiday_edit(request: HttpRequest, year: int) -> HttpResponse:
    require_perm(request.user, "calendar.manage")
    if not 2000 <= year <= 2100:
        raise Http404
    entry = HolidayYear.objects.filter(year=year).first()
    initial = {}
    if entry is not None:
        initial = {"source": entry.source, "lines": f.format_holiday_lines(entry.days.all())}
    form = f.HolidayYearForm(request.POST or None, year=year, initial=initial)
    if request.method == "POST" and form.is_valid():
        schedule = form.cleaned_data["lines"]
        try:
            services.set_holiday_year(
                actor=request.user,
                year=year,
                holidays=schedule.holidays,
                workdays=schedule.workdays,
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error, "lines")
        else:
            messages.success(
                request,
                _("%(year)d 年放假安排已保存：假日 %(rest)d 天，调休上班 %(work)d 天。")
                % {
                    "year": year,
                    "rest": len(schedule.holidays),
                    "work": len(schedule.workdays),
                },
            )
            return redirect("campaigns:holiday-list")
    source = load_calendar().source(year)
    return render(
        request,
        "campaigns/holiday_form.html",
        {"form": form, "year": year, "source": source, "source_label": SOURCE_LABELS[source]},
    )
