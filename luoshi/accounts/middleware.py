"""While a change is pending for a person (the password after the first login, a reset or 90 days;
whatever else `access.PENDING_CHECKS` holds), the session can do nothing else: pages go to the
page that resolves it and the API answers 403 with its code (`password_change_required`, …).
Tokens of the account are refused the same way, in the API kit's TokenAuth. Also: a session
lives only while its `LoginSession` row does (ended sessions, absolute lifetime), and the
client's address behind reverse proxies."""

import ipaddress
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from .access import (
    AddressNotAllowed,
    ChangePending,
    admin_address_allowed,
    admin_networks,
    pending_change,
    require_admin_address,
)
from .models import LoginSession

# What a person with a pending change may still reach: the page that resolves it (its url_name and
# allowed_url_names), leaving, the language switch, static files and the health check.
EXEMPT_PREFIXES = ("/static/", "/healthz", "/i18n/")
EXEMPT_NAMES = ("accounts:logout", "accounts:login")


@cache
def _paths(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


def _reachable_meanwhile(path: str, pending: ChangePending) -> bool:
    names = (*EXEMPT_NAMES, pending.url_name, *pending.allowed_url_names)
    return path.startswith(EXEMPT_PREFIXES) or path in _paths(names)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, with the idle expiry refreshed at most once a minute (accounts/sessions.py)
    instead of a save on every request (SESSION_SAVE_EVERY_REQUEST is off)."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        refresh_due = getattr(session, "refresh_due", None)
        if refresh_due is not None and not session.modified and refresh_due():
            session.modified = True
        return super().process_response(request, response)


class PasswordPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        pending = pending_change(user) if user.is_authenticated else None
        if pending is not None and not _reachable_meanwhile(request.path, pending):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(pending), "code": pending.code_name}, status=403)
            return redirect(pending.redirect_url())
        return self.get_response(request)


class SessionTrackingMiddleware:
    """A logged-in session must have its row in `LoginSession`, younger than the absolute
    lifetime; otherwise it is logged out here (ended by its owner or the 安全管理员, expired, or
    from before the table). The row's "last seen" is refreshed at most once a minute."""

    TOUCH_EVERY = timedelta(minutes=1)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_key = request.session.session_key
        if request.user.is_authenticated and session_key:
            now = timezone.now()
            row = LoginSession.objects.filter(
                key_hash=LoginSession.hash(session_key), user_id=request.user.pk
            ).first()
            if row is None or row.created_at <= now - timedelta(
                hours=settings.LUOSHI_SESSION_MAX_HOURS
            ):
                logout(request)  # the pages then ask for a login, the API answers 401
            elif row.last_seen_at <= now - self.TOUCH_EVERY:
                LoginSession.objects.filter(pk=row.pk).update(last_seen_at=now)
        return self.get_response(request)


class AdminNetworkMiddleware:
    """The three admin accounts (every page and API call of theirs) and /django-admin/ only from
    LUOSHI_ADMIN_ALLOWED_NETWORKS, when it is set (等保 入侵防范 c). Tokens of admin accounts are
    checked the same way in the token backend."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if admin_networks():
            ip = client_ip(request)
            refused = None
            if request.path.startswith(_admin_site_prefix()) and not admin_address_allowed(ip):
                refused = AddressNotAllowed(ip)
            elif request.user.is_authenticated and request.path not in _paths(("accounts:logout",)):
                try:
                    require_admin_address(request.user, ip)
                except AddressNotAllowed as exc:
                    refused = exc
            if refused is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": str(refused), "code": refused.code_name}, status=403
                    )
                return render(
                    request, "accounts/address_refused.html", {"reason": refused}, status=403
                )
        return self.get_response(request)


@cache
def _admin_site_prefix() -> str:
    return reverse("admin:index")


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
