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
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.ledgers.access import can_edit_activity
from luoshi.lib.forms import add_service_errors
from luoshi.lib.params import parse_date, parse_int
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import (
    get_person_in_scope,
    get_unit_in_scope,
    has_perm,
    require_perm,
    scope_for,
    units_for_picker,
)

from . import forms as f
from . import selectors, services
from .access import can_set_targets, get_publication_for_user, get_target_for_user, target_units
from .models import Channel, Level
from .selectors import Period, PublicationFilter

PAGE_SIZE = 50


def _unit(request: AuthenticatedRequest):
    """The unit filter; a unit outside the ledger.view scope is a 404."""
    unit_id = parse_int(request.GET.get("unit"))
    return get_unit_in_scope(request.user, unit_id, perm="ledger.view") if unit_id else None


def _params(request: AuthenticatedRequest, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: request.GET[key] for key in keys if request.GET.get(key)}


def _audit_export(request: AuthenticatedRequest, object_type: str, what: str, rows: int) -> str:
    note = _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type=object_type,
        object_repr=what,
        note=f"{note}；{request.GET.urlencode()}；{rows} 行",
    )
    return note


def _filter_context(request: AuthenticatedRequest, params: dict[str, str]) -> dict[str, Any]:
    return {
        "params": params,
        "query": urlencode(params),
        "period_value": params.get("period", ""),
        "units": units_for_picker(request.user, "ledger.view").order_by("path")[:300],
        "channels": Channel.objects.order_by("sort_order", "id"),
        "levels": Level.choices,
        **_nav_context(request),
    }


def _nav_context(request: AuthenticatedRequest) -> dict[str, Any]:
    return {
        "perms_configure": has_perm(request.user, "ledger.configure"),
        # Publications are unit records: "self"-scope staff record only personal ones.
        "may_record": scope_for(request.user, "ledger.record").covers_units(),
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
    if request.GET.get("export") == "xlsx":
        title = _("融媒矩阵任务完成情况")
        level_headers: list[str] = []
        for _value, label in table.levels:
            level_headers += [
                _("%(level)s级任务") % {"level": label},
                _("%(level)s级刊播") % {"level": label},
            ]
        rows: list[list[Any]] = []
        for row in table.rows:
            levels: list[Any] = []
            for target, placed in row.by_level:
                levels += [target if target is not None else "", placed]
            rows.append(
                [
                    row.person.name or row.person.username,
                    row.unit.name if row.unit else "",
                    row.target if row.target is not None else "",
                    row.placements,
                    f"{row.rate}%" if row.rate is not None else "",
                    _("未完成") if row.under else "",
                    *row.by_channel,
                    *levels,
                    row.views,
                ]
            )
        note = _audit_export(request, "media.publication", title, len(rows))
        scope_note = _("周期：%(period)s；单位：%(unit)s") % {
            "period": period.label,
            "unit": unit.name if unit else _("全部"),
        }
        content = build_workbook(
            title=title,
            headers=[
                _("记者"),
                _("单位"),
                _("任务量"),
                _("刊播篇数"),
                _("完成率"),
                _("未完成任务"),
                *[c.name for c in table.channels],
                *level_headers,
                _("阅读（播放）量"),
            ],
            rows=rows,
            notes=[note, scope_note],
        )
        return xlsx_response(content, f"{title}-{period.label}.xlsx")
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
            "may_set_targets": target_units(request.user).exists(),
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


def _authors(publication) -> str:
    return "、".join(
        p.person.name or p.person.username for p in publication.activity.participations.all()
    )


@login_required
def publication_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt = _publication_filter(request)
    publications = selectors.publication_list(request.user, flt)
    if request.GET.get("export") == "xlsx":
        title = _("刊播稿件")
        rows = [
            (
                p.activity.starts_at,
                p.activity.title,
                p.channel.name,
                p.get_level_display(),
                _authors(p),
                p.activity.unit.name,
                p.views,
                p.link,
            )
            for p in publications
        ]
        note = _audit_export(request, "media.publication", title, len(rows))
        content = build_workbook(
            title=title,
            headers=[
                _("刊播时间"),
                _("标题"),
                _("渠道"),
                _("级别"),
                _("作者"),
                _("组织单位"),
                _("阅读（播放）量"),
                _("链接"),
            ],
            rows=rows,
            notes=[note],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    params = _params(request, ("unit", "channel", "level", "from", "to", "person", "q"))
    page = Paginator(publications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _filter_context(request, params)
    context.update(
        {
            "page": page,
            "publications": [(p, _authors(p)) for p in page.object_list],
        }
    )
    return render(request, "media/publication_list.html", context)


@login_required
def publication_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    if not scope_for(request.user, "ledger.record").covers_units():
        raise PermissionDenied(_("稿件由单位联络员登记。"))
    form = f.PublicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        published_at = timezone.make_aware(
            datetime.datetime.combine(data["published_on"], datetime.time(9))
        )
        try:
            publication = services.record_publication(
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
        {"publication": publication, "authors": _authors(publication), "form": form},
    )


# --- Targets --------------------------------------------------------------------------------------


@login_required
def target_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    period = Period.parse(request.GET["period"]) if request.GET.get("period") else None
    unit = _unit(request)
    targets = selectors.target_list(request.user, period=period, unit=unit)
    if request.GET.get("export") == "xlsx":
        title = _("记者任务量")
        rows = [
            (
                t.period_label,
                t.get_period_kind_display(),
                t.person.name or t.person.username,
                t.unit.name,
                t.get_level_display() or _("不分级别"),
                t.count,
            )
            for t in targets
        ]
        note = _audit_export(request, "media.target", title, len(rows))
        content = build_workbook(
            title=title,
            headers=[_("周期"), _("类型"), _("记者"), _("单位"), _("级别"), _("任务量（篇）")],
            rows=rows,
            notes=[note],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    form = None
    if target_units(request.user).exists():
        form = f.TargetForm(request.POST or None, user=request.user)
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
    target = get_target_for_user(request.user, pk, write=True)
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
    channels = Channel.objects.order_by("sort_order", "id")
    return render(
        request,
        "media/channel_list.html",
        {"channels": channels, "form": form, **_nav_context(request)},
    )


@login_required
def channel_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    channel = Channel.objects.filter(pk=pk).first()
    if channel is None:
        from django.http import Http404

        raise Http404
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
