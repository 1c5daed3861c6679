"""Ledger pages: activity types (office), recording, the activity list and detail, check-in and
the ledger view (type × unit × month). Views parse, fetch through access helpers, call services."""

import datetime
import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.files.models import Attachment
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import (
    get_person_in_scope,
    get_unit_in_scope,
    has_perm,
    require_perm,
    scope_for,
)

from . import forms as f
from . import hooks, imports, qr, selectors, services
from .access import can_edit_activity, get_activity_for_user, get_type_for_user
from .models import Activity, ActivityType, Category, FieldKind

PAGE_SIZE = 50
UNIT_LIST_LIMIT = 100  # beyond this many units in reach, the unit filter searches


# --- Helpers --------------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


FILTER_KEYS = (
    *("type", "unit", "only", "from", "to", "category", "campaign", "q", "person"),
    *("field", "value", "commended"),
)  # and the record parts' names (hooks.RECORD_PARTS: the heritage site)
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")  # an extra field's key (see services.KEY_RE)


def _filter_from(request: AuthenticatedRequest) -> tuple[selectors.ActivityFilter, dict[str, str]]:
    """The list filters from GET; a unit outside the ledger.view scope is a 404."""
    get = request.GET
    unit = None
    unit_id = _int(get.get("unit"))
    if unit_id is not None:
        unit = get_unit_in_scope(request.user, unit_id, perm="ledger.view")
    category = get.get("category", "")
    field_key = get.get("field", "")
    person_id = _int(get.get("person"))
    if person_id is not None:
        get_person_in_scope(request.user, person_id, perm="ledger.view")
    flt = selectors.ActivityFilter(
        type_id=_int(get.get("type")),
        unit=unit,
        date_from=_date(get.get("from")),
        date_to=_date(get.get("to")),
        category=category if category in Category.values else "",
        campaign_id=_int(get.get("campaign")),
        text=get.get("q", "").strip(),
        unit_exact=get.get("only") == "1",
        person_id=person_id,
        parts={
            part.name: value
            for part in hooks.RECORD_PARTS
            if (value := _int(get.get(part.name))) is not None
        },
        field_key=field_key if FIELD_KEY.match(field_key) else "",
        field_value=get.get("value", "").strip()[:200],
        commended=get.get("commended") == "1",
    )
    keys = [*FILTER_KEYS, *(part.name for part in hooks.RECORD_PARTS)]
    params = {key: get.get(key, "") for key in keys if get.get(key)}
    return flt, params


def _filter_note(flt: selectors.ActivityFilter) -> str:
    parts = [_("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}]
    if flt.unit is not None:
        parts.append(_("单位：%(unit)s（含下级）") % {"unit": flt.unit.name})
    if flt.date_from or flt.date_to:
        parts.append(
            _("时间：%(a)s 至 %(b)s")
            % {"a": flt.date_from or _("不限"), "b": flt.date_to or _("不限")}
        )
    if flt.type_id:
        activity_type = ActivityType.objects.filter(pk=flt.type_id).first()
        parts.append(_("类型：%(t)s") % {"t": activity_type or "—"})
    if flt.category:
        parts.append(_("类别：%(c)s") % {"c": Category(flt.category).label})
    if flt.field_key and flt.field_value:
        parts.append(_("字段“%(k)s”为“%(v)s”") % {"k": flt.field_key, "v": flt.field_value})
    if flt.commended:
        parts.append(_("仅优秀"))
    return "；".join(str(part) for part in parts)


def _audit_export(request: AuthenticatedRequest, what: str, count: int, note: str) -> None:
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="ledgers.activity",
        object_repr=what,
        note=f"{note}；{count} 行",
    )


def _filter_context(request: AuthenticatedRequest, params: dict[str, str]) -> dict[str, Any]:
    from luoshi.campaigns.access import visible_campaigns
    from luoshi.org.access import units_for_picker

    units = list(
        units_for_picker(request.user, "ledger.view").order_by("path")[: UNIT_LIST_LIMIT + 1]
    )
    context: dict[str, Any] = {
        "params": params,
        "query": urlencode(params),
        "types": ActivityType.objects.order_by("sort_order", "id"),
        "categories": Category.choices,
        "units": units,
        "campaigns": visible_campaigns(request.user).order_by("-start_date"),
    }
    if len(units) > UNIT_LIST_LIMIT:  # a large reach: search units instead of listing them all
        selected = _int(params.get("unit"))
        in_reach = units_for_picker(request.user, "ledger.view")
        context["units"] = list(in_reach.filter(pk=selected or 0))
        context["unit_picker_url"] = reverse("org:unit-picker") + "?perm=ledger.view"
    return context


# --- Activity types -------------------------------------------------------------------------------


@login_required
def type_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    types = ActivityType.objects.select_related("campaign", "track").annotate(
        used=Count("activities", filter=Q(activities__deleted_at__isnull=True))
    )
    text = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    active = request.GET.get("active", "")
    if text:
        types = types.filter(name__icontains=text)
    if category in Category.values:
        types = types.filter(category=category)
    if active in ("1", "0"):
        types = types.filter(is_active=active == "1")
    types = types.order_by("sort_order", "id")
    if request.GET.get("export") == "xlsx":
        title = _("活动类型")
        yes, no = _("是"), _("否")
        rows = [
            (
                t.name,
                t.get_category_display(),
                t.campaign.display_name if t.campaign else "",
                t.track.name if t.track else "",
                yes if t.is_personal else no,
                yes if t.takes_checkin else no,
                "、".join(d["label"] for d in t.fields),
                _("启用") if t.is_active else _("停用"),
                t.used,
            )
            for t in types
        ]
        note = _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
        content = build_workbook(
            title=title,
            headers=[
                _("名称"),
                _("类别"),
                _("专项行动"),
                _("方向"),
                _("个人记录"),
                _("扫码签到"),
                _("自定义字段"),
                _("状态"),
                _("记录数"),
            ],
            rows=rows,
            notes=[note],
        )
        record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            object_type="ledgers.activitytype",
            object_repr=title,
            note=f"{note}；{len(rows)} 行",
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    return render(
        request,
        "ledgers/type_list.html",
        {
            "types": list(types),
            "q": text,
            "category": category,
            "active": active,
            "categories": Category.choices,
        },
    )


TYPE_ALIASES = {"fields": "field_lines"}


def _type_values(form: f.ActivityTypeForm) -> dict[str, Any]:
    values = dict(form.cleaned_data)
    values["fields"] = values.pop("field_lines")
    return values


@login_required
def type_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.ActivityTypeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity_type = services.create_activity_type(actor=request.user, **_type_values(form))
        except ValidationError as error:
            f.add_service_errors(form, error, aliases=TYPE_ALIASES)
        else:
            messages.success(request, _("已添加活动类型“%(name)s”。") % {"name": activity_type})
            return redirect("ledgers:type-list")
    return render(request, "ledgers/type_form.html", {"form": form, "title": _("新增活动类型")})


@login_required
def type_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity_type = get_type_for_user(request.user, pk, configure=True)
    initial = {
        name: getattr(activity_type, name)
        for name in services.TYPE_FIELDS
        if name not in ("fields", "campaign", "track")
    }
    initial["campaign"] = activity_type.campaign_id
    initial["track"] = activity_type.track_id
    initial["field_lines"] = f.fields_to_text(activity_type.fields)
    form = f.ActivityTypeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity_type(
                actor=request.user, activity_type=activity_type, **_type_values(form)
            )
        except ValidationError as error:
            f.add_service_errors(form, error, aliases=TYPE_ALIASES)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledgers:type-list")
    return render(
        request,
        "ledgers/type_form.html",
        {"form": form, "title": _("修改活动类型"), "activity_type": activity_type},
    )


# --- Recording ------------------------------------------------------------------------------------


def _recordable_types(user):
    types = ActivityType.objects.filter(is_active=True).order_by("sort_order", "id")
    if not scope_for(user, "ledger.record").covers_units():
        types = types.filter(is_personal=True)
    return types


@login_required
def activity_record(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    types = list(_recordable_types(request.user))
    type_id = _int(request.POST.get("type") or request.GET.get("type"))
    activity_type = next((t for t in types if t.pk == type_id), None)
    if activity_type is None:
        return render(request, "ledgers/record_pick.html", {"types": types})
    from .access import recording_units

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
    activity = get_activity_for_user(request.user, pk)
    if not can_edit_activity(request.user, activity):
        raise PermissionDenied
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


# --- List, detail, delete/restore, participants -----------------------------------------------------


@login_required
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    deleted = request.GET.get("deleted") == "1" and has_perm(request.user, "ledger.configure")
    activities = selectors.activity_list(request.user, flt, deleted=deleted)
    if request.GET.get("export") == "xlsx":
        title = _("活动台账")
        note = _filter_note(flt)
        rows = [
            (
                a.starts_at,
                a.type.name,
                a.type.get_category_display(),
                a.title,
                a.unit.name,
                a.place,
                a.get_venue_category_display(),
                a.people,  # type: ignore[attr-defined]
                a.audience,
                a.hours,
                "、".join(c.display_name for c in a.campaigns.all()),
                a.recorded_by.name or a.recorded_by.username,
            )
            for a in activities
        ]
        _audit_export(request, title, len(rows), note)
        content = build_workbook(
            title=title,
            headers=[
                _("时间"),
                _("活动类型"),
                _("类别"),
                _("名称"),
                _("组织单位"),
                _("地点"),
                _("场所类别"),
                _("参加人数"),
                _("受众人数"),
                _("时长（小时）"),
                _("计入专项行动"),
                _("登记人"),
            ],
            rows=rows,
            notes=[note],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    paginator = Paginator(activities, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = _filter_context(request, params)
    context.update(
        {
            "activities": list(page.object_list),
            "page": page,
            "deleted": deleted,
            "may_restore": has_perm(request.user, "ledger.configure"),
            "may_record": has_perm(request.user, "ledger.record"),
        }
    )
    return render(request, "ledgers/activity_list.html", context)


def _extra_rows(activity: Activity) -> list[tuple[str, Any, Attachment | None]]:
    from luoshi.org.models import Unit

    rows: list[tuple[str, Any, Attachment | None]] = []
    for definition in activity.type.fields:
        value = activity.values.get(definition["key"])
        if value in (None, ""):
            continue
        kind = definition["kind"]
        attachment = None
        if kind == FieldKind.PERSON:
            person = User.objects.filter(pk=value).first()
            value = person.name if person else value
        elif kind == FieldKind.UNIT:
            unit = Unit.objects.filter(pk=value).first()
            value = unit.name if unit else value
        elif kind == FieldKind.FILE:
            attachment = Attachment.objects.filter(pk=value).first()
            value = attachment.original_name if attachment else ""
        rows.append((definition["label"], value, attachment))
    return rows


def _attachments(activity: Activity) -> list[Attachment]:
    from django.contrib.contenttypes.models import ContentType

    return list(
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Activity), owner_id=activity.pk
        ).order_by("id")
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
            "extra": _extra_rows(activity),
            "attachments": _attachments(activity),
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
    activity = get_activity_for_user(request.user, pk)
    if not can_edit_activity(request.user, activity):
        raise PermissionDenied
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


# --- Check-in -------------------------------------------------------------------------------------


@login_required
def checkin(request: AuthenticatedRequest) -> HttpResponse:
    """Type or scan the six-digit code; one tap checks the logged-in person in."""
    form = f.CheckinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            activity, created = services.check_in(
                actor=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error.messages)
        else:
            # the page shows the result itself, large, for a phone held at arm's length
            result = {"title": activity.title, "created": created}
    return render(request, "ledgers/checkin.html", {"form": form, "result": result})


# --- The ledger view ------------------------------------------------------------------------------


PIVOT_PAGE_SIZE = 200  # rows of the ledger view per page


def _ledger_links(request: AuthenticatedRequest, params: dict[str, str], pivot: selectors.Pivot):
    """Link makers of the ledger view: the records behind a number, and a unit's own pivot."""
    scope = scope_for(request.user, "ledger.view")
    assert pivot.date_from is not None and pivot.date_to is not None
    period = (pivot.date_from, pivot.date_to)
    kept = {k: v for k, v in params.items() if k not in ("from", "to", "unit", "only", "page")}
    list_url, ledger_url = reverse("ledgers:activity-list"), reverse("ledgers:ledger")

    def records(row: dict[str, Any] | None, month: datetime.date | None) -> str:
        query = {k: v for k, v in kept.items() if k != "type"}
        unit = row["unit"] if row is not None else pivot.unit
        # A unit outside the reader's scope (a "self" reach) is left out: the list would 404.
        if unit is not None and scope.contains(unit):
            query["unit"] = str(unit.pk)
            if row is not None and row["own"]:
                query["only"] = "1"  # the unit's own records, not its subtree
        if row is not None:
            query["type"] = str(row["type"].pk)
        elif "type" in kept:
            query["type"] = kept["type"]
        date_from, date_to = period
        if month is not None:
            last = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            date_from, date_to = max(month, date_from), min(last, date_to)
        query["from"], query["to"] = date_from.isoformat(), date_to.isoformat()
        return list_url + "?" + urlencode(query)

    def drill(unit_pk: int | None) -> str:
        query = dict(kept)
        if "from" in params or "to" in params:
            query["from"], query["to"] = period[0].isoformat(), period[1].isoformat()
        if unit_pk is not None:
            query["unit"] = str(unit_pk)
        return ledger_url + ("?" + urlencode(query) if query else "")

    return records, drill


@login_required
def ledger(request: AuthenticatedRequest) -> HttpResponse:
    """逐级汇总: the selected unit's own records and one row per child unit, × type × month."""
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    pivot = selectors.ledger_pivot(request.user, flt)
    month_labels = [f"{month:%Y-%m}" for month in pivot.months]
    own_label = _("%(unit)s（本单位）")
    if request.GET.get("export") == "xlsx":
        title = _("台账统计")
        note = _filter_note(
            flt if flt.unit else selectors.ActivityFilter(**{**flt.__dict__, "unit": pivot.unit})
        )
        rows = [
            [
                own_label % {"unit": row["unit"].name} if row["own"] else row["unit"].name,
                row["type"].name,
                *row["counts"],
                row["total"],
            ]
            for row in pivot.rows
        ]
        rows.append([_("合计"), "", *pivot.column_totals, pivot.total])
        _audit_export(request, title, len(rows), note)
        content = build_workbook(
            title=title,
            headers=[_("单位"), _("活动类型"), *month_labels, _("合计")],
            rows=rows,
            notes=[note],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    records, drill = _ledger_links(request, params, pivot)
    page = Paginator(pivot.rows, PIVOT_PAGE_SIZE).get_page(request.GET.get("page"))
    table = []
    for row in page.object_list:
        cells = [
            (count, records(row, month))
            for count, month in zip(row["counts"], pivot.months, strict=True)
        ]
        table.append(
            {
                **row,
                "cells": cells,
                "total_link": records(row, None),
                "drill_link": drill(row["unit"].pk) if row["drill"] else "",
            }
        )
    totals = [
        (count, records(None, month))
        for count, month in zip(pivot.column_totals, pivot.months, strict=True)
    ]
    crumbs = [(unit, drill(unit.pk)) for unit in pivot.crumbs]
    context = _filter_context(request, params)
    context.update(
        {
            "pivot": pivot,
            "table": table,
            "page": page,
            "page_query": urlencode({k: v for k, v in params.items() if k != "page"}),
            "totals": totals,
            "total_link": records(None, None),
            "crumbs": crumbs,
            "month_labels": month_labels,
            "date_from": pivot.date_from,
            "date_to": pivot.date_to,
        }
    )
    return render(request, "ledgers/ledger.html", context)


# --- Import from Excel ----------------------------------------------------------------------------


@login_required
def type_template(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The import template of one activity type, generated from its fields."""
    require_perm(request.user, "ledger.record")
    activity_type = _recordable_types(request.user).filter(pk=pk).first()
    if activity_type is None:
        raise Http404
    name = _("%(type)s导入模板") % {"type": activity_type.name}
    return xlsx_response(imports.template(activity_type), f"{name}.xlsx")


@login_required
def activity_import(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    types = list(_recordable_types(request.user))
    type_id = _int(request.POST.get("type") or request.GET.get("type"))
    activity_type = next((t for t in types if t.pk == type_id), None)
    result = None
    if request.method == "POST" and activity_type is not None:
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
        else:
            result = imports.import_activities(
                actor=request.user,
                activity_type=activity_type,
                data=upload.read(),
                filename=upload.name or "",
            )
            if result.ok:
                messages.success(
                    request,
                    _("已导入 %(n)d 条活动，跳过已导入过的 %(s)d 条。")
                    % {"n": len(result.created), "s": result.skipped},
                )
                return redirect(reverse("ledgers:activity-list") + f"?type={activity_type.pk}")
    return render(
        request,
        "ledgers/import.html",
        {"types": types, "activity_type": activity_type, "result": result},
    )


# --- Per-person records ---------------------------------------------------------------------------


@login_required
def people(request: AuthenticatedRequest) -> HttpResponse:
    """Per-person counts by activity type (study by default) for a unit subtree and period."""
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    if "category" not in request.GET:
        flt.category = Category.STUDY
        params["category"] = Category.STUDY
    table = selectors.person_counts(request.user, flt)
    if request.GET.get("export") == "xlsx":
        title = _("个人学习记录") if flt.category == Category.STUDY else _("个人活动记录")
        note = _filter_note(flt)
        rows = [
            [row["person"].name or row["person"].username, *row["counts"], row["total"]]
            for row in table.rows
        ]
        _audit_export(request, title, len(rows), note)
        content = build_workbook(
            title=title,
            headers=[_("姓名"), *[t.name for t in table.types], _("合计")],
            rows=rows,
            notes=[note],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    base = {k: v for k, v in params.items() if k not in ("type", "person")}
    listing = reverse("ledgers:activity-list")
    table_rows = []
    for row in table.rows:
        links = [
            listing + "?" + urlencode({**base, "type": t.pk, "person": row["person"].pk})
            for t in table.types
        ]
        table_rows.append(
            {
                **row,
                "cells": list(zip(row["counts"], links, strict=True)),
                "link": listing + "?" + urlencode({**base, "person": row["person"].pk}),
            }
        )
    context = _filter_context(request, params)
    context.update({"table": table, "rows": table_rows})
    return render(request, "ledgers/people.html", context)
