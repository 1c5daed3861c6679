"""Notifications (in the app, and by email when SMTP is configured), passwords, personal access
tokens, and the audit records of logins and logouts."""

from collections.abc import Iterable
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.org.access import require_perm

from .access import require_account_manageable, require_nothing_pending
from .models import AccessToken, LoginSession, Notification, User


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
def change_password(*, actor: User, new_password: str, current_session_key: str = "") -> User:
    """Set `actor`'s own new password (already validated by the form) and restart the 90 days;
    every other session of the account ends (Django refuses them anyway, as the password's
    hash changed; their rows go too)."""
    actor.login_sessions.exclude(key_hash=LoginSession.hash(current_session_key)).delete()
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
    Refused while a change is pending (password, or what another app registered)."""
    require_nothing_pending(actor)
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
    """Revoke a token: its owner may, and so may the security administrator, except a token of
    another administrator's account (三员分立)."""
    if token.user_id != actor.pk:
        require_perm(actor, "security.manage")
        require_account_manageable(actor, token.user, "tokens")
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


def dismiss_first_steps(*, actor: User) -> None:
    """Stop showing `actor` their first-steps card (a preference of their own: not audited)."""
    if actor.first_steps_dismissed_at is None:
        actor.first_steps_dismissed_at = timezone.now()
        actor.save(update_fields=["first_steps_dismissed_at"])


def record_login(*, user: User) -> None:
    record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, verb="login")


def record_logout(*, user: User | None) -> None:
    if user is not None and user.is_authenticated:
        record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user, verb="logout")


def record_login_failed(
    *, username: str, locked_out: bool = False, address_throttled: bool = False
) -> None:
    """A failed login, with the account name that was tried (which may not exist)."""
    username = (username or "")[:150]
    user = User.objects.filter(username__iexact=username).first() if username else None
    note = _("尝试的账号：%(username)s") % {"username": username or "-"}
    if locked_out:
        note += _("（账号已被临时锁定）")
    if address_throttled:
        note += _("（该地址失败次数过多，已暂停登录）")
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
    """Lift the lockout of `username` at address `ip` before its time (安全管理员 only; not for
    another administrator's account, 三员分立: its lockout runs out by itself)."""
    require_perm(actor, "security.manage")
    user = User.objects.filter(username__iexact=username).first()
    if user is not None:
        require_account_manageable(actor, user, "unlock")
    count = axes_reset(ip=ip or None, username=username)
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


# --- Sessions --------------------------------------------------------------------------------


def session_lifetime() -> timedelta:
    """The absolute lifetime of a session, however active (LUOSHI_SESSION_MAX_HOURS)."""
    return timedelta(hours=settings.LUOSHI_SESSION_MAX_HOURS)


def start_session(*, user: User, session_key: str, user_agent: str, ip: str | None) -> LoginSession:
    """Note a new login session (from the login signal); drops the account's expired rows."""
    now = timezone.now()
    user.login_sessions.filter(
        models.Q(created_at__lte=now - session_lifetime())
        | models.Q(last_seen_at__lte=now - timedelta(seconds=settings.SESSION_COOKIE_AGE))
    ).delete()
    return LoginSession.objects.create(
        user=user,
        key_hash=LoginSession.hash(session_key),
        user_agent=user_agent[:300],
        ip_address=ip,
        created_at=now,
        last_seen_at=now,
    )


def rekey_session(*, old_key: str, new_key: str) -> None:
    """Django gave a session a new key (after a password change): the row follows it."""
    LoginSession.objects.filter(key_hash=LoginSession.hash(old_key)).update(
        key_hash=LoginSession.hash(new_key)
    )


def forget_session(*, session_key: str) -> None:
    """The session was logged out: its row goes."""
    LoginSession.objects.filter(key_hash=LoginSession.hash(session_key)).delete()


def _require_may_end_sessions(actor: User, person: User) -> None:
    if actor.pk != person.pk:
        require_perm(actor, "security.manage")
        require_account_manageable(actor, person, "sessions")


@transaction.atomic
def end_session(*, actor: User, login_session: LoginSession) -> None:
    """End one session: its owner may, and so may the 安全管理员 (not another administrator's)."""
    person = login_session.user
    _require_may_end_sessions(actor, person)
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=person,
        verb="session_end",
        note=_("结束会话：地址 %(ip)s，登录于 %(created)s")
        % {
            "ip": login_session.ip_address or "-",
            "created": timezone.localtime(login_session.created_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    login_session.delete()


@transaction.atomic
def end_sessions(*, actor: User, person: User) -> int:
    """End every session of `person` (the 安全管理员, or the person); returns how many."""
    _require_may_end_sessions(actor, person)
    count, _rows = person.login_sessions.all().delete()
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=person,
        verb="sessions_end",
        note=_("结束全部会话（%(n)d 个）") % {"n": count},
    )
    return count


@transaction.atomic
def withdraw_access(*, actor: User | None, person: User, revoke_tokens: bool = True) -> None:
    """An account was disabled (or, without `revoke_tokens`, its password reset: the tokens then
    wait for the change): every session ends and every token is revoked. Called by the service
    that did it, which checked the permission."""
    now = timezone.now()
    sessions, _rows = person.login_sessions.all().delete()
    tokens = 0
    if revoke_tokens:
        tokens = person.access_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    if not sessions and not tokens:
        return
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=person,
        verb="access_withdrawn",
        note=_("结束 %(sessions)d 个会话，撤销 %(tokens)d 个访问令牌")
        % {"sessions": sessions, "tokens": tokens},
    )
