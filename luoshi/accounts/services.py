"""Notifications (in the app, and by email when SMTP is configured), passwords, personal access
tokens, and the audit records of logins and logouts."""

from collections.abc import Iterable
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.org.access import require_perm

from .access import pending_requirement
from .models import AccessToken, Notification, User


def notify(
    *,
    recipients: Iterable[User | None],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    task=None,
) -> list[Notification]:
    """Put one message in each recipient's inbox (deduplicated); mail it after commit."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    notes = Notification.objects.bulk_create(
        Notification(recipient=user, title=title[:200], body=body, url=url, level=level, task=task)
        for user in unique.values()
    )
    if settings.EMAIL_ENABLED and notes:
        from .tasks import send_notification_emails

        ids = [note.pk for note in notes if note.pk]
        if ids:
            transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return notes


# --- Passwords, personal access tokens and the audit of authentication ------------------------


@transaction.atomic
def change_password(*, actor: User, new_password: str) -> User:
    """Set `actor`'s own new password (already validated by the form) and restart the 90 days."""
    actor.set_password(new_password)
    actor.password_changed_at = timezone.now()
    actor.must_change_password = False
    actor.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=actor,
        verb="password_change",
        note=_("修改本人密码"),
    )
    return actor


@transaction.atomic
def create_token(
    *, actor: User, name: str, valid_days: int | None = None
) -> tuple[AccessToken, str]:
    """Create a personal access token for `actor`; returns it with its secret (shown only once).
    Refused while the account's password must change (or another pending change, such as
    enrolling a second factor, is due)."""
    if (pending := pending_requirement(actor)) is not None:
        raise pending
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称。")})
    if valid_days is not None and valid_days <= 0:
        raise ValidationError({"valid_days": _("有效期须为正数天。")})
    secret = AccessToken.new_secret()
    token = AccessToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=secret[:10],
        token_hash=AccessToken.hash(secret),
        expires_at=timezone.now() + timedelta(days=valid_days) if valid_days else None,
    )
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=token,
        verb="token_create",
        changes={"name": [None, token.name], "expires_at": [None, token.expires_at]},
    )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: User, token: AccessToken) -> AccessToken:
    """Revoke a token: its owner may, and so may the security administrator."""
    if token.user_id != actor.pk:
        require_perm(actor, "security.manage")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=token,
        verb="token_revoke",
        changes={"revoked_at": [None, token.revoked_at]},
    )
    return token


@transaction.atomic
def mark_read(*, actor: User, notification: Notification | None = None) -> int:
    """Mark one of `actor`'s notifications, or all of them, read; returns how many changed."""
    notes = actor.notifications.unread()
    if notification is not None:
        notes = notes.filter(pk=notification.pk)
    return notes.update(read_at=timezone.now())


def record_login(*, user: User) -> None:
    record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, verb="login")


def record_logout(*, user: User | None) -> None:
    if user is not None and user.is_authenticated:
        record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user, verb="logout")


def record_login_failed(*, username: str, locked_out: bool = False) -> None:
    """A failed login, with the account name that was tried (which may not exist)."""
    username = (username or "")[:150]
    user = User.objects.filter(username__iexact=username).first() if username else None
    note = _("尝试的账号：%(username)s") % {"username": username or "-"}
    if locked_out:
        note += _("（账号已被临时锁定）")
    record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        object_type="accounts.user",
        object_repr=username,
        verb="login_failed",
        note=note,
    )


def record_token_failed(*, token: str, path: str) -> None:
    """A request with a token that is unknown, expired or revoked: its first characters only,
    never the secret."""
    record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        verb="token",
        object_type="accounts.accesstoken",
        object_repr=f"{token[:6]}…",
        note=_("访问令牌无效、已过期或已撤销（%(path)s）") % {"path": path},
    )


@transaction.atomic
def unlock_account(*, actor: User, username: str, ip: str | None) -> int:
    """Lift the lockout of `username` at address `ip` before its time (安全管理员 only)."""
    require_perm(actor, "security.manage")
    count = axes_reset(ip=ip or None, username=username)
    user = User.objects.filter(username__iexact=username).first()
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=user,
        object_type="accounts.user",
        object_repr=username,
        verb="unlock",
        note=_("解除登录锁定：账号 %(username)s，地址 %(ip)s")
        % {"username": username, "ip": ip or "-"},
    )
    return count
