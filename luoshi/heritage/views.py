"""Heritage pages: sites (with the activities held there), routes, exhibitions and the per-site
counts. Views parse, fetch through access helpers, call services or selectors, render."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.forms import add_service_errors
from luoshi.lib.params import parse_date, parse_int
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import get_unit_in_scope, require_perm, units_for_picker

from . import forms as f
from . import selectors, services
from .access import (
    can_configure_heritage,
    can_view_heritage,
    get_exhibition_for_user,
    get_route_for_user,
    get_site_for_user,
)
from .models import RouteKind, SiteKind
from .selectors import CountFilter, SiteCounts

PAGE_SIZE = 50


def _require_view(request: AuthenticatedRequest) -> None:
    if not can_view_heritage(request.user):
        raise Http404


def _count_filter(request: AuthenticatedRequest) -> CountFilter:
    unit_id = parse_int(request.GET.get("unit"))
    return CountFilter(
        unit=get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None,
        date_from=parse_date(request.GET.get("from")),
        date_to=parse_date(request.GET.get("to")),
    )


def _params(request: AuthenticatedRequest, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: request.GET[key] for key in keys if request.GET.get(key)}


def _export(request: AuthenticatedRequest, *, title: str, headers, rows, notes=()) -> HttpResponse:
    note = _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="heritage.site",
        object_repr=title,
        note=f"{note}；{request.GET.urlencode()}；{len(rows)} 行",
    )
    content = build_workbook(title=title, headers=headers, rows=rows, notes=[note, *notes])
    return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


def _counts_rows(counts: SiteCounts) -> tuple[list[str], list[list[Any]]]:
    headers = [_("点位")]
    for activity_type in counts.types:
        headers += [
            _("%(type)s次数") % {"type": activity_type.name},
            _("%(type)s参加人次") % {"type": activity_type.name},
            _("%(type)s受众人数") % {"type": activity_type.name},
        ]
    headers += [_("活动次数合计"), _("参加人次合计"), _("受众人数合计")]
    rows: list[list[Any]] = []
    for row in counts.rows:
        values: list[Any] = [row.site.name]
        for cell in row.cells:
            values += [cell.activities, cell.participants, cell.audience]
        values += [row.total.activities, row.total.participants, row.total.audience]
        rows.append(values)
    totals: list[Any] = [_("合计")]
    for cell in counts.column_totals:
        totals += [cell.activities, cell.participants, cell.audience]
    totals += [counts.total.activities, counts.total.participants, counts.total.audience]
    rows.append(totals)
    return headers, rows


def _count_context(request: AuthenticatedRequest, flt: CountFilter) -> dict[str, Any]:
    params = _params(request, ("unit", "from", "to"))
    date_from, date_to = flt.bounds()
    return {
        "params": params,
        "query": urlencode(params),
        "units": units_for_picker(request.user, "ledger.view").order_by("path")[:300],
        "date_from": date_from,
        "date_to": date_to,
        "may_configure": can_configure_heritage(request.user),
    }


# --- Sites ----------------------------------------------------------------------------------------


@login_required
def site_list(request: AuthenticatedRequest) -> HttpResponse:
    """All sites with the activities held there in the period (counts in the reader's scope)."""
    _require_view(request)
    kind = request.GET.get("kind", "")
    text = request.GET.get("q", "").strip()
    sites = selectors.site_list(
        text=text,
        kind=kind if kind in SiteKind.values else "",
        active=request.GET.get("active", ""),
    )
    flt = _count_filter(request)
    counts = selectors.site_counts(request.user, flt, sites=sites)
    if request.GET.get("export") == "xlsx":
        title = _("红色资源点位")
        rows = [
            (
                row.site.name,
                row.site.get_kind_display(),
                row.site.location,
                row.site.unit.name if row.site.unit else "",
                _("启用") if row.site.is_active else _("停用"),
                row.total.activities,
                row.total.participants,
                row.total.audience,
            )
            for row in counts.rows
        ]
        period = _("活动统计时间：%(a)s 至 %(b)s") % {"a": counts.date_from, "b": counts.date_to}
        return _export(
            request,
            title=title,
            headers=[
                _("名称"),
                _("类别"),
                _("位置"),
                _("管理单位"),
                _("状态"),
                _("活动次数"),
                _("参加人次"),
                _("受众人数"),
            ],
            rows=rows,
            notes=[period],
        )
    page = Paginator(counts.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _count_context(request, flt)
    context["params"].update(_params(request, ("kind", "q", "active")))
    context.update(
        {
            "query": urlencode(context["params"]),
            "page": page,
            "rows": page.object_list,
            "kinds": SiteKind.choices,
            "counts": counts,
        }
    )
    return render(request, "heritage/site_list.html", context)


@login_required
def site_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A site: what it is, its photos, routes and exhibitions, and the activities held there."""
    site = get_site_for_user(request.user, pk)
    flt = _count_filter(request)
    from .models import Site

    counts = selectors.site_counts(request.user, flt, sites=Site.objects.filter(pk=site.pk))
    if request.GET.get("export") == "xlsx":
        headers, rows = _counts_rows(counts)
        title = _("%(site)s活动统计") % {"site": site.name}
        period = _("时间：%(a)s 至 %(b)s") % {"a": counts.date_from, "b": counts.date_to}
        return _export(request, title=title, headers=headers, rows=rows, notes=[period])
    context = _count_context(request, flt)
    row = counts.rows[0]
    context.update(
        {
            "site": site,
            "counts": counts,
            "by_type": list(zip(counts.types, row.cells, strict=True)),
            "row": row,
            "photos": selectors.photos_of(site),
            "stops": site.stops.select_related("route").order_by("route__name"),
            "exhibitions": site.exhibitions.order_by("-starts_on"),
            "recent": selectors.activities_at(request.user, site, flt),
        }
    )
    return render(request, "heritage/site_detail.html", context)


def _site_values(form: f.SiteForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
def site_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.SiteForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.create_site(
                actor=request.user,
                photos=request.FILES.getlist("photos"),
                **_site_values(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加点位“%(name)s”。") % {"name": site.name})
            return redirect("heritage:site-detail", site.pk)
    return render(
        request,
        "heritage/form.html",
        {"form": form, "title": _("新增红色资源点位"), "photos": True},
    )


@login_required
def site_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    site = get_site_for_user(request.user, pk, write=True)
    initial = {name: getattr(site, name) for name in services.SITE_FIELDS if name != "unit"}
    initial["unit"] = site.unit_id
    form = f.SiteForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_site(
                actor=request.user,
                site=site,
                photos=request.FILES.getlist("photos"),
                **_site_values(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("heritage:site-detail", site.pk)
    return render(
        request,
        "heritage/form.html",
        {"form": form, "title": _("修改点位 · %(name)s") % {"name": site.name}, "photos": True},
    )


@login_required
def counts(request: AuthenticatedRequest) -> HttpResponse:
    """Activities, participants and audience by site × activity type; each number a link."""
    _require_view(request)
    flt = _count_filter(request)
    table = selectors.site_counts(request.user, flt)
    if request.GET.get("export") == "xlsx":
        headers, rows = _counts_rows(table)
        period = _("时间：%(a)s 至 %(b)s") % {"a": table.date_from, "b": table.date_to}
        unit = _("单位：%(u)s（含下级）") % {"u": flt.unit.name if flt.unit else _("全部")}
        return _export(
            request,
            title=_("红色资源点位活动统计"),
            headers=headers,
            rows=rows,
            notes=[period, unit],
        )
    context = _count_context(request, flt)
    context["table"] = table
    return render(request, "heritage/counts.html", context)


# --- Routes ---------------------------------------------------------------------------------------


@login_required
def route_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_view(request)
    kind = request.GET.get("kind", "")
    text = request.GET.get("q", "").strip()
    routes = selectors.route_list(kind=kind if kind in RouteKind.values else "", text=text)
    if request.GET.get("export") == "xlsx":
        rows = []
        for route in routes.prefetch_related("stops__site"):
            stops = " → ".join(stop.site.name for stop in route.stops.all())
            rows.append((route.name, route.get_kind_display(), stops, route.description))
        return _export(
            request,
            title=_("红色资源线路"),
            headers=[_("名称"), _("类别"), _("途经点位"), _("简介")],
            rows=rows,
        )
    params = _params(request, ("kind", "q"))
    page = Paginator(routes.prefetch_related("stops__site"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "heritage/route_list.html",
        {
            "page": page,
            "routes": page.object_list,
            "params": params,
            "query": urlencode(params),
            "kinds": RouteKind.choices,
            "may_configure": can_configure_heritage(request.user),
        },
    )


@login_required
def route_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    route = get_route_for_user(request.user, pk)
    return render(
        request,
        "heritage/route_detail.html",
        {
            "route": route,
            "stops": selectors.route_stops(route),
            "may_configure": can_configure_heritage(request.user),
        },
    )


def _route_values(form: f.RouteForm) -> dict[str, Any]:
    values = dict(form.cleaned_data)
    values["stops"] = values.pop("stop_lines")
    return values


@login_required
def route_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.RouteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            route = services.create_route(actor=request.user, **_route_values(form))
        except ValidationError as error:
            add_service_errors(form, error, aliases={"stops": "stop_lines"})
        else:
            messages.success(request, _("已添加线路“%(name)s”。") % {"name": route.name})
            return redirect("heritage:route-detail", route.pk)
    return render(request, "heritage/form.html", {"form": form, "title": _("新增线路")})


@login_required
def route_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    route = get_route_for_user(request.user, pk, write=True)
    initial = {
        "name": route.name,
        "kind": route.kind,
        "description": route.description,
        "unit": route.unit_id,
        "is_active": route.is_active,
        "stop_lines": f.stops_to_text(selectors.route_stops(route)),
    }
    form = f.RouteForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_route(actor=request.user, route=route, **_route_values(form))
        except ValidationError as error:
            add_service_errors(form, error, aliases={"stops": "stop_lines"})
        else:
            messages.success(request, _("已保存。"))
            return redirect("heritage:route-detail", route.pk)
    return render(
        request,
        "heritage/form.html",
        {"form": form, "title": _("修改线路 · %(name)s") % {"name": route.name}},
    )


# --- Exhibitions ----------------------------------------------------------------------------------


@login_required
def exhibition_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_view(request)
    text = request.GET.get("q", "").strip()
    site_id = parse_int(request.GET.get("site"))
    on = timezone.localdate() if request.GET.get("running") == "1" else None
    exhibitions = selectors.exhibition_list(text=text, site_id=site_id, on=on)
    if request.GET.get("export") == "xlsx":
        rows = [
            (e.title, e.where, e.starts_on, e.ends_on, e.unit.name if e.unit else "", e.description)
            for e in exhibitions
        ]
        return _export(
            request,
            title=_("展览"),
            headers=[_("名称"), _("地点"), _("开展日期"), _("闭展日期"), _("主办单位"), _("简介")],
            rows=rows,
        )
    params = _params(request, ("q", "site", "running"))
    page = Paginator(exhibitions, PAGE_SIZE).get_page(request.GET.get("page"))
    from .models import Site

    return render(
        request,
        "heritage/exhibition_list.html",
        {
            "page": page,
            "exhibitions": page.object_list,
            "params": params,
            "query": urlencode(params),
            "sites": Site.objects.order_by("name"),
            "may_configure": can_configure_heritage(request.user),
        },
    )


@login_required
def exhibition_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    exhibition = get_exhibition_for_user(request.user, pk)
    return render(
        request,
        "heritage/exhibition_detail.html",
        {
            "exhibition": exhibition,
            "photos": selectors.photos_of(exhibition),
            "may_configure": can_configure_heritage(request.user),
        },
    )


@login_required
def exhibition_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    initial = {"site": parse_int(request.GET.get("site"))}
    form = f.ExhibitionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exhibition = services.create_exhibition(
                actor=request.user, photos=request.FILES.getlist("photos"), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加展览“%(title)s”。") % {"title": exhibition.title})
            return redirect("heritage:exhibition-detail", exhibition.pk)
    return render(
        request, "heritage/form.html", {"form": form, "title": _("新增展览"), "photos": True}
    )


@login_required
def exhibition_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    exhibition = get_exhibition_for_user(request.user, pk, write=True)
    initial = {
        name: getattr(exhibition, name)
        for name in services.EXHIBITION_FIELDS
        if name not in ("site", "unit")
    }
    initial.update({"site": exhibition.site_id, "unit": exhibition.unit_id})
    form = f.ExhibitionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_exhibition(
                actor=request.user,
                exhibition=exhibition,
                photos=request.FILES.getlist("photos"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("heritage:exhibition-detail", exhibition.pk)
    return render(
        request,
        "heritage/form.html",
        {
            "form": form,
            "title": _("修改展览 · %(title)s") % {"title": exhibition.title},
            "photos": True,
        },
    )
