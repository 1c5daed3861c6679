"""Audit of authentication and the list of login sessions. Django announces logins, logouts and
failed logins only through its auth signals, so these receivers are the one place that hears
them; they only call services."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services
from .middleware import client_ip


@receiver(user_logged_in, dispatch_uid="luoshi_audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    services.record_login(user=user)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        services.start_session(
            user=user,
            session_key=session_key,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ip=client_ip(request),
        )


@receiver(user_logged_out, dispatch_uid="luoshi_audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    services.record_logout(user=user)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        services.forget_session(session_key=session_key)


@receiver(user_login_failed, dispatch_uid="luoshi_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already removed the password from `credentials`. Token logins of the API are
    # not sent here with a username; only password logins are worth a record.
    username = credentials.get("username")
    if username is None:
        return
    services.record_login_failed(
        username=username, locked_out=bool(getattr(request, "axes_locked_out", False))
    )
