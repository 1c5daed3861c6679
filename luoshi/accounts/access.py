"""What an account may do right now: whether its password must change first (first login, a
reset by an administrator, or older than the maximum age)."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _


class PasswordChangePending(PermissionDenied):
    """The account must change its password before it may do anything else."""

    code_name = "password_change_required"

    def __init__(self) -> None:
        super().__init__(
            _("请先修改密码：首次登录、密码被重置或已超过有效期的账号须修改密码后才能继续操作。")
        )


def password_expired(user) -> bool:
    if user.is_demo:
        return False
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=max_age)


# What else an account may have to do first, registered by other apps from their
# AppConfig.ready() (the mfa app: enrol a second factor). Each returns the refusal, or None.
PENDING_CHECKS: list[Callable[..., PermissionDenied | None]] = []


def pending_requirement(user) -> PermissionDenied | None:
    """The change `user` must make before anything else (the password first), or None: what
    the API kit's TokenAuth and token creation refuse with."""
    if password_expired(user):
        return PasswordChangePending()
    for check in PENDING_CHECKS:
        if (pending := check(user)) is not None:
            return pending
    return None
