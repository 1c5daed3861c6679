"""Media pages: the matrix (targets vs. placements), publications, targets and channels.
Views parse, fetch through access helpers, call services or selectors, render."""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.ledgers.access import can_edit_activity
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import (
    get_person_in_scope,
    get_unit_in_scope,
    has_perm,
    require_perm,
    units_for_picker,
    units_with_any_perm,
)

from . import exports, selectors, services
from . import forms as f
from .access import (
    TARGET_PERMS,
    can_record_publications,
    can_set_targets,
    get_channel_for_user,
    get_journalist_target_for_user,
    get_publication_for_user,
)
from .models import Level
from .selectors import Period, PublicationFilter

PAGE_SIZE = 50


def _unit(request: AuthenticatedRequest):
    """The unit filter; a unit outside the ledger.view scope is a 404."""
    unit_id = parse_int(request.GET.get("unit"))
    return get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None


def _params(request: AuthenticatedRequest, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: request.GET[key] for key in keys if request.GET.get(key)}


def _filter_context(request: AuthenticatedRequest, params: dict[str, str]) -> dict[str, Any]:
    return {
        "params": params,
        "query": urlencode(params),
        "period_value": params.get("period", ""),
        "units": units_for_picker(request.user, "ledger.view").order_by("path")[:300],
        "channels": selectors.channel_list(),
        "levels": Level.choices,
        **_nav_context(request),
    }


def _nav_context(request: AuthenticatedRequest) -> dict[str, Any]:
    return {
        "perms_configure": has_perm(request.user, "ledger.configure"),
        "may_record": can_record_publications(request.user),
    }


# --- The matrix -----------------------------------------------------------------------------------


@login_required
def matrix(request: AuthenticatedRequest) -> HttpResponse:
    """Targets vs. placements per journalist, channel and level for a month or quarter."""
    require_perm(request.user, "ledger.view")
    period = Period.parse(request.GET.get("period"))
    unit = _unit(request)
    channel_id = parse_int(request.GET.get("channel"))
    table = selectors.matrix(request.user, period=period, unit=unit, channel_id=channel_id)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="media.publication",
            title=_("融媒矩阵任务完成情况"),
            headers=exports.matrix_headers(table),
            rows=exports.matrix_rows(table),
            filters=selectors.target_filters(period, unit),
        )
    params = _params(request, ("period", "unit", "channel"))
    base = {k: v for k, v in params.items() if k == "unit"}
    if channel_id:
        base["channel"] = str(channel_id)
    base["from"], base["to"] = period.start.isoformat(), period.end.isoformat()
    listing = reverse("media:publication-list")

    def link(**extra: Any) -> str:
        return listing + "?" + urlencode({**base, **extra})

    rows_out = []
    for row in table.rows:
        rows_out.append(
            {
                "row": row,
                "link": link(person=row.person.pk),
                "channels": [
                    (n, link(person=row.person.pk, channel=c.pk))
                    for n, c in zip(row.by_channel, table.channels, strict=True)
                ],
                "levels": [
                    (t, n, link(person=row.person.pk, level=value))
                    for (t, n), (value, _label) in zip(row.by_level, table.levels, strict=True)
                ],
            }
        )
    context = _filter_context(request, params)
    context.update(
        {
            "table": table,
            "rows": rows_out,
            "period": period,
            "previous": period.previous(),
            "period_value": params.get("period", period.label),
            "total_link": link(),
            "may_set_targets": units_with_any_perm(request.user, *TARGET_PERMS).exists(),
        }
    )
    return render(request, "media/matrix.html", context)


# --- Publications ---------------------------------------------------------------------------------


def _publication_filter(request: AuthenticatedRequest) -> PublicationFilter:
    person_id = parse_int(request.GET.get("person"))
    if person_id is not None:
        get_person_in_scope(request.user, person_id, perm="ledger.view")
    level = request.GET.get("level", "")
    return PublicationFilter(
        unit=_unit(request),
        channel_id=parse_int(request.GET.get("channel")),
        level=level if level in Level.values else "",
        date_from=parse_date(request.GET.get("from")),
        date_to=parse_date(request.GET.get("to")),
        person_id=person_id,
        text=request.GET.get("q", "").strip(),
    )


@login_required
def publication_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt = _publication_filter(request)
    publications = selectors.publication_list(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="media.publication",
            title=_("刊播稿件"),
            headers=exports.publication_headers(),
            rows=exports.publication_rows(publications),
            filters=flt.describe(),
        )
    params = _params(request, ("unit", "channel", "level", "from", "to", "person", "q"))
    page = Paginator(publications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _filter_context(request, params)
    context.update(
        {
            "page": page,
            "publications": [(p, selectors.authors_of(p)) for p in page.object_list],
        }
    )
    return render(request, "media/publication_list.html", context)


@login_required
def publication_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    if not can_record_publications(request.user):
        raise PermissionDenied(_("稿件由单位联络员登记。"))
    form = f.PublicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        published_at = timezone.make_aware(
            datetime.datetime.combine(data["published_on"], datetime.time(9))
        )
        try:
            publication = services.create_publication(
                actor=request.user,
                activity_type=data["activity_type"],
                unit=data["unit"],
                title=data["title"],
                published_at=published_at,
                channel=data["channel"],
                level=data["level"],
                authors=list(data["authors"]),
                link=data.get("link", ""),
                views=data.get("views"),
                notes=data.get("notes", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"published_at": "published_on"})
        else:
            messages.success(request, _("已登记稿件“%(title)s”。") % {"title": publication})
            return redirect("media:publication-detail", publication.pk)
    return render(request, "media/publication_form.html", {"form": form})


@login_required
def publication_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    publication = get_publication_for_user(request.user, pk)
    may_edit = can_edit_activity(request.user, publication.activity)
    form = None
    if may_edit:
        initial = {
            "channel": publication.channel_id,
            "level": publication.level,
            "link": publication.link,
            "views": publication.views,
        }
        form = f.PublicationEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.update_publication(
                    actor=request.user,
                    publication=publication,
                    channel=data["channel"],
                    level=data["level"],
                    link=data.get("link", ""),
                    views=data.get("views"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("media:publication-detail", publication.pk)
    elif request.method == "POST":
        get_publication_for_user(request.user, pk, write=True)
    return render(
        request,
        "media/publication_detail.html",
        {"publication": publication, "authors": selectors.authors_of(publication), "form": form},
    )


# --- Targets --------------------------------------------------------------------------------------


@login_required
def target_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    period = Period.parse(request.GET["period"]) if request.GET.get("period") else None
    unit = _unit(request)
    targets = selectors.target_list(request.user, period=period, unit=unit)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="media.journalisttarget",
            title=_("记者任务量"),
            headers=exports.target_headers(),
            rows=exports.target_rows(targets),
            filters=selectors.target_filters(period, unit),
        )
    form = None
    if units_with_any_perm(request.user, *TARGET_PERMS).exists():
        form = f.JournalistTargetForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                target = services.set_target(
                    actor=request.user,
                    person=data["person"],
                    unit=data["unit"],
                    period_kind=data["period_kind"],
                    period_start=data["period_start"],
                    level=data.get("level", ""),
                    count=data["count"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已下达 %(person)s %(period)s 任务量 %(n)d 篇。")
                    % {
                        "person": target.person.name,
                        "period": target.period_label,
                        "n": target.count,
                    },
                )
                return redirect(reverse("media:target-list") + "?" + request.GET.urlencode())
    params = _params(request, ("period", "unit"))
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    target_rows = [(t, can_set_targets(request.user, t.unit)) for t in page.object_list]
    context = _filter_context(request, params)
    context.update({"page": page, "rows": target_rows, "form": form})
    return render(request, "media/target_list.html", context)


@login_required
@require_POST
def target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = get_journalist_target_for_user(request.user, pk, write=True)
    services.delete_target(actor=request.user, target=target)
    messages.success(request, _("已撤销任务量。"))
    return redirect("media:target-list")


# --- Channels (office) ----------------------------------------------------------------------------


@login_required
def channel_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.create_channel(
                actor=request.user,
                name=form.cleaned_data["name"],
                sort_order=form.cleaned_data["sort_order"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加渠道“%(name)s”。") % {"name": channel.name})
            return redirect("media:channel-list")
    channels = selectors.channel_list()
    return render(
        request,
        "media/channel_list.html",
        {"channels": channels, "form": form, **_nav_context(request)},
    )


@login_required
def channel_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    channel = get_channel_for_user(request.user, pk, write=True)
    form = f.ChannelForm(
        request.POST or None,
        initial={
            "name": channel.name,
            "sort_order": channel.sort_order,
            "is_active": channel.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_channel(actor=request.user, channel=channel, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("media:channel-list")
    return render(request, "media/channel_form.html", {"form": form, "channel": channel})
