"""Briefing pages: the briefing (page and Word) and the office's template editor.
Views parse, fetch through access helpers, call services and selectors, render."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, serve_export
from luoshi.lib.docx import docx_response
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_int
from luoshi.org.access import require_perm, scope_for

from . import exports, selectors, services
from . import forms as f
from .access import (
    can_issue_briefing,
    check_briefing_readable,
    get_briefing_unit_for_user,
    get_issued_for_user,
    get_line_for_user,
    get_section_for_user,
    get_template_for_user,
)
from .documents import briefing_docx, issue_number
from .models import BriefingTemplate

PAGE_SIZE = 50


# --- The briefing ---------------------------------------------------------------------------------


def _briefing_from(
    request: AuthenticatedRequest,
) -> tuple[f.BriefingForm, selectors.Briefing | None]:
    """The form from GET (defaults: the first template, the top unit in reach, this year) and
    the briefing it asks for; a unit or template out of reach is a 404."""
    user = request.user
    if not scope_for(user, "ledger.view").covers_units():
        raise PermissionDenied(_("您没有可以查看简报的单位。"))
    get = request.GET
    unit_id, template_id = parse_int(get.get("unit")), parse_int(get.get("template"))
    if unit_id is not None:
        get_briefing_unit_for_user(user, unit_id)
    if template_id is not None:
        get_template_for_user(user, template_id)
    data: dict[str, Any] = {key: get.get(key, "") for key in ("template", "unit", "from", "to")}
    date_from, date_to = f.default_period()
    first_template = selectors.active_templates().first()
    first_unit = selectors.briefing_units(user).first()
    data = {
        "template": data["template"] or (first_template.pk if first_template else ""),
        "unit": data["unit"] or (first_unit.pk if first_unit else ""),
        "date_from": data["from"] or date_from.isoformat(),
        "date_to": data["to"] or date_to.isoformat(),
    }
    form = f.BriefingForm(data, user=user)
    if not form.is_valid():
        return form, None
    template, unit = form.cleaned_data["template"], form.cleaned_data["unit"]
    try:
        check_briefing_readable(user, template, unit)
    except Http404:
        if unit_id is not None and template_id is not None:
            raise  # asked for by name: the same 404 as any unit out of reach
        form.add_error(
            None,
            _(
                "该简报涉及您数据范围以外的单位（或其下级单位），无法查看；"
                "请选择您可查看全部下级的单位或其他模板。"
            ),
        )
        return form, None
    briefing = selectors.write_briefing(
        user=user,
        template=template,
        unit=unit,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    return form, briefing


def _query(briefing: selectors.Briefing) -> str:
    return urlencode(
        {
            "template": briefing.template.pk,
            "unit": briefing.unit.pk,
            "from": briefing.date_from.isoformat(),
            "to": briefing.date_to.isoformat(),
        }
    )


@login_required
def briefing(request: AuthenticatedRequest) -> HttpResponse:
    form, written = _briefing_from(request)
    return render(
        request,
        "reports/briefing.html",
        {
            "form": form,
            "briefing": written,
            "query": _query(written) if written else "",
            "may_configure": not scope_for(request.user, "ledger.configure").is_empty,
            "may_issue": bool(written and can_issue_briefing(request.user, written.unit)),
        },
    )


@login_required
@require_POST
def briefing_issue(request: AuthenticatedRequest) -> HttpResponse:
    """Issue the briefing the page shows (its query in the POST): kept as it reads now."""
    user = request.user
    unit_id, template_id = (
        parse_int(request.POST.get("unit")),
        parse_int(request.POST.get("template")),
    )
    if unit_id is None or template_id is None:
        raise Http404
    unit = get_briefing_unit_for_user(user, unit_id)
    template = get_template_for_user(user, template_id)
    form = f.BriefingForm(
        {
            "template": template.pk,
            "unit": unit.pk,
            "date_from": request.POST.get("from", ""),
            "date_to": request.POST.get("to", ""),
        },
        user=user,
    )
    back = (
        reverse("reports:briefing")
        + "?"
        + urlencode({key: request.POST.get(key, "") for key in ("template", "unit", "from", "to")})
    )
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        issued = services.issue_briefing(
            actor=user,
            template=template,
            unit=unit,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("简报已印发，今后打开均为印发时的内容。"))
    return redirect("reports:issued-detail", issued.pk)


# --- Issued briefings -----------------------------------------------------------------------------


@login_required
def issued_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not scope_for(user, "ledger.view").covers_units():
        raise PermissionDenied(_("您没有可以查看简报的单位。"))
    issued = selectors.visible_issued(user).order_by("-issued_at", "-id")
    text = request.GET.get("q", "").strip()
    unit_id = parse_int(request.GET.get("unit"))
    if text:
        issued = issued.filter(title__icontains=text)
    if unit_id is not None:
        issued = issued.filter(unit_id=unit_id)
    filters = [_("标题含“%(q)s”") % {"q": text} if text else ""]
    if wants_xlsx(request):
        return serve_export(
            actor=user,
            object_type="reports.issuedbriefing",
            title=_("已印发简报"),
            headers=exports.issued_headers(),
            rows=exports.issued_rows(issued[:5000]),
            filters=filters,
        )
    page = Paginator(issued, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {key: request.GET[key] for key in ("q", "unit") if request.GET.get(key)}
    return render(
        request,
        "reports/issued_list.html",
        {
            "page": page,
            "items": page.object_list,
            "params": params,
            "query": urlencode(params),
            "units": selectors.briefing_units(user)[:200],
        },
    )


@login_required
def issued_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    issued = get_issued_for_user(request.user, pk)
    written = selectors.issued_briefing(issued)
    current = selectors.issued_is_current(issued)
    live = ""
    if issued.template_id and current is False:
        live = reverse("reports:briefing") + "?" + _query(written)
    return render(
        request,
        "reports/issued_detail.html",
        {"issued": issued, "briefing": written, "changed": current is False, "live": live},
    )


@login_required
def issued_word(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    issued = get_issued_for_user(request.user, pk)
    written = selectors.issued_briefing(issued)
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=issued,
        note=_("下载已印发简报 Word"),
    )
    content = briefing_docx(written, issue=issue_number(issued))
    return docx_response(content, f"{written.title}-{written.date_to:%Y%m%d}.docx")


@login_required
def briefing_word(request: AuthenticatedRequest) -> HttpResponse:
    form, written = _briefing_from(request)
    if written is None:
        return redirect(reverse("reports:briefing") + "?" + request.GET.urlencode())
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="reports.briefing",
        object_repr=written.title,
        note=_("下载简报 Word：%(unit)s，%(a)s 至 %(b)s")
        % {"unit": written.unit.name, "a": written.date_from, "b": written.date_to},
    )
    filename = f"{written.title}-{written.date_to:%Y%m%d}.docx"
    return docx_response(briefing_docx(written), filename)


# --- Templates (the office) -----------------------------------------------------------------------


@login_required
def template_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    templates = BriefingTemplate.objects.annotate(section_count=Count("sections"))
    text = request.GET.get("q", "").strip()
    active = request.GET.get("active", "")
    if text:
        templates = templates.filter(name__icontains=text)
    if active in ("1", "0"):
        templates = templates.filter(is_active=active == "1")
    page = Paginator(templates.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = {key: request.GET[key] for key in ("q", "active") if request.GET.get(key)}
    return render(
        request,
        "reports/template_list.html",
        {"page": page, "templates": page.object_list, "params": params, "query": urlencode(params)},
    )


@login_required
def template_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    form = f.TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.create_template(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已新建简报模板，请添加各部分和句子。"))
            return redirect("reports:template-detail", template.pk)
    return render(request, "reports/form.html", {"form": form, "title": _("新建简报模板")})


@login_required
def template_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk, write=True)
    sections = template.sections.select_related("unit").prefetch_related("lines__activity_type")
    return render(
        request,
        "reports/template_detail.html",
        {"template": template, "sections": sections.order_by("order", "id")},
    )


@login_required
def template_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk, write=True)
    initial = {name: getattr(template, name) for name in services.TEMPLATE_FIELDS}
    form = f.TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_template(actor=request.user, template=template, **form.cleaned_data)
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("reports:template-detail", template.pk)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": _("修改简报模板"), "template": template},
    )


def _section_values(form: f.SectionForm) -> dict[str, Any]:
    values = dict(form.cleaned_data)
    if values.get("order") is None:
        values.pop("order", None)
    return values


@login_required
def section_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk, write=True)
    form = f.SectionForm(request.POST or None, user=request.user, initial={"level": 2})
    if request.method == "POST" and form.is_valid():
        try:
            services.create_section(actor=request.user, template=template, **_section_values(form))
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            return redirect("reports:template-detail", template.pk)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": _("添加部分"), "template": template},
    )


@login_required
def section_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = get_section_for_user(request.user, pk)
    initial = {name: getattr(section, name) for name in services.SECTION_FIELDS}
    initial["unit"] = section.unit_id
    form = f.SectionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_section(actor=request.user, section=section, **_section_values(form))
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            return redirect("reports:template-detail", section.template_id)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": _("修改部分"), "template": section.template},
    )


@login_required
@require_POST
def section_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = get_section_for_user(request.user, pk)
    template_id = section.template_id
    services.delete_section(actor=request.user, section=section)
    messages.success(request, _("已删除该部分及其句子。"))
    return redirect("reports:template-detail", template_id)


def _line_values(form: f.LineForm) -> dict[str, Any]:
    values = dict(form.cleaned_data)
    if values.get("order") is None:
        values.pop("order", None)
    return values


@login_required
def line_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = get_section_for_user(request.user, pk)
    form = f.LineForm(request.POST or None, initial={"rounding": "exact"})
    if request.method == "POST" and form.is_valid():
        try:
            services.create_line(actor=request.user, section=section, **_line_values(form))
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            return redirect("reports:template-detail", section.template_id)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": _("添加句子"), "template": section.template},
    )


@login_required
def line_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    initial = {name: getattr(line, name) for name in services.LINE_FIELDS}
    initial["activity_type"] = line.activity_type_id
    form = f.LineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_line(actor=request.user, line=line, **_line_values(form))
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            return redirect("reports:template-detail", line.section.template_id)
    return render(
        request,
        "reports/form.html",
        {"form": form, "title": _("修改句子"), "template": line.section.template},
    )


@login_required
@require_POST
def line_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    template_id = line.section.template_id
    services.delete_line(actor=request.user, line=line)
    messages.success(request, _("已删除该句子。"))
    return redirect("reports:template-detail", template_id)
