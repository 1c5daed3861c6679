"""Import from Excel: the template of a type and the upload of filled-in rows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.params import parse_int
from luoshi.lib.xlsx import xlsx_response
from luoshi.org.access import (
    require_perm,
)
from luoshi.org.imports import examples_note

from .. import imports
from ..access import recordable_types


@login_required
def type_template(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The import template of one activity type, generated from its fields."""
    require_perm(request.user, "ledger.record")
    activity_type = recordable_types(request.user).filter(pk=pk).first()
    if activity_type is None:
        raise Http404
    name = _("%(type)s导入模板") % {"type": activity_type.name}
    return xlsx_response(imports.template(activity_type), f"{name}.xlsx")


@login_required
def activity_import(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.record")
    types = list(recordable_types(request.user))
    type_id = parse_int(request.POST.get("type") or request.GET.get("type"))
    activity_type = next((t for t in types if t.pk == type_id), None)
    result = None
    if request.method == "POST" and activity_type is not None:
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
        else:
            result = imports.import_activities(
                actor=request.user,
                activity_type=activity_type,
                data=upload.read(),
                filename=upload.name or "",
            )
            if result.ok and result.examples and not (result.created or result.skipped):
                messages.info(request, examples_note(result.examples, only=True))
                return redirect(reverse("ledgers:activity-import") + f"?type={activity_type.pk}")
            if result.ok:
                done = _("已导入 %(n)d 条活动，跳过已导入过的 %(s)d 条。") % {
                    "n": len(result.created),
                    "s": result.skipped,
                }
                if result.examples:
                    done += examples_note(result.examples)
                messages.success(request, done)
                return redirect(reverse("ledgers:activity-list") + f"?type={activity_type.pk}")
    return render(
        request,
        "ledgers/import.html",
        {"types": types, "activity_type": activity_type, "result": result},
    )
