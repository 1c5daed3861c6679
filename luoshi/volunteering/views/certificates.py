"""Certificates: issuing one (only the recording unit), downloading it as Word."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.docx import docx_response
from luoshi.lib.forms import add_service_errors

from .. import forms as f
from .. import selectors, services
from ..access import get_certificate_for_user, get_volunteer_for_user
from ..documents import certificate_docx


@login_required
def certificate_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    volunteer = get_volunteer_for_user(request.user, pk)
    units = selectors.certifying_units(request.user, volunteer)
    if not units:
        raise PermissionDenied(_("只有记录该志愿者服务时长的单位可以出具志愿服务证明。"))
    today = timezone.localdate()
    initial = {"issuer": units[0], "date_from": datetime.date(today.year, 1, 1), "date_to": today}
    form = f.CertificateForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.issue_certificate(
                actor=request.user, volunteer=volunteer, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已出具志愿服务证明 %(n)s。") % {"n": certificate.number})
            return redirect("volunteering:volunteer-detail", volunteer.pk)
    title = _("出具志愿服务证明：%(name)s") % {"name": volunteer.masked_name}
    return render(request, "volunteering/form.html", {"form": form, "title": title})


@login_required
def certificate_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    certificate = get_certificate_for_user(request.user, pk)
    url = request.build_absolute_uri(reverse("volunteering:verify", args=[certificate.token]))
    content = certificate_docx(certificate, verify_url=url)
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=certificate,
        verb="download",
        note=_("下载志愿服务证明（Word）"),
    )
    return docx_response(content, f"志愿服务证明-{certificate.number}.docx")
