"""Today and now as the deadline rule sees them, and the rule itself: a deadline a user sets —
a task's 完成时限, a sub-task's, a 整改时限, a 督办单's 回复时限, a volunteer activity's 报名截止 —
is not in the past. A date may be today; a date-time may be the current minute.

The services check every new or changed deadline with `past_error` / `require_not_past`; a
record edited with its deadline left as it was is not checked again (its deadline may have
passed since, which is what the warnings are for).

`replaying(moment)` runs the enclosed moves as if at `moment`: the demo loader replays a
campaign's history day by day through the same services, and a deadline that lay ahead on the
day of a move is not refused then. Nothing a request can reach sets it — the loader and tests do.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_replayed: ContextVar[datetime.datetime | None] = ContextVar("luoshi_replayed", default=None)


def now() -> datetime.datetime:
    """The current moment, or the replayed one."""
    return _replayed.get() or timezone.now()


def today() -> datetime.date:
    """Today in the project's time zone, or the replayed day."""
    moment = _replayed.get()
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


@contextmanager
def replaying(moment: datetime.datetime) -> Iterator[datetime.datetime]:
    """Judge deadlines as if it were `moment` (an aware date-time) inside the block."""
    token = _replayed.set(moment)
    try:
        yield moment
    finally:
        _replayed.reset(token)


def past_error(value: datetime.date | datetime.datetime | None, *, label: str) -> str | None:
    """Why `value`, the deadline labelled `label`, may not be set: it lies before today (a date)
    or before the current minute (a date-time). None when it may, or when there is no value."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        current = timezone.localtime(now()).replace(second=0, microsecond=0)
        if value >= current:
            return None
        return _("%(field)s不能早于当前时间（%(now)s）。") % {
            "field": label,
            "now": current.strftime("%Y-%m-%d %H:%M"),
        }
    day = today()
    if value >= day:
        return None
    return _("%(field)s不能早于今天（%(today)s）。") % {"field": label, "today": day.isoformat()}


def require_not_past(
    value: datetime.date | datetime.datetime | None, *, field: str, label: str
) -> None:
    """ValidationError on `field` when `past_error` refuses `value`."""
    if message := past_error(value, label=label):
        raise ValidationError({field: message})
