"""One record: recording it (the form by type), editing, the detail page, delete and restore,
the participants' correction."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.params import parse_int
from luoshi.org.access import (
    has_perm,
    require_perm,
    scope_for,
)

from .. import forms as f
from .. import hooks, qr, selectors, services
from ..access import can_edit_activity, get_activity_for_user, recordable_types


@login_required
def activity_record(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    types = list(recordable_types(request.user))
    type_id = parse_int(request.POST.get("type") or request.GET.get("type"))
    activity_type = next((t for t in types if t.pk == type_id), None)
    if activity_type is None:
        return render(request, "ledgers/record_pick.html", {"types": types})
    from ..access import recording_units

    units = list(recording_units(request.user).order_by("path")[:2])
    initial: dict[str, Any] = {
        "starts_at": timezone.localtime().replace(second=0, microsecond=0),
        "unit": units[0].pk if units else None,
    }
    if activity_type.is_personal:
        initial["participants"] = [request.user.pk]
    if activity_type.campaign_id:
        initial["campaigns"] = [activity_type.campaign_id]
    form = f.ActivityForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        activity_type=activity_type,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.record_activity(
                actor=request.user,
                activity_type=activity_type,
                unit=data["unit"],
                title=data.get("title", ""),
                starts_at=data["starts_at"],
                ends_at=data.get("ends_at"),
                place=data.get("place", ""),
                parts=form.part_values(),
                venue_category=data.get("venue_category", ""),
                audience=data.get("audience"),
                hours=data.get("hours"),
                values=form.extra_values(),
                value_files=form.extra_files(),
                notes=data.get("notes", ""),
                evidence_task=data.get("evidence_task"),
                # nothing ticked: the type's own campaign
                campaigns=list(data.get("campaigns") or []) or None,
                participants=form.chosen_participants(request.user),
                uploads=request.FILES.getlist("files"),
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已登记“%(title)s”。") % {"title": activity.title})
            return redirect("ledgers:activity-detail", activity.pk)
    return render(
        request,
        "ledgers/record_form.html",
        {"form": form, "activity_type": activity_type, "types": types},
    )


@login_required
def activity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, write=True)
    initial: dict[str, Any] = {
        name: getattr(activity, name)
        for name in ("title", "starts_at", "ends_at", "place", "venue_category", "audience")
    }
    initial.update(
        {
            "hours": activity.hours,
            "notes": activity.notes,
            "unit": activity.unit_id,
            "evidence_task": activity.evidence_task_id,
            "campaigns": list(activity.campaigns.values_list("pk", flat=True)),
            "starts_at": timezone.localtime(activity.starts_at),
        }
    )
    initial.update({part.name: part.current(activity) for part in hooks.RECORD_PARTS})
    if activity.ends_at:
        initial["ends_at"] = timezone.localtime(activity.ends_at)
    for key, value in activity.values.items():
        initial[f"x_{key}"] = value
    form = f.ActivityForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        activity_type=activity.type,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            key: data.get(key)
            for key in services.EDITABLE
            if key in form.fields and key not in ("checkin_opens_at", "checkin_closes_at")
        }
        try:
            services.update_activity(
                actor=request.user,
                activity=activity,
                values=form.extra_values(),
                value_files=form.extra_files(),
                campaigns=list(data.get("campaigns") or []),
                uploads=request.FILES.getlist("files"),
                parts=form.part_values(),
                **changes,
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledgers:activity-detail", activity.pk)
    return render(
        request,
        "ledgers/record_form.html",
        {"form": form, "activity_type": activity.type, "activity": activity},
    )


def _qr(url: str):
    return qr.svg(url, label=_("签到二维码"))


@login_required
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deleted = request.GET.get("deleted") == "1" and has_perm(request.user, "ledger.configure")
    activity = get_activity_for_user(request.user, pk, deleted=deleted)
    participants = selectors.activity_detail_participants(activity)
    may_edit = can_edit_activity(request.user, activity)
    if request.GET.get("part") == "participants":
        return render(
            request,
            "ledgers/_participants.html",
            {"activity": activity, "participants": participants},
        )
    form = None
    if may_edit and activity.type.takes_attendance:
        form = f.ParticipantsForm(
            user=request.user, initial={"participants": [p.person_id for p in participants]}
        )
    checkin_url = request.build_absolute_uri(
        reverse("ledgers:checkin") + f"?code={activity.checkin_code}"
    )
    return render(
        request,
        "ledgers/activity_detail.html",
        {
            "activity": activity,
            "participants": participants,
            "extra": selectors.extra_rows(activity),
            "attachments": selectors.attachments_of(activity),
            "campaigns": list(activity.campaigns.all()),
            "may_edit": may_edit,
            "may_restore": activity.deleted_at is not None
            and scope_for(request.user, "ledger.configure").contains(activity.unit),
            "participants_form": form,
            "checkin_open": bool(
                activity.checkin_opens_at
                and activity.checkin_closes_at
                and activity.checkin_opens_at <= timezone.now() <= activity.checkin_closes_at
            ),
            "checkin_url": checkin_url,
            "qr_svg": _qr(checkin_url) if activity.checkin_code else None,
        },
    )


@login_required
@require_POST
def activity_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    services.delete_activity(
        actor=request.user, activity=activity, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("已删除“%(title)s”，行动办可恢复。") % {"title": activity.title})
    return redirect("ledgers:activity-list")


@login_required
@require_POST
def activity_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, deleted=True)
    if not scope_for(request.user, "ledger.configure").contains(activity.unit):
        raise Http404  # deleted records are out of sight for everyone but the office
    services.restore_activity(actor=request.user, activity=activity)
    messages.success(request, _("已恢复“%(title)s”。") % {"title": activity.title})
    return redirect("ledgers:activity-detail", activity.pk)


@login_required
@require_POST
def activity_participants(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, write=True)
    form = f.ParticipantsForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("participants", []):
            messages.error(request, str(error))
        return redirect("ledgers:activity-detail", activity.pk)
    try:
        services.set_participants(
            actor=request.user, activity=activity, people=list(form.cleaned_data["participants"])
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("参加人员已更正。"))
    return redirect("ledgers:activity-detail", activity.pk)
