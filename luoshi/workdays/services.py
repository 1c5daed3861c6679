"""Entering a year's holiday schedule (audited, like every change)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.org.access import require_perm

from .models import HolidayDay, HolidayYear


@transaction.atomic
def set_holiday_year(
    *,
    actor: User,
    year: int,
    holidays: Sequence[tuple[datetime.date, str]],
    workdays: Sequence[tuple[datetime.date, str]],
    source: str = "",
) -> HolidayYear:
    """Enter (or replace) a year's official holiday schedule: rest days and make-up workdays."""
    require_perm(actor, "calendar.manage")
    errors = [
        _("%(date)s 不在 %(year)d 年内") % {"date": day, "year": year}
        for day, _name in [*holidays, *workdays]
        if day.year != year
    ]
    clash = {day for day, _n in holidays} & {day for day, _n in workdays}
    errors += [_("%(date)s 不能既是假日又是调休上班日") % {"date": day} for day in sorted(clash)]
    if errors:
        raise ValidationError({"days": errors})
    entry, created = HolidayYear.objects.update_or_create(
        year=year, defaults={"source": source, "entered_by": actor, "entered_at": timezone.now()}
    )
    before = sorted(str(day) for day in entry.days.values_list("date", flat=True))
    entry.days.all().delete()
    HolidayDay.objects.bulk_create(
        [
            HolidayDay(holiday_year=entry, date=day, name=name, is_workday=False)
            for day, name in holidays
        ]
        + [
            HolidayDay(holiday_year=entry, date=day, name=name, is_workday=True)
            for day, name in workdays
        ]
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=entry,
        changes={"days": [before, sorted(str(day) for day, _n in [*holidays, *workdays])]},
    )
    return entry
