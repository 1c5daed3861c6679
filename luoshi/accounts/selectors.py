"""Reads of the accounts app: lockouts, and a person's tokens and sessions (their own, or the
security administrator's view)."""

from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from luoshi.org.access import has_perm

from .access import may_manage_account, require_account_manageable
from .models import AccessToken, LoginSession, User


def current_lockouts(user) -> list[dict]:
    """Account + address pairs locked out now, newest first; 404 unless `user` is 安全管理员.

    Each row: username, ip_address, failures, last (time of the last failure), until.
    """
    if not has_perm(user, "security.manage"):
        raise Http404
    cool_off = get_cool_off()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    names = {row["username"] for row in rows}
    users = {u.username.lower(): u for u in User.objects.filter(username__in=names)}
    return [
        {
            **row,
            "until": row["last"] + cool_off,
            "may_release": (target := users.get(row["username"].lower())) is None
            or may_manage_account(user, target, "unlock"),
        }
        for row in rows
    ]


def tokens_of(actor, person) -> QuerySet[AccessToken]:
    """`person`'s personal access tokens, newest first, as the 安全管理员 sees them (their own
    too); 404 for everyone else, PermissionDenied for another administrator's (三员分立)."""
    if actor.pk != person.pk:
        if not has_perm(actor, "security.manage"):
            raise Http404
        require_account_manageable(actor, person, "tokens")
    return person.access_tokens.order_by("revoked_at", "-created_at")


def sessions_of(actor, person) -> QuerySet[LoginSession]:
    """`person`'s active sessions (neither idle past the timeout nor past the absolute lifetime),
    most recently seen first; their own, or the 安全管理员's view (404 for everyone else,
    PermissionDenied for another administrator's, 三员分立)."""
    if actor.pk != person.pk:
        if not has_perm(actor, "security.manage"):
            raise Http404
        require_account_manageable(actor, person, "sessions")
    now = timezone.now()
    return person.login_sessions.filter(
        created_at__gt=now - timedelta(hours=settings.LUOSHI_SESSION_MAX_HOURS),
        last_seen_at__gt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
    ).order_by("-last_seen_at", "-id")


def address_failures(ip: str) -> int:
    """Failed logins from `ip` within the lockout window, over every account tried."""
    total = AccessAttempt.objects.filter(
        ip_address=ip, attempt_time__gte=timezone.now() - get_cool_off()
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def address_throttled(ip: str | None) -> bool:
    """Whether `ip` has used up its failure budget (LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT)."""
    limit = settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT
    return bool(ip and limit and address_failures(ip) >= limit)


def throttled_addresses(user) -> list[dict]:
    """Addresses over their failure budget now (ip_address, failures, accounts, last); 404 unless
    `user` is 安全管理员."""
    if not has_perm(user, "security.manage"):
        raise Http404
    limit = settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT
    if not limit:
        return []
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())
        .values("ip_address")
        .annotate(
            failures=Sum("failures_since_start"),
            accounts=Count("username", distinct=True),
            last=Max("attempt_time"),
        )
        .filter(failures__gte=limit)
        .order_by("-last")
    )


# The consoles of the three separated administrators (三员分立), by the permission that makes each
# one's work: the auditor's audit log, the security administrator's role grants (with lockouts and
# the MFA policy beside them), the system administrator's units and accounts.
ADMIN_CONSOLES = (
    ("audit.view", "audit:event-list"),
    ("security.manage", "org:grant-list"),
    ("role.manage", "org:grant-list"),
    ("unit.manage", "org:unit-list"),
)


def console_url(user) -> str | None:
    """Where an administrator persona lands instead of the task workbench (after login, on `/`
    and on the workbench): its own console, when it has no task work of its own (no task.view
    and no task it owns). None for everyone else, who keep the workbench."""
    if has_perm(user, "task.view") or user.owned_tasks.exists():
        return None
    for perm, url_name in ADMIN_CONSOLES:
        if has_perm(user, perm):
            return reverse(url_name)
    return None
