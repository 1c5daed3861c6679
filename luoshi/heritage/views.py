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
from luoshi.audit.services import serve_export
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import get_unit_in_scope, require_perm, units_for_picker

from . import exports, selectors, services
from . import forms as f
from .access import (
    can_configure_heritage,
    can_view_heritage,
    get_exhibition_for_user,
    get_route_for_user,
    get_site_for_user,
)
from .models import RouteKind, SiteKind
from .selectors import CountFilter

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
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="heritage.site",
            title=_("红色资源点位"),
            headers=exports.site_headers(),
            rows=exports.site_rows(counts),
            filters=flt.describe(),
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
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="heritage.site",
            title=_("%(site)s活动统计") % {"site": site.name},
            headers=exports.count_headers(counts),
            rows=exports.count_rows(counts),
            filters=flt.describe(),
        )
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
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="heritage.site",
            title=_("红色资源点位活动统计"),
            headers=exports.count_headers(table),
            rows=exports.count_rows(table),
            filters=flt.describe(),
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
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="heritage.route",
            title=_("红色资源线路"),
            headers=exports.route_headers(),
            rows=exports.route_rows(routes.prefetch_related("stops__site")),
            filters=[_("关键词：%(q)s") % {"q": text}] if text else [],
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
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="heritage.exhibition",
            title=_("展览"),
            headers=exports.exhibition_headers(),
            rows=exports.exhibition_rows(exhibitions),
            filters=[_("关键词：%(q)s") % {"q": text}] if text else [],
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
