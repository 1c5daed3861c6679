"""Audit of authentication. Django announces logins, logouts and failed logins only through its
auth signals, so these receivers are the one place that hears them; they only call services."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="luoshi_audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    services.record_login(user=user)


@receiver(user_logged_out, dispatch_uid="luoshi_audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    services.record_logout(user=user)


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
