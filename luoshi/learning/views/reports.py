"""Report pages of the learning platforms: the monthly summary and its people, the ranking, the
compliance settings, the half-year notices and a staff member's own figures. Views parse, fetch
through the access helpers, call a selector or a service, render."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, serve_export
from luoshi.lib.docx import DOCX_TYPE, docx_response
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_int
from luoshi.org.access import has_perm, scope_for, units_for_picker
from luoshi.org.models import Unit

from .. import documents, exports, selectors, services
from .. import forms as f
from ..access import (
    can_manage_notice,
    default_unit,
    get_notice_for_user,
    get_summary_unit_for_user,
    get_unit_page_for_user,
    visible_notices,
)
from ..models import LearningSettings, Platform, SettingChange

PAGE_SIZE = 50
CHART_UNITS = 20
UNIT_LIST_LIMIT = 100


# --- Helpers --------------------------------------------------------------------------------------


def _platform(request: AuthenticatedRequest) -> str:
    value = request.GET.get("platform", "")
    return value if value in Platform.values else Platform.STRONG_NATION


def _scope_unit(request: AuthenticatedRequest):
    """The unit of the page from ?unit= (404 outside learning.view), or the user's highest."""
    unit_id = parse_int(request.GET.get("unit"))
    if unit_id is not None:
        return get_summary_unit_for_user(request.user, unit_id)
    return default_unit(request.user)


def _office_unit(request: AuthenticatedRequest) -> Unit:
    """The unit an office page acts on: ?unit= (404 outside learning.configure), or the
    highest unit the user configures (403 for those who configure none)."""
    unit_id = parse_int(request.GET.get("unit") or request.POST.get("unit"))
    if unit_id is not None:
        return get_summary_unit_for_user(request.user, unit_id, write=True)
    unit = default_unit(request.user, "learning.configure")
    if unit is None:
        raise PermissionDenied
    return unit


def _refresh_soon(platform: str, month) -> None:
    """A page that had to count live (no stored summary, or one made stale by an import) asks
    the worker to store the month again, at most once in ten minutes per month."""
    from ..tasks import refresh_summaries

    if cache.add(f"learning:refresh:{platform}:{month:%Y-%m}", 1, timeout=600):
        refresh_summaries.enqueue(platform, month.isoformat())


def _scope_filters(unit: Unit) -> list[str]:
    """The head of a summary or ranking export: whose figures these are."""
    return [_("范围：%(unit)s（含下级）") % {"unit": unit.name}]


def _filter_context(request: AuthenticatedRequest, unit, platform: str, month) -> dict[str, Any]:
    units = list(
        units_for_picker(request.user, "learning.view").order_by("path")[: UNIT_LIST_LIMIT + 1]
    )
    context: dict[str, Any] = {
        "platforms": Platform.choices,
        "platform": platform,
        "platform_label": Platform(platform).label,
        "value_label": selectors.unit_label(platform),
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "unit": unit,
        "units": units,
    }
    if len(units) > UNIT_LIST_LIMIT:  # a large reach: search units instead of listing them all
        context["units"] = [unit]
        context["unit_picker_url"] = reverse("org:unit-picker") + "?perm=learning.view"
    return context


def _chart(summary: selectors.Summary) -> dict[str, Any]:
    """ECharts options: points (or hours) per person of the leading units, and the active rate."""
    rows = [row for row in summary.rows[:CHART_UNITS] if row.rank]
    label = selectors.unit_label(summary.platform)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("人均%(unit)s") % {"unit": label}, _("活跃率（%）")]},
        "grid": {"left": 50, "right": 50, "bottom": 90, "top": 40},
        "xAxis": {
            "type": "category",
            "data": [row.unit.display_name for row in rows],
            "axisLabel": {"rotate": 40, "interval": 0},
        },
        "yAxis": [
            {"type": "value", "name": _("人均%(unit)s") % {"unit": label}},
            {"type": "value", "name": "%", "max": 100},
        ],
        "series": [
            {
                "name": _("人均%(unit)s") % {"unit": label},
                "type": "bar",
                "data": [row.per_person for row in rows],
            },
            {
                "name": _("活跃率（%）"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [row.active_rate for row in rows],
            },
        ],
    }


# --- The monthly summary (一月一汇总) ---------------------------------------------------------------


@login_required
def summary(request: AuthenticatedRequest) -> HttpResponse:
    """Per unit of a subtree: headcount, registered, active, per person, rank and its change."""
    unit = _scope_unit(request)
    if unit is None:
        if not scope_for(request.user, "learning.view").is_empty:
            return redirect("learning:me")
        raise PermissionDenied
    platform = _platform(request)
    month = selectors.parse_month(request.GET.get("month")) or selectors.latest_month(platform)
    current = request.GET.get("current") == "1"
    data = selectors.monthly_summary(request.user, unit, platform, month, current_figures=current)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="learning.pointrecord",
            title=exports.summary_title(platform, month),
            headers=exports.summary_headers(platform),
            rows=exports.summary_rows(data),
            filters=_scope_filters(unit),
        )
    if data.stored_at is None and len(data.rows):
        _refresh_soon(platform, month)
    page = Paginator(data.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _filter_context(request, unit, platform, month)
    context.update(
        {
            "summary": data,
            "page": page,
            "totals": data.totals(),
            "chart": _chart(data),
            "previous_month": selectors.previous_month(month),
            "current_query": _with_current(request, "1"),
            "published_query": _with_current(request, ""),
        }
    )
    return render(request, "learning/summary.html", context)


def _with_current(request: AuthenticatedRequest, value: str) -> str:
    """The page's query with `current` set (today's count) or dropped (as published)."""
    query = request.GET.copy()
    query.pop("current", None)
    query.pop("page", None)
    if value:
        query["current"] = value
    return query.urlencode()


@login_required
def summary_unit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One unit's people in a month, ranked within the unit, as far as the settings allow."""
    unit = get_unit_page_for_user(request.user, pk)
    platform = _platform(request)
    month = selectors.parse_month(request.GET.get("month")) or selectors.latest_month(platform)
    rules = selectors.settings_for(unit)
    viewer = selectors.Viewer(request.user)
    if not viewer.sees_unit(unit, rules):
        raise Http404
    everyone = viewer.sees_people(unit, rules)
    rows = selectors.unit_people(platform, month, unit)
    if not everyone:
        rows = [row for row in rows if row.record.person_id == request.user.pk]
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="learning.pointrecord",
            title=exports.unit_people_title(unit, platform, month),
            headers=exports.unit_people_headers(platform),
            rows=exports.unit_people_rows(rows),
        )
    book = selectors.SettingsBook()
    current, _stored = selectors.figures_for(platform, month, unit, book)
    headcount, registered, active, value = current.get(unit.pk, [0, 0, 0, 0])
    unit_row = selectors.UnitRow(unit, headcount, registered, active, Decimal(value), rules)
    context = _filter_context(request, unit, platform, month)
    context.update(
        {
            "rows": rows,
            "everyone": everyone,
            "rules": rules,
            "unit_row": unit_row,
        }
    )
    return render(request, "learning/summary_unit.html", context)


@login_required
def ranking(request: AuthenticatedRequest) -> HttpResponse:
    """The ranking of the people of a subtree (比学赶超), limited to the units whose rankings
    the settings let the user see."""
    unit = _scope_unit(request)
    if unit is None:
        raise PermissionDenied
    platform = _platform(request)
    month = selectors.parse_month(request.GET.get("month")) or selectors.latest_month(platform)
    ranked = selectors.Ranking(request.user, unit, platform, month)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="learning.pointrecord",
            title=exports.ranking_title(platform, month),
            headers=exports.ranking_headers(platform),
            rows=exports.ranking_rows(ranked[0 : ranked.count()]),
            filters=_scope_filters(unit),
        )
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type,var-annotated]
    if ranked.stored_at is None and page.paginator.count:
        _refresh_soon(platform, month)
    context = _filter_context(request, unit, platform, month)
    context.update({"page": page, "rows": page.object_list, "stored_at": ranked.stored_at})
    return render(request, "learning/summary_ranking.html", context)


# --- A staff member's own figures -------------------------------------------------------------------


@login_required
def me(request: AuthenticatedRequest) -> HttpResponse:
    """My points and hours by month, my rank in my unit, my units' figures where published."""
    platform = _platform(request)
    months = selectors.own_months(request.user, platform)
    viewer = selectors.Viewer(request.user)
    month = months[0]["month"] if months else selectors.latest_month(platform)
    units = []
    book = selectors.SettingsBook()
    for unit in selectors.member_units(request.user):
        rules = book.for_unit(unit)
        if not (rules.publish_unit_figures or viewer.manages(unit)):
            continue
        current, _stored = selectors.figures_for(platform, month, unit, book)
        headcount, registered, active, value = current.get(unit.pk, [0, 0, 0, 0])
        row = selectors.UnitRow(unit, headcount, registered, active, Decimal(value), rules)
        units.append(row)
    chart = {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [f"{m['month']:%Y-%m}" for m in months[::-1]]},
        "yAxis": {"type": "value", "name": selectors.unit_label(platform)},
        "series": [
            {
                "type": "line",
                "data": [float(m["record"].value or 0) for m in months[::-1]],
                "name": selectors.unit_label(platform),
            }
        ],
    }
    return render(
        request,
        "learning/staff.html",
        {
            "platforms": Platform.choices,
            "platform": platform,
            "value_label": selectors.unit_label(platform),
            "months": months,
            "month": month,
            "units": units,
            "chart": chart,
            "can_summary": scope_for(request.user, "learning.view").covers_units(),
        },
    )


# --- Compliance settings ----------------------------------------------------------------------------


@login_required
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    """Each setting with its value and, beside it, the last change's reason, who and when."""
    unit = _office_unit(request)
    rules = selectors.settings_for(unit)
    form = f.SettingsForm(request.POST or None, instance=LearningSettings(
        **{name: getattr(rules, name) for name in services.SETTING_FIELDS}
    ))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SETTING_FIELDS}
        try:
            services.change_settings(
                actor=request.user, unit=unit, values=values, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("设置已保存，变更理由已记录。"))
            return redirect(reverse("learning:settings") + f"?unit={unit.pk}")
    last: dict[str, SettingChange] = {}
    if rules.pk:
        for change in rules.changes.select_related("changed_by").order_by("-changed_at", "-id"):
            last.setdefault(change.field, change)
    items = [
        {
            "name": name,
            "label": services.setting_field(name).verbose_name,
            "value": services.display_value(rules, name),
            "field": form[name],
            "change": last.get(name),
        }
        for name in services.SETTING_FIELDS
    ]
    history = (
        list(SettingChange.objects.filter(rules=rules).select_related("changed_by")[:20])
        if rules.pk
        else []
    )
    for change in history:
        change.label = str(services.setting_field(change.field).verbose_name)  # type: ignore[attr-defined]
    return render(
        request,
        "learning/settings.html",
        {
            "unit": unit,
            "rules": rules,
            "inherited": rules.pk is None or rules.unit_id != unit.pk,
            "form": form,
            "items": items,
            "history": history,
            "units": units_for_picker(request.user, "learning.configure").order_by("path")[:100],
        },
    )


# --- Half-year notices (半年一通报) ----------------------------------------------------------------


@login_required
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    platform = request.GET.get("platform", "")
    flt = selectors.NoticeFilter(
        year=parse_int(request.GET.get("year")),
        platform=platform if platform in Platform.values else "",
    )
    notices = (
        flt.apply(visible_notices(request.user))
        .select_related("unit")
        .annotate(
            read=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
            receipts_total=Count("receipts"),
        )
        .order_by("-issued_at", "-id")  # Meta.ordering is not applied to a GROUP BY
    )
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="learning.halfyearnotice",
            title=_("半年通报"),
            headers=exports.notice_headers(),
            rows=exports.notice_rows(notices),
            filters=flt.describe(),
        )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/notice_list.html",
        {
            "page": page,
            "platforms": Platform.choices,
            "params": {"year": request.GET.get("year", ""), "platform": platform},
            "can_issue": has_perm(request.user, "learning.configure"),
        },
    )


@login_required
def notice_create(request: AuthenticatedRequest) -> HttpResponse:
    unit = _office_unit(request)
    form = f.NoticeForm(request.POST or None)
    if request.method == "GET":
        form.initial.update(
            {
                "recipients": _("各单位"),
                "signature": unit.name,
                "title": _("关于%(year)s年%(half)s学习强国学习情况的通报")
                % {
                    "year": form.fields["year"].initial,
                    "half": _("上半年") if form.fields["half"].initial == 1 else _("下半年"),
                },
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.issue_notice(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.needs_confirm = form.needs_confirm or error.code == "missing_month"
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("通报已印发，Word 文件已生成。"))
            return redirect("learning:notice-detail", notice.pk)
    return render(
        request,
        "learning/notice_form.html",
        {
            "form": form,
            "unit": unit,
            "units": units_for_picker(request.user, "learning.configure").order_by("path")[:100],
            "template": services.current_template(unit),
        },
    )


@login_required
def notice_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The notice to read in the app; the first reader of each of the reader's units signs it."""
    notice = get_notice_for_user(request.user, pk)
    signed = services.mark_notice_read(actor=request.user, notice=notice)
    manage = can_manage_notice(request.user, notice)
    receipts = (
        notice.receipts.select_related("unit", "read_by").order_by("read_at", "unit__path")
        if manage
        else []
    )
    content = services.notice_content(notice)
    return render(
        request,
        "learning/notice_detail.html",
        {
            "notice": notice,
            "changed": bool(selectors.notice_changes(notice)),
            "values": content.values,
            "paragraphs": [p for p in content.values["正文"].split("\n") if p],
            "units": notice.data.get("units", []),
            "people": notice.data.get("commended_people", []),
            "value_label": selectors.unit_label(notice.platform),
            "signed": signed,
            "manage": manage,
            "receipts": receipts,
            "read_count": notice.receipts.filter(read_at__isnull=False).count(),
            "receipt_count": notice.receipts.count(),
        },
    )


@login_required
def notice_current(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Today's count of a notice's half-year beside what the notice stated, unit by unit where
    they differ (the notice itself stays as issued)."""
    notice = get_notice_for_user(request.user, pk)
    if not can_manage_notice(request.user, notice):
        raise Http404  # today's figures of every unit are the issuing office's to see
    return render(
        request,
        "learning/notice_current.html",
        {
            "notice": notice,
            "changes": selectors.notice_changes(notice),
            "value_label": selectors.unit_label(notice.platform),
        },
    )


@login_required
def notice_document(request: AuthenticatedRequest, pk: int) -> FileResponse:
    notice = get_notice_for_user(request.user, pk)
    if notice.document is None:
        raise Http404
    record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        obj=notice,
        verb="download_notice",
    )
    return FileResponse(
        notice.document.file.open("rb"),
        as_attachment=True,
        filename=f"{notice.title}.docx",
        content_type=DOCX_TYPE,
    )


@login_required
def notice_template(request: AuthenticatedRequest) -> HttpResponse:
    """The template page: placeholders explained, download, upload an edited one."""
    unit = _office_unit(request)
    if request.GET.get("download") == "1":
        return docx_response(services.template_bytes(unit), _("半年通报模板") + ".docx")
    form = f.TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_notice_template(
                actor=request.user, unit=unit, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, _("模板已上传，此后印发的通报将使用新模板。"))
            return redirect(reverse("learning:notice-template") + f"?unit={unit.pk}")
    return render(
        request,
        "learning/notice_template.html",
        {
            "unit": unit,
            "form": form,
            "template": services.current_template(unit),
            "placeholders": documents.PLACEHOLDERS.items(),
            "tables": documents.TABLES.items(),
        },
    )
