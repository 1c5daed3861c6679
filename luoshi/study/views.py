"""Study pages: 我的学习 (record a book, write an essay), the unit's reading records and essays
(rate 优秀), study counts per person and unit, study groups, the reading list and settings.
Views parse, fetch through access helpers, call services and selectors, render."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import (
    get_unit_in_scope,
    require_perm,
    scope_for,
    units_for_picker,
)

from . import exports, selectors, services
from . import forms as f
from .access import (
    can_commend,
    can_configure_campaign,
    can_manage_groups,
    get_essay_for_user,
    get_group_for_user,
    get_reading_for_user,
    get_study_campaign,
    group_units,
    study_campaigns,
)
from .models import GroupMember

PAGE_SIZE = 50
UNIT_LIST_LIMIT = 100


# --- Helpers --------------------------------------------------------------------------------------


def _filter_from(request: AuthenticatedRequest) -> tuple[selectors.StudyFilter, dict[str, str]]:
    """The filters from GET; a unit or person outside the ledger.view scope is a 404."""
    get = request.GET
    flt = selectors.build_filter(
        request.user,
        campaign_id=parse_int(get.get("campaign")),
        unit_id=parse_int(get.get("unit")),
        only=get.get("only") == "1",
        date_from=parse_date(get.get("from")),
        date_to=parse_date(get.get("to")),
        person_id=parse_int(get.get("person")),
        text=get.get("q", ""),
    )
    keys = ("campaign", "unit", "only", "from", "to", "person", "q")
    return flt, {key: get[key] for key in keys if get.get(key)}


def _filter_context(request: AuthenticatedRequest, params: dict[str, str]) -> dict[str, Any]:
    units = list(units_for_picker(request.user, "ledger.view").order_by("path")[:UNIT_LIST_LIMIT])
    return {
        "params": params,
        "query": urlencode(params),
        "units": units,
        "campaigns": study_campaigns(request.user),
    }


# --- 我的学习 --------------------------------------------------------------------------------------


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The staff member's own study: counts, the two quick actions and their own records."""
    require_perm(request.user, "ledger.view")
    campaign = get_study_campaign(request.user, parse_int(request.GET.get("campaign")))
    mine = selectors.StudyFilter(campaign=campaign, person_id=request.user.pk)
    counts = selectors.person_study_counts(request.user, mine)
    own = next((row for row in counts.rows if row["person"].pk == request.user.pk), None)
    settings = services.settings_for(campaign)
    return render(
        request,
        "study/home.html",
        {
            "campaign": campaign,
            "campaigns": study_campaigns(request.user),
            "settings": settings,
            "sessions": [
                (t.name, own["sessions"][index] if own else 0)
                for index, t in enumerate(counts.session_types)
            ],
            "own": own,
            "books": list(selectors.reading_records(request.user, mine)[:20]),
            "essays": list(selectors.essays(request.user, mine)[:20]),
            "readings": selectors.reading_list(campaign),
            "may_record": scope_for(request.user, "ledger.record").own
            or scope_for(request.user, "ledger.record").covers_units(),
        },
    )


def _campaign_or_home(request: AuthenticatedRequest):
    campaign = get_study_campaign(
        request.user, parse_int(request.POST.get("campaign") or request.GET.get("campaign"))
    )
    return campaign, services.settings_for(campaign)


@login_required
def book_new(request: AuthenticatedRequest) -> HttpResponse:
    """Record a book read, in a few taps: pick it from the list (or type a title), a date, notes."""
    require_perm(request.user, "ledger.record")
    campaign, settings = _campaign_or_home(request)
    form = f.BookForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid() and campaign is not None:
        data = form.cleaned_data
        try:
            activity = services.record_reading(
                actor=request.user,
                campaign=campaign,
                reading=data["reading"],
                title=data["title"],
                author=data["author"],
                finished_on=data["finished_on"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录读书：%(title)s。") % {"title": activity.title})
            return redirect("study:home")
    return render(
        request,
        "study/record_form.html",
        {"form": form, "campaign": campaign, "settings": settings, "title": _("记录读书")},
    )


@login_required
def essay_new(request: AuthenticatedRequest) -> HttpResponse:
    """Write a reflection essay: a title and the text, or a manuscript file."""
    require_perm(request.user, "ledger.record")
    campaign, settings = _campaign_or_home(request)
    form = f.EssayForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and campaign is not None:
        data = form.cleaned_data
        try:
            activity = services.write_essay(
                actor=request.user,
                campaign=campaign,
                title=data["title"],
                written_on=data["written_on"],
                text=data["text"],
                manuscript=data.get("manuscript"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已提交心得体会《%(title)s》。") % {"title": activity.title}
            )
            return redirect("study:home")
    return render(
        request,
        "study/record_form.html",
        {"form": form, "campaign": campaign, "settings": settings, "title": _("撰写心得体会")},
    )


# --- Reading records and essays of the units in reach -------------------------------------------------


@login_required
def book_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    designated = request.GET.get("designated") == "1"
    if designated:
        params["designated"] = "1"
    records = selectors.reading_records(request.user, flt, designated=designated)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("读书记录"),
            headers=exports.book_headers(),
            rows=exports.book_rows(records),
            filters=flt.describe(),
        )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _filter_context(request, params)
    context.update(
        {
            "page": page,
            "rows": [(a, selectors.author_of(a)) for a in page.object_list],
            "designated": designated,
        }
    )
    return render(request, "study/book_list.html", context)


@login_required
def essay_list(request: AuthenticatedRequest) -> HttpResponse:
    """The unit's essays; the liaison rates them 优秀 here."""
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    excellent = request.GET.get("excellent") == "1"
    if excellent:
        params["excellent"] = "1"
    records = selectors.essays(request.user, flt, excellent=excellent)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("心得体会"),
            headers=exports.essay_headers(),
            rows=exports.essay_rows(records),
            filters=flt.describe(),
        )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _filter_context(request, params)
    context.update(
        {
            "page": page,
            "rows": [
                (a, selectors.author_of(a), can_commend(request.user, a)) for a in page.object_list
            ],
            "excellent": excellent,
        }
    )
    return render(request, "study/essay_list.html", context)


@login_required
@require_POST
def essay_commend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    essay = get_essay_for_user(request.user, pk, write=True)
    if request.POST.get("action") == "uncommend":
        services.uncommend_essay(actor=request.user, activity=essay)
        messages.success(request, _("已取消《%(title)s》的优秀评定。") % {"title": essay.title})
    else:
        services.commend_essay(actor=request.user, activity=essay)
        messages.success(request, _("已将《%(title)s》评为优秀。") % {"title": essay.title})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/study/") else reverse("study:essay-list"))


# --- Counts ---------------------------------------------------------------------------------------


def _count_links(flt: selectors.StudyFilter, params: dict[str, str], target: dict[str, Any]):
    """Links behind each number of one row: the ledger list for sessions, the study lists for
    books and essays; `target` is {"person": id} or {"unit": id, "only": "1"}."""
    period: dict[str, str] = {key: params[key] for key in ("from", "to") if key in params}
    scope: dict[str, str] = {}
    if flt.unit is not None and "unit" not in target:
        scope["unit"] = str(flt.unit.pk)
    base: dict[str, Any] = {**period, **scope, **target}
    study: dict[str, Any] = dict(base)
    if "campaign" in params:
        study["campaign"] = params["campaign"]
    listing = reverse("ledgers:activity-list")
    return {
        "session": lambda type_id: listing + "?" + urlencode({**base, "type": type_id}),
        "books": reverse("study:book-list") + "?" + urlencode(study),
        "designated": reverse("study:book-list") + "?" + urlencode({**study, "designated": 1}),
        "essays": reverse("study:essay-list") + "?" + urlencode(study),
        "excellent": reverse("study:essay-list") + "?" + urlencode({**study, "excellent": 1}),
    }


def _linked(row: dict[str, Any], types, links) -> dict[str, Any]:
    cells = [
        (count, links["session"](t.pk)) for count, t in zip(row["sessions"], types, strict=True)
    ]
    cells += [(row[key], links[key]) for key in selectors.PERSONAL_COLUMNS]
    return {**row, "cells": cells}


@login_required
def counts(request: AuthenticatedRequest) -> HttpResponse:
    """Per-person and per-unit study counts for a unit subtree and period; staff see their own."""
    require_perm(request.user, "ledger.view")
    flt, params = _filter_from(request)
    by_unit = (
        request.GET.get("by") == "unit" and scope_for(request.user, "ledger.view").covers_units()
    )
    table = (
        selectors.unit_study_counts(request.user, flt)
        if by_unit
        else selectors.person_study_counts(request.user, flt)
    )
    personal_headers = [_("读书（本）"), _("其中指定读本"), _("心得体会（篇）"), _("其中优秀")]
    type_headers = [t.name for t in table.session_types]
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("单位学习统计") if by_unit else _("个人学习统计"),
            headers=exports.count_headers(
                table, by_unit=by_unit, personal_headers=personal_headers
            ),
            rows=exports.count_rows(table, by_unit=by_unit),
            filters=flt.describe(),
        )
    linked: list[dict[str, Any]] = []
    for row in table.rows:
        target = (
            {"unit": str(row["unit"].pk), "only": "1"}
            if by_unit
            else {"person": str(row["person"].pk)}
        )
        linked.append(_linked(row, table.session_types, _count_links(flt, params, target)))
    context = _filter_context(request, params)
    context.update(
        {
            "table": table,
            "rows": linked,
            "by_unit": by_unit,
            "headers": [*type_headers, *personal_headers],
            "may_by_unit": scope_for(request.user, "ledger.view").covers_units(),
            "export_query": urlencode({**params, **({"by": "unit"} if by_unit else {})}),
        }
    )
    return render(request, "study/counts.html", context)


# --- Study groups ---------------------------------------------------------------------------------


@login_required
def group_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    unit_id = parse_int(request.GET.get("unit"))
    unit = get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None
    text = request.GET.get("q", "").strip()
    groups = list(selectors.group_list(request.user, unit=unit, text=text))
    members = selectors.members_of(groups)
    if wants_xlsx(request):
        named = [_("单位：%(unit)s（含下级）") % {"unit": unit.name}] if unit else []
        return serve_export(
            actor=request.user,
            object_type="study.studygroup",
            title=_("学习小组"),
            headers=exports.group_headers(),
            rows=exports.group_rows(groups, members),
            filters=[*named, *([_("关键词：%(q)s") % {"q": text}] if text else [])],
        )
    params = {k: v for k, v in (("unit", str(unit_id or "")), ("q", text)) if v}
    context = _filter_context(request, params)
    context.update(
        {
            "groups": [
                (g, members.get(g.pk, []), can_manage_groups(request.user, g.unit)) for g in groups
            ],
            "may_create": group_units(request.user).exists(),
        }
    )
    return render(request, "study/group_list.html", context)


def _group_people(form: f.GroupForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "description": data["description"],
        "leaders": list(data["leaders"]),
        "members": [p for p in data["members"] if p not in data["leaders"]],
    }


@login_required
def group_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    form = f.GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                actor=request.user, unit=form.cleaned_data["unit"], **_group_people(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已建立学习小组“%(name)s”。") % {"name": group.name})
            return redirect("study:group-list")
    return render(request, "study/group_form.html", {"form": form, "title": _("新建学习小组")})


@login_required
def group_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk, write=True)
    people = list(group.members.all())
    initial = {
        "unit": group.unit_id,
        "name": group.name,
        "description": group.description,
        "leaders": [m.person_id for m in people if m.role == GroupMember.Role.LEADER],
        "members": [m.person_id for m in people if m.role == GroupMember.Role.MEMBER],
    }
    form = f.GroupForm(request.POST or None, user=request.user, initial=initial)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_group(actor=request.user, group=group, **_group_people(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("study:group-list")
    return render(
        request,
        "study/group_form.html",
        {"form": form, "group": group, "title": _("修改学习小组")},
    )


@login_required
@require_POST
def group_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk, write=True)
    services.delete_group(actor=request.user, group=group)
    messages.success(request, _("已撤销学习小组“%(name)s”。") % {"name": group.name})
    return redirect("study:group-list")


# --- Reading list and settings (the office) -------------------------------------------------------


@login_required
def reading_list(request: AuthenticatedRequest) -> HttpResponse:
    """The campaign's designated reading list; the office adds books and names the study types."""
    require_perm(request.user, "ledger.view")
    campaign = get_study_campaign(request.user, parse_int(request.GET.get("campaign")))
    readings = selectors.reading_list(campaign)
    may_configure = campaign is not None and can_configure_campaign(request.user, campaign)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="study.reading",
            title=_("指定读本"),
            headers=exports.reading_headers(),
            rows=exports.reading_rows(readings),
            filters=[_("专项行动：%(c)s") % {"c": campaign.display_name if campaign else "—"}],
        )
    form = f.ReadingForm(request.POST or None)
    settings = services.settings_for(campaign)
    settings_form = f.SettingsForm(
        initial={
            "reading_type": settings.reading_type_id if settings else None,
            "essay_type": settings.essay_type_id if settings else None,
        }
    )
    if request.method == "POST" and campaign is not None:
        if request.POST.get("form") == "settings":
            settings_form = f.SettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    services.set_study_settings(
                        actor=request.user, campaign=campaign, **settings_form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_errors(settings_form, error)
                else:
                    messages.success(request, _("学习设置已保存。"))
                    return redirect(reverse("study:reading-list") + f"?campaign={campaign.pk}")
            form = f.ReadingForm()
        elif form.is_valid():
            try:
                reading = services.add_reading(
                    actor=request.user, campaign=campaign, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已添加指定读本《%(t)s》。") % {"t": reading.title})
                return redirect(reverse("study:reading-list") + f"?campaign={campaign.pk}")
    return render(
        request,
        "study/reading_list.html",
        {
            "campaign": campaign,
            "campaigns": study_campaigns(request.user),
            "readings": readings,
            "form": form,
            "settings_form": settings_form,
            "may_configure": may_configure,
        },
    )


@login_required
def reading_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    reading = get_reading_for_user(request.user, pk, write=True)
    initial = {k: getattr(reading, k) for k in ("title", "author", "note", "sort_order")}
    form = f.ReadingForm(request.POST or None, initial=initial)
    back = reverse("study:reading-list") + f"?campaign={reading.campaign_id}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_reading(
                actor=request.user,
                reading=reading,
                title=data["title"],
                author=data["author"],
                note=data["note"],
                sort_order=data["sort_order"] if data["sort_order"] is not None else 0,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    return render(
        request, "study/reading_form.html", {"form": form, "reading": reading, "back": back}
    )


@login_required
@require_POST
def reading_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    reading = get_reading_for_user(request.user, pk, write=True)
    services.delete_reading(actor=request.user, reading=reading)
    messages.success(request, _("已从指定读本中移除《%(t)s》。") % {"t": reading.title})
    return redirect(reverse("study:reading-list") + f"?campaign={reading.campaign_id}")
