"""The pages without login: a resident orders a service (rate-limited per address and phone,
with a sum to solve; nothing personal shown back), looks an order up by its code and rates it;
anyone checks a certificate by the address of its QR code."""

import random

from django.core import signing
from django.core.cache import cache
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

PER_ADDRESS = 5  # orders per address and hour
PER_PHONE = 3  # orders per phone and day
LOOKUPS_PER_ADDRESS = 30  # code look-ups per address and hour


def _challenge() -> tuple[str, str]:
    a, b = random.randint(2, 19), random.randint(2, 9)  # noqa: S311 — a sum, not a secret
    return f"{a} + {b} = ?", signing.dumps(a + b, salt=f.CHALLENGE_SALT)


def _limited(key: str, limit: int, seconds: int) -> bool:
    """Count one use of `key`; True when it is past `limit` within `seconds`."""
    cache.add(key, 0, seconds)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        used = 1
    return used > limit


def order(request: HttpRequest) -> HttpResponse:
    """点单, without login."""
    form = f.PublicOrderForm(request.POST or None)
    placed = None
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        phone_key = lookup_hash(form.cleaned_data["phone"], context="volunteering.order.phone")
        if _limited(f"volunteering:order-ip:{ip}", PER_ADDRESS, 3600):
            form.add_error(None, _("提交过于频繁，请一小时后再试，或拨打文明实践中心电话。"))
        elif _limited(f"volunteering:order-phone:{phone_key}", PER_PHONE, 86400):
            form.add_error("phone", _("该手机号今天已提交多次点单，请明天再试。"))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("challenge", "answer")}
            try:
                placed = moves.place_order(actor=None, **data)
            except ValidationError as error:
                add_service_errors(form, error)
    question, token = _challenge()
    if placed is None:
        form.data = form.data.copy() if form.is_bound else form.data
        if form.is_bound:
            form.data["challenge"] = token
        else:
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
        if _limited(f"volunteering:order-lookup:{ip}", LOOKUPS_PER_ADDRESS, 3600):
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
