"""The task page with its actions along the chain (明责 → 履责 → 督责 → 考责 → 问责).

Views parse, fetch through the access helpers (404 outside scope), call one service and redirect.
The services check permissions (PermissionDenied → 403) and the chain's rules (IllegalMove →
a message on the task page); a refused form is shown again with the errors at its fields.
The page offers exactly the moves access.allowed_moves() returns, as the API does.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm, BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.accounts.models import User
from luoshi.files.models import Attachment
from luoshi.lib.docx import docx_response
from luoshi.workdays.selectors import load_calendar

from .. import access, selectors, services, warning_levels
from .. import forms as f
from ..access import get_task_for_user
from ..documents import notice_filename
from ..models import Task

ActionForm = BaseForm | BaseFormSet  # what a task action posts: a form, or the sub-task formset


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _refused_status(request: HttpRequest) -> int:
    """400 for a refused form; 200 for htmx, which only swaps successful responses in, so the
    boosted action panels show the errors at their fields too."""
    return 200 if getattr(request, "htmx", False) else 400


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for text in _messages_of(error):
        messages.error(request, text)


# --- The task page -------------------------------------------------------------------------------


def post_action(task_of: Callable[[AuthenticatedRequest, int], int] | None = None):
    """A task action (a form on the task page) answers POST. A GET — the browser reloading the
    page a refused form was shown on — goes back to the task page instead of a bare 405;
    `task_of(request, pk)` names the task when `pk` is not the task's (a notice, a milestone)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: AuthenticatedRequest, pk: int) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                task_id = (
                    task_of(request, pk) if task_of else get_task_for_user(request.user, pk).pk
                )
                return redirect("campaigns:task-detail", pk=task_id)
            return require_POST(view)(request, pk)

        return wrapper

    return decorate


def _notice_task(request: AuthenticatedRequest, pk: int) -> int:
    return access.get_notice_for_user(request.user, pk).task_id


def _milestone_task(request: AuthenticatedRequest, pk: int) -> int:
    return access.get_milestone_for_user(request.user, pk).task_id


def _action_forms(request: HttpRequest, task: Task, can: dict) -> dict[str, ActionForm]:
    calendar_today = timezone.localdate()
    forms_: dict[str, ActionForm] = {}
    members = selectors.unit_members(task) if task.unit_id else User.objects.none()
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
    if can["delete"]:
        forms_["delete"] = f.ReasonForm()
    if can["milestone"]:
        forms_["milestone"] = f.MilestoneForm()
    return forms_


def _render_task(
    request: AuthenticatedRequest,
    task: Task,
    bound: dict[str, ActionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    calendar = load_calendar()
    assessment = (
        warning_levels.assess(task, campaign=task.campaign, today=today, calendar=calendar)
        if not task.is_plan
        else None
    )
    # The badge shows today's computed warning, not the copy the daily job stored for lists.
    level = assessment.level if assessment is not None else task.warning
    can = access.move_flags(user, task)
    action_forms = _action_forms(request, task, can)
    # A refused form comes back with its errors only while the move is still allowed: the page
    # never offers a move access.allowed_moves() does not return (a stale page's post after the
    # task has moved on).
    action_forms.update({name: form for name, form in (bound or {}).items() if can[name]})
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
    scheduled = warning_levels.scheduled_percent(task, today) if not task.is_plan else None
    events = list(task.events.select_related("actor"))
    track_names = dict(task.campaign.tracks.values_list("pk", "name"))
    for event in events:
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        event.change_rows = selectors.change_rows(changes, track_names)
    context = {
        "task": task,
        # a sub-task's owner may not see the task it was broken out of: its name, not a link
        "parent_visible": task.parent_id is not None
        and access.visible_tasks(user).filter(pk=task.parent_id).exists(),
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
def task_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_task(request, get_task_for_user(request.user, pk))


def _act(
    request: AuthenticatedRequest,
    pk: int,
    name: str,
    make_form: Callable[[Task], ActionForm],
    run: Callable[[Task, Any], str],
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
        return _render_task(request, task, {name: form}, status=_refused_status(request))
    try:
        message = run(task, form)
    except services.IllegalMove as error:
        _flash(request, error)
        return redirect("campaigns:task-detail", pk=task.pk)
    except ValidationError as error:
        if isinstance(form, f.forms.BaseFormSet):
            # Django's formsets keep these in _non_form_errors; django-stubs leaves it out.
            form._non_form_errors = form.error_class(_messages_of(error))  # type: ignore[attr-defined]
        else:
            f.add_service_errors(form, error, default_field=default_field)
        fresh = get_task_for_user(request.user, pk)
        return _render_task(request, fresh, {name: form}, status=_refused_status(request))
    if message:
        messages.success(request, message)
    return redirect("campaigns:task-detail", pk=task.pk)


@login_required
@post_action()
def task_sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.sign_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        return _("已签收。")

    return _act(request, pk, "sign", lambda task: f.NoteForm(request.POST), run)


@login_required
@post_action()
def task_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
        lambda task: f.AssignForm(request.POST, members=selectors.unit_members(task)),
        run,
        default_field="owner",
    )


@login_required
@post_action()
def task_decompose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
            request.POST, form_kwargs={"members": selectors.unit_members(task)}, prefix="sub"
        ),
        run,
    )


@login_required
@post_action()
def task_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
@post_action()
def task_verify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
@post_action()
def task_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.close_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        return _("已销号。")

    return _act(request, pk, "close", lambda task: f.NoteForm(request.POST), run)


@login_required
@post_action()
def task_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.withdraw_task(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        return _("已撤回。")

    return _act(request, pk, "withdraw", lambda task: f.ReasonForm(request.POST), run)


@login_required
@post_action()
def notice_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
@post_action(_notice_task)
def notice_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notice = access.get_notice_for_user(request.user, pk)

    def run(task, form):
        services.reply_notice(actor=request.user, notice=notice, reply=form.cleaned_data["reply"])
        return _("已回复督办单 %(number)s。") % {"number": notice.number}

    return _act(request, notice.task_id, "reply", lambda task: f.ReplyForm(request.POST), run)


@login_required
def notice_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The printable 督办单 (Word), for whoever sees the notice's task."""
    notice = access.get_notice_for_user(request.user, pk)
    content = services.export_notice_document(actor=request.user, notice=notice)
    return docx_response(content, notice_filename(notice))


@login_required
@post_action()
def task_remind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(task, form):
        sent = services.remind_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        return _("已催办，通知 %(n)d 人。") % {"n": len(sent)}

    return _act(request, pk, "remind", lambda task: f.NoteForm(request.POST), run)


@login_required
@post_action()
def accountability_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
        lambda task: f.AccountabilityForm(
            request.POST, request.FILES, members=selectors.unit_members(task)
        ),
        run,
        default_field="document",
    )


@login_required
@post_action()
def task_comment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.comment_task(actor=request.user, task=task, text=form.cleaned_data["text"])
        return _("批示已发送。")

    return _act(request, pk, "comment", lambda task: f.CommentForm(request.POST), run)


@login_required
@post_action()
def milestone_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(task, form):
        services.create_milestone(
            actor=request.user,
            task=task,
            title=form.cleaned_data["title"],
            due_date=form.cleaned_data["due_date"],
        )
        return _("已添加里程碑。")

    return _act(request, pk, "milestone", lambda task: f.MilestoneForm(request.POST), run)


@login_required
@post_action(_milestone_task)
def milestone_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    milestone = access.get_milestone_for_user(request.user, pk)
    services.set_milestone_done(
        actor=request.user, milestone=milestone, done=request.POST.get("done") == "1"
    )
    return redirect("campaigns:task-detail", pk=milestone.task_id)


def _after_delete(task: Task) -> HttpResponse:
    if task.parent_id:
        return redirect("campaigns:task-detail", pk=task.parent_id)
    return redirect("campaigns:campaign-detail", pk=task.campaign_id)


@login_required
@post_action()
def task_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, {"delete": form}, status=_refused_status(request))
    try:
        services.delete_task(actor=request.user, task=task, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _flash(request, error)
        return redirect("campaigns:task-detail", pk=task.pk)
    messages.success(request, _("任务“%(title)s”已删除，可在原处恢复。") % {"title": task.title})
    return _after_delete(task)


@login_required
@post_action()
def task_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = access.get_restorable_task_for_user(request.user, pk)
    if task.deleted_at is None:
        raise Http404  # the page offers restoring on deleted tasks only
    try:
        services.restore_task(actor=request.user, task=task)
    except ValidationError as error:
        _flash(request, error)
        return _after_delete(task)
    messages.success(request, _("任务“%(title)s”已恢复。") % {"title": task.title})
    return redirect("campaigns:task-detail", pk=task.pk)
