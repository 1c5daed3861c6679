"""Activity types, configured by the campaign office: the list (with its export), add and edit."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import (
    require_perm,
)

from .. import exports, selectors, services
from .. import forms as f
from ..access import get_type_for_user
from ..models import Category


@login_required
def type_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.configure")
    text = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    active = request.GET.get("active", "")
    flt = selectors.TypeFilter(
        text=text, category=category, active={"1": True, "0": False}.get(active)
    )
    types = selectors.type_list(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="ledgers.activitytype",
            title=_("活动类型"),
            headers=exports.type_headers(),
            rows=exports.type_rows(types),
        )
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
    activity_type = get_type_for_user(request.user, pk, write=True)
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
