"""Enrolment (QR code and secret, then the recovery codes shown once), the code asked after the
password, recovery codes, and the 安全管理员's policy and reset pages."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.forms import add_service_errors
from luoshi.org.access import get_person_in_scope

from . import selectors, services
from .access import get_requirement_for_user, is_enrolled, required_because
from .forms import CodeForm, UnitRequirementForm

WRONG_CODE = gettext_lazy("验证码不正确或已使用过，请输入身份验证器上当前显示的验证码。")


def _qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (segno, drawn here: nothing is fetched)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def _secret(device: TOTPDevice) -> str:
    """The secret in base32 for typing into the app by hand, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _codes_page(request: AuthenticatedRequest, codes: list[str], *, first: bool) -> HttpResponse:
    # The codes are in this response only; what is stored is their hashes.
    # never_cache on the views keeps browsers and proxies from storing the page.
    return render(request, "mfa/recovery_codes.html", {"codes": codes, "first": first})


@never_cache
@login_required
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Enrolled: the state and what can be done. Not yet: the QR code and the secret, and the
    form for the first code; once it is right, the recovery codes."""
    user = request.user
    reason = required_because(user)
    if is_enrolled(user):
        context = {
            "reason": reason,
            "codes_left": services.recovery_codes_left(user),
            "remove_form": CodeForm(),
        }
        return render(request, "mfa/status.html", context)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.confirm_enrolment(actor=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error, default_field="code")
        else:
            if confirmed is not None:
                device, codes = confirmed
                otp_login(request, device)
                return _codes_page(request, codes, first=True)
            form.add_error("code", WRONG_CODE)
    device = services.begin_enrolment(actor=user)
    context = {
        "form": form,
        "reason": reason,
        "qr": mark_safe(_qr_svg(device)),  # segno's own markup of a URL it encoded
        "secret": _secret(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "mfa/enrol.html", context)


@never_cache
@login_required
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """The second step of the login: a code from the authenticator, or a recovery code."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not _is_safe(request, next_url):
        next_url = ""
    if user.is_verified() or not is_enrolled(user):  # type: ignore[attr-defined]
        return redirect(next_url or "home")
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_code(actor=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error, default_field="code")
        else:
            if device is not None:
                otp_login(request, device)
                return redirect(next_url or "home")
            form.add_error("code", WRONG_CODE)
    return render(request, "mfa/verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes, for a current authenticator code."""
    if not is_enrolled(request.user):
        return redirect("mfa:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(
                actor=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            add_service_errors(form, error, default_field="code")
        else:
            if codes is not None:
                return _codes_page(request, codes, first=False)
            form.add_error("code", WRONG_CODE)
    left = services.recovery_codes_left(request.user)
    return render(request, "mfa/regenerate.html", {"form": form, "codes_left": left})


@login_required
@require_POST
def remove(request: AuthenticatedRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            removed = services.remove_device(actor=request.user, code=form.cleaned_data["code"])
        except PermissionDenied as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if removed:
                messages.success(request, _("已解除身份验证器绑定，恢复码同时作废。"))
            else:
                messages.error(request, WRONG_CODE)
    else:
        messages.error(request, " ".join(str(error) for error in form.errors.get("code", [])))
    return redirect("mfa:enrol")


# --- The 安全管理员 --------------------------------------------------------------------------------


@login_required
def policy(request: AuthenticatedRequest) -> HttpResponse:
    """Which units require a second factor (beside the fixed roles), and people's state."""
    text = request.GET.get("q", "")
    context = {
        "requirements": selectors.unit_requirements(request.user),
        "form": UnitRequirementForm(user=request.user),
        "people": selectors.people_status(request.user, text),
        "q": text,
    }
    return render(request, "mfa/policy.html", context)


@login_required
@require_POST
def unit_require(request: AuthenticatedRequest) -> HttpResponse:
    selectors.unit_requirements(request.user)  # PermissionDenied for all but the 安全管理员
    form = UnitRequirementForm(request.POST, user=request.user)
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        services.require_for_unit(actor=request.user, unit=unit)
        messages.success(
            request, _("已要求“%(unit)s”及其下级单位的人员使用双因素鉴别。") % {"unit": unit}
        )
    else:
        errors = form.errors.get("unit") or [_("请选择单位。")]
        messages.error(request, " ".join(str(error) for error in errors))
    return redirect("mfa:policy")


@login_required
@require_POST
def unit_release(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    requirement = get_requirement_for_user(request.user, pk)
    unit = requirement.unit
    services.release_unit(actor=request.user, requirement=requirement)
    messages.success(request, _("已取消对“%(unit)s”的双因素鉴别要求。") % {"unit": unit})
    return redirect("mfa:policy")


@login_required
@require_POST
def person_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_person_in_scope(request.user, pk, perm="security.manage")
    services.reset_mfa(actor=request.user, person=person)
    messages.success(
        request,
        _("已重置“%(name)s”的双因素鉴别，其下次操作时须重新绑定身份验证器。")
        % {"name": person.name or person.username},
    )
    return redirect(reverse("mfa:policy") + "?" + urlencode({"q": person.username}))


def _is_safe(request: AuthenticatedRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
