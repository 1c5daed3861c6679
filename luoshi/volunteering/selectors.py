"""Reads of volunteer service that span relations or aggregate: volunteer lists with their
hours and star level, team rosters."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from luoshi.org.models import Unit

from .access import managed_units, visible_certificates, visible_hours, visible_volunteers
from .models import Certificate, ServiceHours, SignUp, Skill, Volunteer, VolunteerSettings


@dataclass
class VolunteerFilter:
    unit: Unit | None = None
    skill: Skill | None = None
    keyword: str = ""
    active: bool | None = True
    labels: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        return self.labels


def volunteer_list(user, flt: VolunteerFilter) -> QuerySet[Volunteer]:
    """Volunteers in scope, each with `total_hours` (every hour recorded) and `final_hours`
    (those past publicity)."""
    rows = visible_volunteers(user)
    if flt.unit is not None:
        rows = rows.filter(unit__path__startswith=flt.unit.path)
    if flt.skill is not None:
        rows = rows.filter(skills=flt.skill)
    if flt.keyword:
        rows = rows.filter(Q(number__icontains=flt.keyword) | Q(masked_name__contains=flt.keyword))
    if flt.active is not None:
        rows = rows.filter(is_active=flt.active)
    now = timezone.now()
    return (
        rows.annotate(
            total_hours=Sum("hours__hours"),
            final_hours=Sum("hours__hours", filter=Q(hours__public_until__lte=now)),
            services=Count("hours", distinct=True),
        )
        .prefetch_related("skills")
        .order_by("unit__path", "masked_name", "id")
    )


@dataclass
class HoursSummary:
    timed: Decimal
    added: Decimal
    public: Decimal  # still in publicity (or under objection)
    final: Decimal
    services: int
    star: int
    next_threshold: int | None

    @property
    def total(self) -> Decimal:
        return self.timed + self.added


def hours_summary(volunteer: Volunteer) -> HoursSummary:
    """A volunteer's hours by method and finality, and the star level the final hours earn."""
    now = timezone.now()
    rows = ServiceHours.objects.filter(volunteer=volunteer)
    open_objection = Q(objections__status__in=["open", "escalated"])
    totals = rows.aggregate(
        timed=Sum("hours", filter=Q(method=ServiceHours.Method.TIMED)),
        added=Sum("hours", filter=Q(method=ServiceHours.Method.ADDED)),
        services=Count("id"),
    )
    final = (
        rows.filter(public_until__lte=now).exclude(open_objection).aggregate(s=Sum("hours"))["s"]
    ) or Decimal(0)
    total = (totals["timed"] or Decimal(0)) + (totals["added"] or Decimal(0))
    rules = VolunteerSettings.load()
    star = rules.star_for(final)
    upcoming = [limit for limit in rules.star_thresholds if limit > final]
    return HoursSummary(
        timed=totals["timed"] or Decimal(0),
        added=totals["added"] or Decimal(0),
        public=total - final,
        final=final,
        services=totals["services"] or 0,
        star=star,
        next_threshold=upcoming[0] if upcoming else None,
    )


def volunteer_hours(user, volunteer: Volunteer) -> QuerySet[ServiceHours]:
    """The service lines of a volunteer's record the user may see (own: all; else by the
    recording unit's scope)."""
    return (
        visible_hours(user)
        .filter(volunteer=volunteer)
        .select_related("service__activity__unit", "service__team", "recorded_by")
        .prefetch_related("objections")
        .order_by("-served_on", "-id")
    )


def in_month(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def my_signups(volunteer: Volunteer) -> list[SignUp]:
    """A volunteer's sign-ups that are not cancelled, the coming ones first."""
    return list(
        SignUp.objects.filter(volunteer=volunteer)
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("service__activity", "position", "service__team")
        .order_by("-service__activity__starts_at", "-id")[:30]
    )


def volunteer_certificates(user, volunteer: Volunteer) -> QuerySet[Certificate]:
    return visible_certificates(user).filter(volunteer=volunteer)


def certifying_units(user, volunteer: Volunteer) -> list[Unit]:
    """The units that recorded hours of `volunteer` and that `user` manages: only they may
    certify those hours (谁记录谁证明)."""
    recorded = ServiceHours.objects.filter(volunteer=volunteer).values("unit_id")
    return list(managed_units(user).filter(pk__in=recorded).order_by("path"))
