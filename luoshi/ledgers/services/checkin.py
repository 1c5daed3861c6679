"""Check-in by code: the participant's own record of attendance, race-free and rate-limited."""

import datetime
import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record

from ..models import Activity, Participation

CHECKIN_MAX_FAILURES = 10  # wrong codes per person within CHECKIN_FAILURE_WINDOW seconds
CHECKIN_FAILURE_WINDOW = 600


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


class CheckinRefused(ValidationError):
    """A check-in that cannot be taken (wrong code, outside the window)."""


@transaction.atomic
def check_in(*, actor: User, code: str) -> tuple[Activity, bool]:
    """Check `actor` in by an activity's six-digit code: (activity, newly checked in).

    Any logged-in person may check in while the window is open; a second check-in is ignored.
    """
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise CheckinRefused(_("请输入 6 位数字签到码。"))
    failures_key = f"ledgers:checkin-failures:{actor.pk}"
    if cache.get(failures_key, 0) >= CHECKIN_MAX_FAILURES:
        raise CheckinRefused(_("签到码输错次数过多，请 10 分钟后再试。"))
    now = timezone.now()
    candidates = list(
        Activity.objects.alive()
        .filter(checkin_code=code, type__takes_checkin=True)
        .select_related("type", "unit")
        .order_by("-checkin_opens_at")
    )
    if not candidates:
        # Six digits are guessable: count wrong codes per person and pause after a few.
        cache.add(failures_key, 0, CHECKIN_FAILURE_WINDOW)
        cache.incr(failures_key)
        raise CheckinRefused(_("签到码无效，请核对后重新输入。"))
    open_now = [
        a
        for a in candidates
        if a.checkin_opens_at and a.checkin_closes_at
        if a.checkin_opens_at <= now <= a.checkin_closes_at
    ]
    if not open_now:
        latest = candidates[0]
        window = _("%(a)s 至 %(b)s") % {
            "a": _local(latest.checkin_opens_at),
            "b": _local(latest.checkin_closes_at),
        }
        if latest.checkin_opens_at and now < latest.checkin_opens_at:
            raise CheckinRefused(_("签到尚未开始，签到时间为 %(window)s。") % {"window": window})
        raise CheckinRefused(_("签到已结束，签到时间为 %(window)s。") % {"window": window})
    activity = open_now[0]
    try:
        # One INSERT, no look first: two check-ins of the same person at once (a double tap, two
        # tabs) meet at the unique constraint (activity, person) and the second one is told it
        # was already taken; the savepoint keeps the outer transaction usable.
        with transaction.atomic():
            participation = Participation.objects.create(
                activity=activity,
                person=actor,
                source=Participation.Source.CHECKIN,
                checked_in_at=now,
            )
    except IntegrityError:
        return activity, False  # already on the list: by hand, by import or a moment ago
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=participation,
        verb="checkin",
        note=_("签到：%(title)s") % {"title": activity.title},
    )
    return activity, True
