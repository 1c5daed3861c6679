"""The pages without login: a resident orders a service (rate-limited per address and phone,
with a sum to solve; nothing personal shown back), looks an order up by its code and rates it;
anyone checks a certificate by the address of its QR code."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from luoshi.accounts.middleware import client_ip
from luoshi.lib.fieldcrypt import lookup_hash
from luoshi.lib.forms import add_service_errors

from .. import forms as f
from ..models import Certificate, ServiceOrder
from ..services import orders as moves
from ..throttle import LOOKUPS_PER_ADDRESS, PER_ADDRESS, PER_PHONE, challenge, limited


def order(request: HttpRequest) -> HttpResponse:
    """点单, without login."""
    form = f.PublicOrderForm(request.POST or None)
    placed = None
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        phone_key = lookup_hash(form.cleaned_data["phone"], context="volunteering.order.phone")
        if limited(f"volunteering:order-ip:{ip}", PER_ADDRESS, 3600):
            form.add_error(None, _("提交过于频繁，请一小时后再试，或拨打文明实践中心电话。"))
        elif limited(f"volunteering:order-phone:{phone_key}", PER_PHONE, 86400):
            form.add_error("phone", _("该手机号今天已提交多次点单，请明天再试。"))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("challenge", "answer")}
            try:
                placed = moves.place_order(actor=None, **data)
            except ValidationError as error:
                add_service_errors(form, error)
    question, token = challenge()
    if placed is None and form.is_bound:
        data = request.POST.copy()
        data["challenge"] = token  # a fresh sum for the next try
        form.data = data
    elif placed is None:
        form.initial["challenge"] = token
    return render(
        request,
        "volunteering/public_order.html",
        {"form": form, "question": question, "placed": placed},
    )


def order_status(request: HttpRequest) -> HttpResponse:
    """An order by its code: its state and what the resident should know; no personal data."""
    code = (request.GET.get("code") or request.POST.get("code") or "").strip().upper()
    found = None
    rate_form = None
    error = ""
    if code:
        ip = client_ip(request) or "unknown"
        if limited(f"volunteering:order-lookup:{ip}", LOOKUPS_PER_ADDRESS, 3600):
            error = _("查询过于频繁，请稍后再试。")
        else:
            found = ServiceOrder.objects.select_related("team").filter(code=code).first()
            if found is None:
                error = _("没有找到该点单编号。")
    if found is not None and request.method == "POST":
        rate_form = f.RateForm(request.POST)
        if rate_form.is_valid():
            try:
                found = moves.rate_order(
                    code=code,
                    rating=rate_form.cleaned_data["rating"],
                    comment=rate_form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(rate_form, exc)
            else:
                rate_form = None
    if (
        found is not None
        and found.status == "closed"
        and found.rating is None
        and rate_form is None
    ):
        rate_form = f.RateForm(initial={"code": code})
    return render(
        request,
        "volunteering/public_status.html",
        {"order": found, "code": code, "error": error, "rate_form": rate_form},
    )


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """A certificate's verification page: number, masked name, hours, issuer, and whether it
    is genuine — nothing else."""
    certificate = Certificate.objects.select_related("issuer").filter(token=token).first()
    return render(
        request,
        "volunteering/public_verify.html",
        {"certificate": certificate},
        status=200 if certificate else 404,
    )
