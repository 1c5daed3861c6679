"""The organisation pages: the unit tree, people, Excel imports, role grants, and pickers.

Pickers, for other apps' forms — only units/people in the caller's scope for `perm` come back:

    GET /org/pickers/units/?perm=task.issue&q=wtl
        → {"results": [{"id": 4, "text": "市文体旅游广电局",
                         "label": "海西州 / 茫崖市 / 市文体旅游广电局"}]}
    GET /org/pickers/people/?perm=task.assign&q=zs&unit=4   (unit: only members of that unit)
        → {"results": [{"id": 7, "text": "张三", "label": "张三（市文体旅游广电局 科员）"}]}

An htmx request (HX-Request header) gets <option> elements instead, for `hx-get` into a
<select>. In a Django form, use `luoshi.org.forms.unit_field(user, "task.issue", label=...)` or
`person_field(user, "task.assign", label=..., unit=unit)`: a ModelChoiceField whose queryset is
the scope (so nothing outside it validates) and whose widget is a search box above the select
that asks these pickers as the user types ("wtl", "zs", a name). Load `{% static 'org/org.js' %}`
in {% block scripts %}.
"""

import hashlib
from collections.abc import Callable
from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from luoshi.accounts.access import may_manage_account
from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.lib.xlsx import xlsx_response

from . import exports, forms, imports, selectors, services
from .access import (
    can_see_phone,
    get_deleted_unit_for_user,
    get_grant_for_user,
    get_membership_for_user,
    get_person_for_user,
    get_unit_for_user,
    get_unit_in_scope,
    has_perm,
    require_perm,
    scope_for,
)
from .models import Role, UnitKind

PAGE_SIZE = 50


def _call(form, service, **kwargs):
    """Run a service; its ValidationError or refusal lands on the form. Returns the result or None."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        forms.apply_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("您没有此项操作的权限。"))
    return None


# --- Units -----------------------------------------------------------------------------------


@login_required
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "unit.view")
    form = forms.UnitFilterForm(request.GET)
    can_manage = has_perm(request.user, "unit.manage")
    deleted = can_manage and request.GET.get("deleted") == "1"
    flt = form.to_filter(deleted=deleted)
    rows = selectors.unit_tree(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="org.unit",
            title=_("组织机构"),
            headers=exports.unit_headers(),
            rows=exports.unit_rows(rows),
            filters=flt.describe(),
        )
    context = {
        "form": form,
        "rows": rows,
        "can_manage": can_manage,
        "deleted": deleted,
        "own_only": not scope_for(request.user, "unit.view").covers_units(),
    }
    return render(request, "org/unit_list.html", context)


@login_required
def unit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    view_scope = scope_for(request.user, "unit.view")
    ancestors = selectors.unit_ancestors(unit)
    members = list(selectors.unit_members(unit))
    show_phone = has_perm(request.user, "person.phone", unit)
    if show_phone:
        services.note_phones_shown(request.user, [membership.person for membership in members])
    context = {
        "unit": unit,
        "ancestors": [(a, view_scope.contains(a)) for a in ancestors],
        "members": members,
        # a child outside the viewer's scope (a unit-only grant) is named, not linked
        "children": [
            (child, view_scope.contains(child)) for child in selectors.unit_children(unit)
        ],
        "actions": selectors.unit_accountability(unit),
        "show_phone": show_phone,
        "can_manage": has_perm(request.user, "unit.manage", unit),
        "can_manage_people": has_perm(request.user, "person.manage", unit),
        "can_grant": has_perm(request.user, "role.manage", unit),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
def unit_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "unit.manage")
    initial = {"kind": UnitKind.DEPARTMENT, "parent": request.GET.get("parent") or None}
    form = forms.UnitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = _call(form, services.create_unit, actor=request.user, **form.cleaned_data)
        if unit is not None:
            messages.success(request, _("已新增单位“%(unit)s”。") % {"unit": unit})
            return redirect("org:unit-detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, write=True)
    fields = ("name", "short_name", "kind", "parent", "sort_order", "leader")
    initial = {name: getattr(unit, name) for name in fields}
    form = forms.UnitForm(request.POST or None, user=request.user, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changed or _call(
            form, services.update_unit, actor=request.user, unit=unit, **changed
        ):
            messages.success(request, _("已保存。"))
            return redirect("org:unit-detail", pk=unit.pk)
        unit.refresh_from_db()
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_POST
def unit_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    try:
        services.delete_unit(actor=request.user, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:unit-detail", pk=unit.pk)
    messages.success(request, _("已删除“%(unit)s”，可在“已删除单位”中恢复。") % {"unit": unit})
    return redirect("org:unit-list")


@login_required
@require_POST
def unit_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_deleted_unit_for_user(request.user, pk)
    try:
        services.restore_unit(actor=request.user, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('org:unit-list')}?deleted=1")
    messages.success(request, _("已恢复“%(unit)s”。") % {"unit": unit})
    return redirect("org:unit-detail", pk=unit.pk)


# --- People ----------------------------------------------------------------------------------


@login_required
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "person.view")
    form = forms.PersonFilterForm(request.GET, user=request.user)
    flt = form.to_filter()
    found = selectors.people(request.user, flt)
    if wants_xlsx(request):
        people = selectors.with_phones(request.user, found)
        response = serve_export(
            actor=request.user,
            object_type="accounts.user",
            title=_("人员名单"),
            headers=exports.person_headers(),
            rows=exports.person_rows(people),
            filters=flt.describe(),
        )
        services.note_phones_shown(request.user, [p for p in people if p.phone_full])
        return response
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    people = selectors.with_phones(request.user, page.object_list)
    services.note_phones_shown(request.user, [p for p in people if p.phone_full])
    context = {
        "form": form,
        "page": page,
        "people": people,
        "can_manage": has_perm(request.user, "person.manage"),
        "query": _query_without_page(request),
    }
    return render(request, "org/person_list.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


@login_required
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    memberships = list(selectors.person_memberships(person))
    units = [membership.unit for membership in memberships]
    can_manage = has_perm(request.user, "person.manage", units[0] if units else None)
    phone_full = can_see_phone(request.user, person, units)
    if phone_full:
        services.note_phones_shown(request.user, [person])
    context = {
        "person": person,
        "memberships": memberships,
        "grants": selectors.person_grants(person),
        "phone": person.phone if phone_full else person.masked_phone,
        "can_manage": can_manage,
        # 三员分立: an admin account's password is never reset by an administrator.
        "can_reset_password": can_manage
        and may_manage_account(request.user, person, "reset_password"),
        "can_grant": has_perm(request.user, "role.manage"),
        "can_see_sessions": has_perm(request.user, "security.manage")
        and may_manage_account(request.user, person, "sessions"),
        "membership_form": forms.MembershipForm(user=request.user) if can_manage else None,
        "manageable_units": {
            unit.pk for unit in units if has_perm(request.user, "person.manage", unit)
        },
    }
    return render(request, "org/person_detail.html", context)


@login_required
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "person.manage")
    initial = {"unit": request.GET.get("unit") or None}
    form = forms.PersonCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = _call(form, services.create_person, actor=request.user, **form.cleaned_data)
        if person is not None:
            messages.success(
                request,
                _("已新增“%(person)s”。该账号尚无密码，请设置初始密码。") % {"person": person},
            )
            return redirect("org:person-detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, write=True)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = forms.PersonEditForm(request.POST or None, initial=initial)
    if not may_manage_account(request.user, person, "disable"):  # 三员分立
        form.fields["is_active"].disabled = True
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changed or _call(
            form, services.update_person, actor=request.user, person=person, **changed
        ):
            messages.success(request, _("已保存。"))
            return redirect("org:person-detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})


@login_required
def person_password(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, write=True)
    form = forms.InitialPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"]
        if _call(
            form,
            services.set_initial_password,
            actor=request.user,
            person=person,
            password=password,
        ):
            messages.success(
                request, _("已设置初始密码，%(person)s 首次登录时须修改。") % {"person": person}
            )
            return redirect("org:person-detail", pk=person.pk)
    return render(request, "org/person_password.html", {"form": form, "person": person})


@login_required
@require_POST
def membership_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    form = forms.MembershipForm(request.POST, user=request.user)
    if form.is_valid():
        _call(form, services.add_membership, actor=request.user, person=person, **form.cleaned_data)
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
    else:
        messages.success(request, _("已添加兼职单位。"))
    return redirect("org:person-detail", pk=person.pk)


@login_required
@require_POST
def membership_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk)
    try:
        services.remove_membership(actor=request.user, membership=membership)
        messages.success(request, _("已移除在%(unit)s的任职。") % {"unit": membership.unit})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("org:person-detail", pk=membership.person_id)


# --- Imports ---------------------------------------------------------------------------------


class ImportSpec(TypedDict):
    perm: str
    run: Callable[..., imports.ImportResult]
    template: Callable[[], bytes]
    title: Promise
    headers: tuple[str, ...]
    done: str


IMPORTS: dict[str, ImportSpec] = {
    "unit": {
        "perm": "unit.manage",
        "run": imports.import_units,
        "template": imports.unit_template,
        "title": gettext_lazy("单位导入"),
        "headers": imports.UNIT_HEADERS,
        "done": "org:unit-list",
    },
    "person": {
        "perm": "person.manage",
        "run": imports.import_people,
        "template": imports.person_template,
        "title": gettext_lazy("人员导入"),
        "headers": imports.PERSON_HEADERS,
        "done": "org:person-list",
    },
}
REPORT_SESSION_KEY = "org_import_report"


def _import(request: HttpRequest, kind: str) -> HttpResponse:
    spec = IMPORTS[kind]
    require_perm(request.user, spec["perm"])
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[imports.RowError] = []
    warnings: list[imports.RowError] = []
    digest = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        digest = hashlib.sha256(data).hexdigest()
        result = spec["run"](
            actor=request.user,
            data=data,
            filename=upload.name,
            confirm_warnings=form.cleaned_data["confirmed"] == digest,
        )
        warnings = result.warnings
        if result.ok:
            request.session.pop(REPORT_SESSION_KEY, None)
            if result.examples and not result.created:  # only the example row: nothing to do
                messages.info(request, imports.examples_note(result.examples, only=True))
                return redirect(request.path)
            done = _("导入成功，共 %(n)d 条。") % {"n": len(result.created)}
            if result.examples:
                done += imports.examples_note(result.examples)
            messages.success(request, done)
            return redirect(spec["done"])
        errors = result.errors
        request.session[REPORT_SESSION_KEY] = [
            [error.row, error.column, error.message] for error in errors[:2000]
        ]
    if warnings:
        form = forms.ImportForm(initial={"confirmed": digest})
    context = {
        "form": form,
        "errors": errors,
        "warnings": warnings,
        "kind": kind,
        "title": spec["title"],
        "headers": spec["headers"],
    }
    return render(request, "org/import.html", context, status=200)


@login_required
def unit_import(request: AuthenticatedRequest) -> HttpResponse:
    return _import(request, "unit")


@login_required
def person_import(request: AuthenticatedRequest) -> HttpResponse:
    return _import(request, "person")


def _template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = IMPORTS[kind]
    require_perm(request.user, spec["perm"])
    return xlsx_response(spec["template"](), f"{spec['title']}模板.xlsx")


@login_required
def unit_import_template(request: AuthenticatedRequest) -> HttpResponse:
    return _template(request, "unit")


@login_required
def person_import_template(request: AuthenticatedRequest) -> HttpResponse:
    return _template(request, "person")


@login_required
def import_report(request: AuthenticatedRequest) -> HttpResponse:
    """The last failed import's errors, as .xlsx (kept in the session, never on disk)."""
    rows = request.session.get(REPORT_SESSION_KEY)
    if not rows:
        raise Http404
    errors = [imports.RowError(*row) for row in rows]
    return xlsx_response(imports.error_report(errors), "导入错误报告.xlsx")


# --- Role grants -----------------------------------------------------------------------------


@login_required
def grant_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "role.manage")
    form = forms.GrantFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    found = selectors.grants(
        request.user,
        role=data.get("role", ""),
        unit_q=data.get("unit", ""),
        person_q=data.get("person", ""),
        unit_id=_int_or_none(request.GET.get("unit_id")),
        person_id=_int_or_none(request.GET.get("person_id")),
    )
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="org.rolegrant",
            title=_("角色授权"),
            headers=exports.grant_headers(),
            rows=exports.grant_rows(found),
            filters=[f"{form.fields[k].label}：{v}" for k, v in data.items() if v],
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "org/grant_list.html", context)


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def grant_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "role.manage")
    initial = {"person": request.GET.get("person") or None, "unit": request.GET.get("unit") or None}
    form = forms.GrantForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        grant = _call(form, services.grant_role, actor=request.user, **form.cleaned_data)
        if grant is not None:
            messages.success(request, _("已授权：%(grant)s。") % {"grant": grant})
            return redirect(f"{reverse('org:grant-list')}?person_id={grant.person_id}")
    return render(request, "org/grant_form.html", {"form": form, "admin_roles": Role})


@login_required
@require_POST
def grant_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk)
    try:
        services.revoke_role(actor=request.user, grant=grant)
        messages.success(request, _("已撤销：%(grant)s。") % {"grant": grant})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("org:grant-list")
    return redirect(target)


# --- Pickers ---------------------------------------------------------------------------------


def _picker_response(request: AuthenticatedRequest, results: list[dict]) -> HttpResponse:
    if request.htmx:
        return render(request, "org/picker_options.html", {"results": results})
    return JsonResponse({"results": results})


@login_required
def unit_picker(request: AuthenticatedRequest) -> HttpResponse:
    perm = request.GET.get("perm") or "unit.view"
    units = selectors.picker_units(request.user, perm, request.GET.get("q", ""))
    labels = selectors.unit_labels(units)
    results = [{"id": u.pk, "text": u.name, "label": labels[u.pk]} for u in units]
    return _picker_response(request, results)


@login_required
def person_picker(request: AuthenticatedRequest) -> HttpResponse:
    perm = request.GET.get("perm") or "person.view"
    unit_id = _int_or_none(request.GET.get("unit"))
    unit = get_unit_in_scope(request.user, unit_id, perm=perm) if unit_id else None
    found = selectors.picker_people(request.user, perm, request.GET.get("q", ""), unit=unit)
    results = []
    for person in found:
        posts = [f"{m.unit.name} {m.position}".strip() for m in person.memberships.all()]
        label = f"{person.name}（{'；'.join(posts)}）" if posts else person.name
        results.append({"id": person.pk, "text": person.name, "label": label})
    return _picker_response(request, results)
