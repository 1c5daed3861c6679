"""Reads of the accounts app that the security administrator needs."""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import Http404
from django.utils import timezone

from luoshi.org.access import has_perm


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
    return [{**row, "until": row["last"] + cool_off} for row in rows]
