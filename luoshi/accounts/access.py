"""What an account may do right now, and what may be done to it.

- Pending changes: while something must be done first (a password change after the first login, a
  reset by an administrator or the maximum age; other apps may register more, e.g. MFA
  enrolment), the session and the account's tokens can do nothing else. `PENDING_CHECKS` is the
  list of checks; the page middleware, the API kit's token auth and token creation all ask
  `pending_change`.
- 三员分立 on accounts: `require_account_manageable` refuses any administrator who acts on the
  password, tokens, sessions, lockout or status of another administrator's account.
- Admin networks: the three admin accounts, and /django-admin/, only from
  LUOSHI_ADMIN_ALLOWED_NETWORKS (when set).
"""

import ipaddress
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.org.access import roles_of
from luoshi.org.models import ADMIN_ROLES, Role, RoleGrant

# --- Pending changes ----------------------------------------------------------------------------


class ChangePending(PermissionDenied):
    """Something the account must do before anything else.

    `code_name` is the API's machine-readable code (403 body `code`); `url_name` names the page
    where the person does it (pages redirect there); `allowed_url_names` are further pages the
    person must reach meanwhile (e.g. the steps of an enrolment).
    """

    code_name = "change_required"
    url_name = "accounts:password-change"
    allowed_url_names: tuple[str, ...] = ()

    def redirect_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name)


class PasswordChangePending(ChangePending):
    """The account must change its password before it may do anything else."""

    code_name = "password_change_required"
    url_name = "accounts:password-change"

    def __init__(self) -> None:
        super().__init__(
            _("请先修改密码：首次登录、密码被重置或已超过有效期的账号须修改密码后才能继续操作。")
        )

    def redirect_url(self) -> str:
        return super().redirect_url() + "?expired=1"


def password_expired(user) -> bool:
    if user.is_demo:
        return False
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=max_age)


def _password_change_pending(user) -> ChangePending | None:
    return PasswordChangePending() if password_expired(user) else None


# Each check takes the account and returns the ChangePending it must resolve first, or None.
# The first that answers wins, so the password change comes before anything appended later.
# Another app adds its own from its AppConfig.ready():
#     PENDING_CHECKS.append(mfa_enrolment_pending)   # returns MfaEnrolmentPending() or None
PendingCheck = Callable[..., ChangePending | None]
PENDING_CHECKS: list[PendingCheck] = [_password_change_pending]


def pending_change(user) -> ChangePending | None:
    """What `user` must do before anything else, or None."""
    for check in PENDING_CHECKS:
        if (pending := check(user)) is not None:
            return pending
    return None


def require_nothing_pending(user) -> None:
    """Raise the pending change (a PermissionDenied with `code_name`) if there is one."""
    if (pending := pending_change(user)) is not None:
        raise pending


# --- 三员分立 on accounts --------------------------------------------------------------------


def admin_roles_of(user) -> set[str]:
    """The admin roles (系统管理员, 安全管理员, 审计管理员) `user` holds, read fresh."""
    if user is None or user.pk is None:
        return set()
    return set(
        RoleGrant.objects.filter(person_id=user.pk, role__in=ADMIN_ROLES).values_list(
            "role", flat=True
        )
    )


def is_admin_account(user) -> bool:
    return bool(admin_roles_of(user))


# What an administrator may do to an account. "reset_password" and "disable" are refused on every
# admin account, the actor's own included (one's own password is changed, not reset); the others
# are allowed on one's own account and refused on another administrator's.
ACCOUNT_ACTIONS = {
    "reset_password": gettext_lazy("重置密码"),
    "disable": gettext_lazy("停用或启用账号"),
    "unlock": gettext_lazy("解除登录锁定"),
    "tokens": gettext_lazy("查看或撤销访问令牌"),
    "sessions": gettext_lazy("查看或结束会话"),
}
_NEVER_ON_ADMIN = frozenset({"reset_password", "disable"})


def account_refusal(actor, target, action: str) -> str | None:
    """Why `actor` may not do `action` to `target`'s account under 三员分立, or None."""
    if action not in ACCOUNT_ACTIONS:
        raise ValueError(f"unknown account action: {action}")
    held = admin_roles_of(target)
    if not held:
        return None
    if actor is not None and actor.pk == target.pk and action not in _NEVER_ON_ADMIN:
        return None
    labels = "、".join(str(Role(role).label) for role in sorted(held))
    return _(
        "%(person)s 是%(roles)s账号。三员分立：管理员不能对管理员账号%(action)s，"
        "须由本人办理或由运维人员按制度在服务器上处理。"
    ) % {"person": target, "roles": labels, "action": ACCOUNT_ACTIONS[action]}


def may_manage_account(actor, target, action: str) -> bool:
    return account_refusal(actor, target, action) is None


def require_account_manageable(actor, target, action: str) -> None:
    """Raise PermissionDenied when 三员分立 forbids `actor` to do `action` to `target`."""
    if (reason := account_refusal(actor, target, action)) is not None:
        raise PermissionDenied(reason)


# --- Admin networks ------------------------------------------------------------------------------


class AddressNotAllowed(PermissionDenied):
    """An admin account (or /django-admin/) used from outside LUOSHI_ADMIN_ALLOWED_NETWORKS."""

    code_name = "address_not_allowed"

    def __init__(self, ip: str | None) -> None:
        super().__init__(
            _("管理员账号和系统后台只能从指定的管理网络访问，当前地址（%(ip)s）不在其中。")
            % {"ip": ip or "-"}
        )


@cache
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"LUOSHI_ADMIN_ALLOWED_NETWORKS: {entry!r} is not an address or CIDR network"
            ) from exc
    return tuple(networks)


def admin_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The configured admin networks; empty when there is no limit."""
    return _networks(tuple(settings.LUOSHI_ADMIN_ALLOWED_NETWORKS))


def admin_address_allowed(ip: str | None) -> bool:
    """Whether an admin account may work from `ip` (always, when no network is configured)."""
    networks = admin_networks()
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in network for network in networks if network.version == address.version)


def holds_admin_role(user) -> bool:
    """Like is_admin_account, from the per-request cache of the user's grants."""
    return bool(roles_of(user) & ADMIN_ROLES)


def require_admin_address(user, ip: str | None) -> None:
    """Raise AddressNotAllowed when `user` is an admin account working from outside the networks."""
    if admin_networks() and holds_admin_role(user) and not admin_address_allowed(ip):
        raise AddressNotAllowed(ip)
