"""Reads of volunteer service that span relations or aggregate: volunteer lists with their
hours and star level, team rosters."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.campaigns.access import visible_tasks
from luoshi.campaigns.models import Task
from luoshi.ledgers.models import Activity
from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .access import (
    managed_units,
    visible_certificates,
    visible_hours,
    visible_orders,
    visible_services,
    visible_volunteers,
)
from .models import (
    Certificate,
    MonthlyHours,
    Objection,
    Position,
    PrescribedAction,
    ServiceActivity,
    ServiceHours,
    ServiceOrder,
    SignUp,
    Skill,
    Team,
    Theme,
    Volunteer,
    VolunteerSettings,
)


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


# --- Themes ---------------------------------------------------------------------------------------


@dataclass
class UnitProgress:
    task: Task
    done: int
    expected: int


@dataclass
class ActionProgress:
    action: PrescribedAction
    units: list[UnitProgress]

    @property
    def issued(self) -> bool:
        return bool(self.units)

    @property
    def complete(self) -> int:
        return sum(1 for row in self.units if row.done >= row.expected)


def action_progress(user, theme: Theme) -> list[ActionProgress]:
    """Per action, each unit task the user may see with the activities counted for it."""
    from .services.themes import counted

    rows = []
    for action in theme.actions.select_related("plan_task"):
        done = counted(action)
        tasks = (
            visible_tasks(user).filter(pk__in=done).select_related("unit").order_by("unit__path")
        )
        rows.append(
            ActionProgress(
                action=action,
                units=[
                    UnitProgress(task=t, done=done[t.pk], expected=action.expected_activities)
                    for t in tasks
                ],
            )
        )
    return rows


def theme_activities(theme: Theme) -> QuerySet[ServiceActivity]:
    return (
        ServiceActivity.objects.filter(theme=theme, activity__deleted_at__isnull=True)
        .select_related("activity__unit", "team", "action")
        .order_by("-activity__starts_at")
    )


# --- Activities -----------------------------------------------------------------------------------


@dataclass
class ActivityFilter:
    month: datetime.date | None = None
    place: str = ""
    team: Team | None = None
    skill: Skill | None = None
    open_only: bool = False
    labels: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        return self.labels


def activity_list(user, flt: ActivityFilter) -> QuerySet[ServiceActivity]:
    """Volunteer activities by month, place, team and skill, each with `places` (capacity) and
    `taken` (accepted sign-ups)."""
    rows = visible_services(user)
    if flt.month is not None:
        first, last = in_month(flt.month)
        rows = rows.filter(
            activity__starts_at__date__gte=first, activity__starts_at__date__lte=last
        )
    if flt.place:
        rows = rows.filter(activity__place__contains=flt.place)
    if flt.team is not None:
        rows = rows.filter(team=flt.team)
    if flt.skill is not None:
        rows = rows.filter(skills=flt.skill)
    if flt.open_only:
        rows = rows.filter(recruit_until__gte=timezone.now())
    places = (
        Position.objects.filter(service=OuterRef("pk"))
        .values("service")
        .annotate(n=Sum("capacity"))
        .values("n")
    )
    taken = (
        SignUp.objects.filter(service=OuterRef("pk"), status=SignUp.Status.ACCEPTED)
        .values("service")
        .annotate(n=Count("id"))
        .values("n")
    )
    return rows.annotate(places=Subquery(places), taken=Subquery(taken)).order_by(
        "-activity__starts_at", "-pk"
    )


@dataclass
class PositionRow:
    position: Position
    accepted: int
    waiting: int

    @property
    def left(self) -> int:
        return max(0, self.position.capacity - self.accepted)


def position_rows(service: ServiceActivity) -> list[PositionRow]:
    counts = {
        (row["position_id"], row["status"]): row["n"]
        for row in SignUp.objects.filter(service=service)
        .values("position_id", "status")
        .annotate(n=Count("id"))
    }
    return [
        PositionRow(
            position=p,
            accepted=counts.get((p.pk, SignUp.Status.ACCEPTED), 0),
            waiting=counts.get((p.pk, SignUp.Status.WAITLISTED), 0),
        )
        for p in service.positions.all()
    ]


def service_signups(service: ServiceActivity) -> QuerySet[SignUp]:
    return (
        service.signups.select_related("volunteer", "position")
        .exclude(status=SignUp.Status.CANCELLED)
        .order_by("position_id", "status", "created_at", "id")
    )


def service_hours(service: ServiceActivity) -> QuerySet[ServiceHours]:
    return service.hours.select_related("volunteer").prefetch_related("objections")


def objections_for(user) -> list[Objection]:
    """Objections the user may see: their own, those on hours of activities they organise (or
    see by scope), newest first, with whether the user may answer each."""
    from .access import can_organise, is_centre

    rows = list(
        Objection.objects.filter(hours__in=visible_hours(user))
        .select_related(
            "hours__service__activity__unit", "hours__service__team", "hours__volunteer"
        )
        .order_by("-created_at")[:200]
    )
    centre = is_centre(user)
    for row in rows:
        row.may_answer = (  # type: ignore[attr-defined]
            row.status == Objection.Status.OPEN and can_organise(user, row.hours.service)
        ) or (row.status == Objection.Status.ESCALATED and centre)
        row.mine = row.hours.volunteer.person_id == user.pk  # type: ignore[attr-defined]
    return rows


# --- Orders ---------------------------------------------------------------------------------------


@dataclass
class TeamFigures:
    closed: int
    response_hours: float | None  # from dispatch to 接单, on average
    average_rating: float | None


def team_figures(team: Team) -> TeamFigures:
    """Every order dispatched to the team: how many it closed, how long it took on average to
    take one, and its average rating."""
    rows = list(team.orders.values_list("status", "dispatched_at", "taken_at", "rating"))
    waits = [(taken - sent).total_seconds() for _s, sent, taken, _r in rows if sent and taken]
    rated = [rating for *_rest, rating in rows if rating]
    return TeamFigures(
        closed=sum(1 for status, *_rest in rows if status == ServiceOrder.Status.CLOSED),
        response_hours=round(sum(waits) / 3600 / len(waits), 1) if waits else None,
        average_rating=round(sum(rated) / len(rated), 1) if rated else None,
    )


def order_list(user, *, status: str = "") -> QuerySet[ServiceOrder]:
    rows = visible_orders(user)
    if status in ServiceOrder.Status.values:
        rows = rows.filter(status=status)
    return rows.select_related("team__unit").order_by("-created_at", "-id")


# --- Monthly returns and the national export ------------------------------------------------------


@dataclass
class ReturnRow:
    unit: Unit
    activities: int = 0
    prescribed: int = 0
    attendances: int = 0  # 人次: hours records
    volunteers: int = 0  # distinct
    hours: Decimal = Decimal(0)
    added_hours: Decimal = Decimal(0)
    actions_done: int = 0
    actions_expected: int = 0
    orders_dispatched: int = 0
    orders_closed: int = 0
    rating_total: int = 0
    ratings: int = 0

    @property
    def average_rating(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(self.rating_total) / self.ratings).quantize(Decimal("0.1"))


@dataclass
class MonthlyReturn:
    month: datetime.date
    rows: list[ReturnRow]
    total: ReturnRow
    distinct_volunteers: int
    base: Unit | None = None  # rows are its children's subtrees (and its own records)


# 人次, distinct volunteers, hours and 补录 hours of one row of the return.
HoursFigures = tuple[int, int, Decimal, Decimal]


def counted_hours(records: QuerySet[ServiceHours], group) -> dict[int, HoursFigures]:
    """The figures of `records` per row of the return (`group`: the row's unit id), counted."""
    return {
        unit_id: (n, v, h or Decimal(0), a or Decimal(0))
        for unit_id, n, v, h, a in records.order_by()
        .values(g=group)
        .annotate(
            n=Count("pk"),
            v=Count("volunteer_id", distinct=True),
            h=Sum("hours"),
            a=Sum("hours", filter=Q(method=ServiceHours.Method.ADDED)),
        )
        .values_list("g", "n", "v", "h", "a")
        if n  # grouped by a constant (see monthly_return), no records still make one row
    }


def stored_hours(
    base: Unit, children: list[Unit], first: datetime.date
) -> tuple[dict[int, HoursFigures], int]:
    """The month's figures of `base`'s whole subtree as `counted_hours` gives them, one row per
    child and one for the base, and its distinct volunteers — read from the counts the hour
    services keep (luoshi.volunteering.rollups): one stored row per child and for the subtree
    instead of its records. The base's row (its own records, and those of units no longer under
    a live child) is counted."""
    ids = [child.pk for child in children]
    counts = {
        unit_id: (n, v, h, a)
        for unit_id, n, v, h, a in MonthlyHours.objects.filter(
            month=first, unit_id__in=[base.pk, *ids], records__gt=0
        ).values_list("unit_id", "records", "volunteers", "hours", "added_hours")
    }
    whole = counts.pop(base.pk, None)
    figures: dict[int, HoursFigures] = counts
    rest = Unit.objects.filter(path__startswith=base.path)
    for child in children:
        rest = rest.exclude(path__startswith=child.path)
    own = counted_hours(
        ServiceHours.objects.filter(
            unit_id__in=list(rest.values_list("pk", flat=True)),
            served_on__gte=first,
            served_on__lte=in_month(first)[1],
        ),
        Value(base.pk),
    )
    figures.update(own)
    return figures, whole[1] if whole else 0


def _whole_subtree(scope, unit: Unit | None, base: Unit) -> bool:
    """Whether the return's records are exactly those of `base`'s subtree, all of it in scope
    (the stored counts then hold its figures): the centre's province, a drill-down inside a
    subtree grant."""
    if not scope.everything and not any(base.path.startswith(p) for p in scope.subtree_paths):
        return False
    if unit is not None:
        return True
    if scope.everything:
        return not Unit.objects.filter(parent__isnull=True).exclude(pk=base.pk).exists()
    return not scope.unit_ids and len(scope.subtree_paths) == 1


def monthly_return(user, month: datetime.date, unit: Unit | None = None) -> MonthlyReturn:
    """Per unit of the user's `volunteer.view` scope — one row per child of `unit` (or of the
    scope's one top unit), each counting its whole subtree, and one for the unit's own records —
    the month's
    activities, 人次 and distinct volunteers, hours (of which 补录), prescribed actions done of
    expected, orders dispatched and closed, and the average rating. Every figure is counted from
    the records; a unit with nothing in the month is left out."""
    first, last = in_month(month)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = start + datetime.timedelta(days=(last - first).days + 1)
    scope = scope_for(user, "volunteer.view")

    def within(prefix: str) -> Q:
        """The rows of units in scope (and in `unit`'s subtree), as one condition on the joined
        unit's path: no list of thousands of unit ids."""
        if not scope.covers_units():
            return Q(pk__in=[])
        condition = scope.units_q(prefix)
        if unit is not None:
            condition &= Q(**{f"{prefix}path__startswith": unit.path})
        return condition

    base = unit
    if base is None and scope.everything:
        roots = list(Unit.objects.alive().filter(parent__isnull=True)[:2])
        base = roots[0] if len(roots) == 1 else None
    elif base is None and len(scope.subtree_paths) == 1 and not scope.unit_ids:
        (path,) = scope.subtree_paths
        base = Unit.objects.alive().filter(path=path).first()
    children = list(Unit.objects.alive().filter(parent=base)) if base is not None else []

    def group(prefix: str):
        """Each record's row: the child of `base` whose subtree holds its unit (the base's own
        records make the base's row); without a base, its unit."""
        if base is None:
            return F(f"{prefix}id")
        whens = [
            When(**{f"{prefix}path__startswith": child.path}, then=Value(child.pk))
            for child in children
        ]
        return Case(*whens, default=Value(base.pk), output_field=IntegerField())

    rows: dict[int, ReturnRow] = {}

    def row(unit_id: int) -> ReturnRow:
        if unit_id not in rows:
            rows[unit_id] = ReturnRow(unit=Unit(pk=unit_id))
        return rows[unit_id]

    services_in_month = ServiceActivity.objects.filter(
        within("activity__unit__"),
        activity__deleted_at__isnull=True,
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )
    # Each count below without the models' default ordering, and skipping an empty row: with no
    # child to group by, the group is a constant and an aggregate then makes one row of nothing.
    for unit_id, n, p in (
        services_in_month.order_by()
        .values(g=group("activity__unit__"))
        .annotate(n=Count("pk"), p=Count("pk", filter=Q(kind=ServiceActivity.Kind.PRESCRIBED)))
        .values_list("g", "n", "p")
    ):
        if not n:
            continue
        r = row(unit_id)
        r.activities, r.prescribed = n, p
    hours = ServiceHours.objects.filter(within("unit__"), served_on__gte=first, served_on__lte=last)
    if base is not None and _whole_subtree(scope, unit, base):
        figures, distinct = stored_hours(base, children, first)
    else:
        figures = counted_hours(hours, group("unit__"))
        distinct = hours.values("volunteer_id").distinct().count()
    for unit_id, (n, v, h, a) in figures.items():
        r = row(unit_id)
        r.attendances, r.volunteers = n, v
        r.hours, r.added_hours = h, a
    # The month's prescribed actions: each unit task in scope with its live activities under
    # the action (the task's evidence, as services.themes.counted counts them), in one query.
    done = (
        Activity.objects.alive()
        .filter(evidence_task=OuterRef("pk"), service__action=OuterRef("parent__prescribed_action"))
        .order_by()
        .values("evidence_task")
        .annotate(n=Count("pk"))
        .values("n")
    )
    for unit_id, n, expected in (
        Task.objects.filter(
            within("unit__"),
            deleted_at__isnull=True,
            parent__prescribed_action__theme__year=month.year,
            parent__prescribed_action__theme__month=month.month,
        )
        .annotate(g=group("unit__"), n=Coalesce(Subquery(done), 0))
        .values_list("g", "n", "parent__prescribed_action__expected_activities")
    ):
        r = row(unit_id)
        r.actions_expected += 1
        r.actions_done += int(n >= expected)
    orders = ServiceOrder.objects.filter(within("team__unit__"))
    for unit_id, n in (
        orders.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        .order_by()
        .values(g=group("team__unit__"))
        .annotate(n=Count("pk"))
        .values_list("g", "n")
    ):
        if n:
            row(unit_id).orders_dispatched = n
    for unit_id, n, total, rated in (
        orders.filter(closed_at__gte=start, closed_at__lt=end)
        .order_by()
        .values(g=group("team__unit__"))
        .annotate(n=Count("pk"), s=Sum("rating"), r=Count("rating"))
        .values_list("g", "n", "s", "r")
    ):
        if not n:
            continue
        r = row(unit_id)
        r.orders_closed, r.rating_total, r.ratings = n, total or 0, rated
    names = {u.pk: u for u in Unit.objects.filter(pk__in=rows)}
    ordered = sorted(rows.values(), key=lambda r: names[r.unit.pk].path)
    for r in ordered:
        r.unit = names[r.unit.pk]
    total = ReturnRow(unit=Unit(name=str(_("合计"))))
    for r in ordered:
        for name in (
            "activities",
            "prescribed",
            "attendances",
            "hours",
            "added_hours",
            "actions_done",
            "actions_expected",
            "orders_dispatched",
            "orders_closed",
            "rating_total",
            "ratings",
        ):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    total.volunteers = distinct
    return MonthlyReturn(
        month=first, rows=ordered, total=total, distinct_volunteers=distinct, base=base
    )


def national_rows(user, date_from: datetime.date, date_to: datetime.date):
    """Final hours recorded by units the user manages, in the period, for the national system's
    bulk import (full ID numbers: managers only, and every export is audited)."""
    managed = scope_for(user, "volunteer.manage")
    if not managed.covers_units():
        return ServiceHours.objects.none()
    open_objection = Q(objections__status__in=[Objection.Status.OPEN, Objection.Status.ESCALATED])
    return (
        ServiceHours.objects.filter(
            managed.units_q("unit__"),
            served_on__gte=date_from,
            served_on__lte=date_to,
            public_until__lte=timezone.now(),
        )
        .exclude(open_objection)
        .select_related("volunteer", "service__activity", "unit")
        .order_by("served_on", "id")
    )
