"""Send people whose password must change (first login, 90 days) to the change-password page; and
find the client's address behind reverse proxies."""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/", "/i18n/")


def password_expired(user) -> bool:
    if user.is_demo:
        return False
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=max_age)


class PasswordPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and password_expired(user)
        ):
            return redirect(reverse("accounts:password-change") + "?expired=1")
        return self.get_response(request)


def client_ip(request) -> str | None:
    """The client's address, for the lockout and the audit log (AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is believed only when luoshi is told how many reverse proxies stand in front
    of it (LUOSHI_PROXY_COUNT = n): then the client is the n-th entry from the right, the one the
    outermost trusted proxy appended. Entries further left were sent by the client and could be
    anything, so a forged header cannot pick the address a lockout is counted against. With no
    proxy configured the header is ignored and the connection's address is used.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    if not proxies:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
