"""Platform import pages: upload, preview and matching (phone-friendly), confirm/undo, history.

Views parse the request, fetch through learning.access (404 outside scope), call
services.imports and render.
"""

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_int
from luoshi.org.access import scope_for
from luoshi.org.models import Membership, Unit

from .. import exports, selectors, services
from .. import forms as f
from ..access import (
    can_import_for,
    get_import_for_user,
    get_row_for_user,
    history_unit,
    import_units,
    visible_imports,
)
from ..models import AbsentPolicy, ImportRow, Platform, PointImport

PAGE_SIZE = 50
ORG_LIMIT = 30  # unmapped organisations listed at once


def _require_history(user: User) -> None:
    if not scope_for(user, "learning.view").covers_units():
        raise PermissionDenied(_("您没有查看平台数据导入记录的权限。"))


# --- Upload --------------------------------------------------------------------------------------


@login_required
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    if scope_for(request.user, "learning.import").is_empty:
        raise PermissionDenied(_("您没有导入平台数据的权限。"))
    errors: list = []
    if request.method == "POST":
        form = f.UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                point_import = services.start_import(
                    actor=request.user,
                    platform=data["platform"],
                    unit=data["unit"],
                    upload=data["file"],
                    period_start=data.get("period_start"),
                    period_end=data.get("period_end"),
                )
            except services.ImportRejected as rejected:
                errors = rejected.row_errors
            except ValidationError as error:
                form.add_error(None, error)  # on the field it names (the file, the period)
            else:
                return redirect("learning:import-detail", point_import.pk)
    else:
        units = list(import_units(request.user).order_by("path")[:1])
        form = f.UploadForm(user=request.user, initial={"unit": units[0].pk if units else None})
    return render(request, "learning/import_upload.html", {"form": form, "errors": errors})


# --- Preview and matching ------------------------------------------------------------------------


def _candidates(rows: list[ImportRow]) -> dict[int, list[dict[str, Any]]]:
    """{row id: [{person, units}]} for the candidates of the rows shown (two queries)."""
    ids = {pk for row in rows for pk in row.candidates}
    people = {p.pk: p for p in User.objects.filter(pk__in=ids)}
    units: dict[int, list[str]] = {}
    for person_id, name in Membership.objects.filter(person_id__in=ids).values_list(
        "person_id", "unit__name"
    ):
        units.setdefault(person_id, []).append(name)
    return {
        row.pk: [
            {"person": people[pk], "units": "、".join(units.get(pk, []))}
            for pk in row.candidates
            if pk in people
        ]
        for row in rows
    }


def _organisations(point_import: PointImport, user: User) -> list[dict[str, Any]]:
    """Platform organisations of the rows still pending, with their unit if mapped, else a
    suggestion by name among the units the user may import for."""
    names = list(
        point_import.rows.filter(match__in=services.PENDING)
        .exclude(org_name="")
        .values_list("org_name", flat=True)
        .distinct()
        .order_by("org_name")[:ORG_LIMIT]
    )
    if not names:
        return []
    # Organisations already known (a mapping that applies here, one made in this preview, or a
    # unit of exactly that name) are not asked for.
    known = (
        set(services.applicable_org_aliases(point_import.platform, point_import.unit))
        | set((point_import.staged or {}).get("orgs") or {})
        | set(Unit.objects.alive().filter(name__in=names).values_list("name", flat=True))
    )
    names = [name for name in names if name not in known]
    if not names:
        return []
    units = services.import_units_for_suggestion(user, point_import.unit)
    result: list[dict[str, Any]] = []
    for name in names:
        suggestion = services.suggest_unit(name, units)
        result.append(
            {
                "name": name,
                "form": f.OrganisationForm(
                    user=user,
                    initial={"org_name": name, "unit": suggestion.pk if suggestion else None},
                    prefix=f"org{len(result)}",
                ),
            }
        )
    return result


def _staged_orgs(point_import: PointImport) -> list[tuple[str, str]]:
    """The organisation mappings made in this preview, saved when it is confirmed."""
    orgs = (point_import.staged or {}).get("orgs") or {}
    names = dict(Unit.objects.filter(pk__in=set(orgs.values())).values_list("id", "name"))
    return sorted((org, names.get(unit_id, "")) for org, unit_id in orgs.items())


def _detail_context(
    request: AuthenticatedRequest, point_import: PointImport, **extra: Any
) -> dict[str, Any]:
    writable = can_import_for(request.user, point_import.unit)
    is_preview = point_import.status == PointImport.Status.PREVIEW
    default = "pending" if is_preview and point_import.unmatched_count else "matched"
    show = request.GET.get("show", default)
    if show not in selectors.ROW_GROUPS:
        show = default
    rows = point_import.rows.filter(match__in=selectors.ROW_GROUPS[show]).select_related(
        "person", "unit"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    row_list = list(page.object_list)
    editable = writable and is_preview
    if show == "pending" and editable:
        candidates = _candidates(row_list)
        for row in row_list:
            row.candidate_list = candidates.get(row.pk, [])  # type: ignore[attr-defined]
            row.form = f.RowForm(user=request.user, auto_id=f"row{row.pk}_%s")  # type: ignore[attr-defined]
    if point_import.status == PointImport.Status.CONFIRMED and show == "matched":
        # The saved figures, derived ones marked: what the summaries count.
        saved = {
            person_id: (value, derived)
            for person_id, value, derived in point_import.records.filter(
                person_id__in=[row.person_id for row in row_list]
            ).values_list("person_id", "value", "is_derived")
        }
        for row in row_list:
            row.saved = saved.get(row.person_id or 0)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "point_import": point_import,
        "writable": writable,
        "editable": editable,
        "show": show,
        "page": page,
        "rows": row_list,
        # Rows of units outside the import are not work to do: one line counts them.
        "tabs": [
            ("pending", _("待处理"), point_import.unmatched_count),
            ("matched", _("已匹配"), point_import.matched_count),
            ("skipped", _("已跳过"), point_import.skipped_count),
        ],
        "confirm_form": f.ConfirmForm(),
        "undo_form": f.UndoForm(),
    }
    if editable:
        context["absent_count"] = services.absent_count(request.user, point_import)
        context["may_keep_absent"] = services.may_keep_absent(request.user, point_import)
        context["absent_policy"] = extra.pop("absent_policy", AbsentPolicy.NOT_EXPORTED)
        context["staged_orgs"] = _staged_orgs(point_import)
    elif point_import.status in (PointImport.Status.CONFIRMED, PointImport.Status.UNDONE):
        context["absent_names"] = list(
            User.objects.filter(pk__in=(point_import.absent_people or [])[:PAGE_SIZE])
            .order_by("pinyin")
            .values_list("name", flat=True)
        )
    if editable:
        context["mapping_form"] = extra.pop("mapping_form", None) or f.MappingForm(
            point_import=point_import
        )
        context["organisations"] = _organisations(point_import, request.user)
    context.update(extra)
    return context


@login_required
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    point_import = get_import_for_user(request.user, pk)
    return render(request, "learning/import_detail.html", _detail_context(request, point_import))


def _back(point_import: PointImport, request: AuthenticatedRequest) -> HttpResponse:
    url = reverse("learning:import-detail", args=[point_import.pk])
    show = request.POST.get("show") or request.GET.get("show")
    return redirect(f"{url}?{urlencode({'show': show})}" if show else url)


@login_required
@require_POST
def import_mapping(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    point_import = get_import_for_user(request.user, pk, write=True)
    form = f.MappingForm(request.POST, point_import=point_import)
    errors: list = []
    if form.is_valid():
        try:
            services.remap_import(
                actor=request.user, point_import=point_import, mapping=form.mapping()
            )
        except services.ImportRejected as rejected:
            errors = rejected.row_errors
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已按新的列对应重新读取文件。"))
            return _back(point_import, request)
    context = _detail_context(request, point_import, mapping_form=form, errors=errors)
    return render(request, "learning/import_detail.html", context, status=422)


@login_required
@require_POST
def import_organisation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    point_import = get_import_for_user(request.user, pk, write=True)
    prefix = request.POST.get("prefix", "")
    form = f.OrganisationForm(request.POST, user=request.user, prefix=prefix or None)
    if form.is_valid():
        try:
            services.map_organisation(
                actor=request.user,
                point_import=point_import,
                org_name=form.cleaned_data["org_name"],
                unit=form.cleaned_data["unit"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("已将“%(org)s”对应到%(unit)s，并重新匹配。")
                % {"org": form.cleaned_data["org_name"], "unit": form.cleaned_data["unit"]},
            )
    else:
        messages.error(request, _("请选择本次导入范围内的单位。"))
    return _back(point_import, request)


@login_required
@require_POST
def import_row(request: AuthenticatedRequest, pk: int, row_pk: int) -> HttpResponse:
    row = get_row_for_user(request.user, row_pk, write=True)
    if row.point_import_id != pk:
        raise Http404
    point_import = row.point_import
    form = f.RowForm(request.POST, user=request.user)
    if form.is_valid():
        skip = form.cleaned_data["action"] == "skip"
        try:
            services.resolve_row(
                actor=request.user, row=row, person=form.cleaned_data.get("person"), skip=skip
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if skip:
                messages.success(request, _("第 %(n)d 行已跳过。") % {"n": row.row_number})
            else:
                messages.success(
                    request,
                    _("第 %(n)d 行已对应到%(name)s，以后自动匹配。")
                    % {"n": row.row_number, "name": row.person},
                )
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return _back(point_import, request)


@login_required
@require_POST
def import_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    point_import = get_import_for_user(request.user, pk, write=True)
    form = f.ConfirmForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.confirm_import(
            actor=request.user,
            point_import=point_import,
            replace=bool(data.get("replace")),
            skip_pending=bool(data.get("skip_pending")),
            absent_policy=data.get("absent_policy") or AbsentPolicy.NOT_EXPORTED,
        )
    except services.ReplaceNeeded as needed:
        context = _detail_context(
            request,
            point_import,
            replace_needed=needed.messages[0],
            previous=needed.previous,
            absent_policy=data.get("absent_policy") or AbsentPolicy.NOT_EXPORTED,
        )
        return render(request, "learning/import_detail.html", context, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(point_import, request)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return _back(point_import, request)
    point_import.refresh_from_db()
    messages.success(
        request,
        _("已导入 %(n)d 条数据。") % {"n": point_import.record_count},
    )
    return redirect("learning:import-detail", point_import.pk)


@login_required
@require_POST
def import_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    point_import = get_import_for_user(request.user, pk, write=True)
    form = f.UndoForm(request.POST)
    form.is_valid()
    try:
        services.undo_import(
            actor=request.user,
            point_import=point_import,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤销该次导入，相关数据已删除。"))
    return redirect("learning:import-detail", point_import.pk)


@login_required
@require_POST
def import_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    point_import = get_import_for_user(request.user, pk, write=True)
    try:
        services.discard_import(actor=request.user, point_import=point_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning:import-detail", point_import.pk)
    messages.success(request, _("已放弃该次导入。"))
    return redirect("learning:import-list")


@login_required
def import_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The uploaded export itself, for whoever sees the import (audited)."""
    point_import = get_import_for_user(request.user, pk)
    attachment = point_import.attachment
    if attachment is None:
        raise Http404
    record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        obj=point_import,
        object_repr=point_import.file_name,
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=point_import.file_name,
        content_type=attachment.content_type_name,
    )


# --- History -------------------------------------------------------------------------------------


def _history(request: AuthenticatedRequest) -> tuple[f.HistoryFilterForm, selectors.ImportFilter]:
    """The history's filter from the query (invalid fields are ignored, as is a unit outside
    the user's learning.view scope)."""
    form = f.HistoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    month = (data.get("month") or "").strip()
    try:
        first = datetime.datetime.strptime(month, "%Y-%m").date() if month else None  # noqa: DTZ007
    except ValueError:
        first = None
    return form, selectors.ImportFilter(
        platform=data.get("platform", ""),
        status=data.get("status", ""),
        month=first,
        unit=history_unit(request.user, parse_int(request.GET.get("unit"))),
    )


@login_required
def import_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_history(request.user)
    form, flt = _history(request)
    imports = flt.apply(
        visible_imports(request.user).select_related("unit", "created_by", "confirmed_by")
    )
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="learning.pointimport",
            title=_("平台数据导入记录"),
            headers=exports.import_headers(),
            rows=exports.import_rows(imports),
            filters=flt.describe(),
        )
    page = Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/import_list.html",
        {
            "form": form,
            "page": page,
            "imports": page.object_list,
            "query": urlencode(flt.query()),
            "may_import": not scope_for(request.user, "learning.import").is_empty,
        },
    )


# --- Organisation mappings -----------------------------------------------------------------------


@login_required
def org_aliases(request: AuthenticatedRequest) -> HttpResponse:
    """The platform organisation mappings of the user's scope, with who made them; the office
    sees where the same organisation maps to different units in different scopes."""
    if scope_for(request.user, "learning.import").is_empty:
        raise PermissionDenied(_("您没有导入平台数据的权限。"))
    platform = request.GET.get("platform", "")
    flt = selectors.OrgAliasFilter(
        platform=platform if platform in dict(Platform.choices) else "",
        q=request.GET.get("q", "").strip()[:100],
        conflicts=request.GET.get("conflicts") == "1",
    )
    aliases = flt.apply(selectors.visible_org_aliases(request.user))
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="learning.orgalias",
            title=_("平台组织对应"),
            headers=exports.org_alias_headers(),
            rows=exports.org_alias_rows(aliases),
            filters=flt.describe(),
        )
    page = Paginator(aliases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        {
            key: value
            for key, value in (
                ("platform", flt.platform),
                ("q", flt.q),
                ("conflicts", "1" if flt.conflicts else ""),
            )
            if value
        }
    )
    return render(
        request,
        "learning/org_aliases.html",
        {
            "page": page,
            "aliases": page.object_list,
            "filter": flt,
            "platforms": Platform.choices,
            "query": query,
        },
    )
