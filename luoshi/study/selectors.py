"""Reading study data, scoped to the user: groups and their members, reading records, essays and
the per-person and per-unit study counts (every count in one GROUP BY)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.campaigns.models import Campaign
from luoshi.ledgers.models import Activity, ActivityType, Category, Participation
from luoshi.ledgers.selectors import ActivityFilter, filter_activities
from luoshi.org.access import scope_for, visible_people
from luoshi.org.models import Unit

from .access import essay_type_ids, reading_type_ids, visible_groups
from .models import GroupMember, Reading, StudyGroup, StudySettings
from .services import YES

__all__ = ["group_members", "visible_groups"]


def group_members(user, group: StudyGroup) -> QuerySet[User]:
    """The group's members `user` may pick as participants of a session they record (leaders
    first): nothing when the group is out of sight, only people in their `ledger.record` reach."""
    if not visible_groups(user).filter(pk=group.pk).exists():
        return User.objects.none()
    return (
        visible_people(user, "ledger.record")
        .filter(pk__in=GroupMember.objects.filter(group=group).values("person_id"))
        .order_by("pinyin", "id")
    )


def groups_members(user, groups) -> list[User]:
    """The members of every group in `groups` that `user` may pick (see group_members), once
    each: the study groups added whole on the ledger's record form."""
    people: dict[int, User] = {}
    for group in groups:
        people.update((person.pk, person) for person in group_members(user, group))
    return list(people.values())


def group_list(user, *, unit: Unit | None = None, text: str = "") -> QuerySet[StudyGroup]:
    groups = visible_groups(user).select_related("unit").annotate(size=Count("members"))
    if unit is not None:
        groups = groups.filter(unit__path__startswith=unit.path)
    if text:
        groups = groups.filter(name__icontains=text)
    return groups


def members_of(groups) -> dict[int, list[GroupMember]]:
    """Members of the given groups by group id, leaders first, in one query."""
    found: dict[int, list[GroupMember]] = defaultdict(list)
    rows = (
        GroupMember.objects.filter(group__in=[g.pk for g in groups])
        .select_related("person")
        .order_by("group_id", "role", "person__pinyin", "id")
    )
    for member in rows:
        found[member.group_id].append(member)
    return found


def reading_list(campaign: Campaign | None) -> list[Reading]:
    if campaign is None:
        return []
    return list(Reading.objects.filter(campaign=campaign).order_by("sort_order", "id"))


@dataclass
class StudyFilter:
    """The study pages' filters: a unit subtree (or the unit itself), a period, a person."""

    campaign: Campaign | None = None
    unit: Unit | None = None
    unit_exact: bool = False
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person_id: int | None = None
    text: str = ""

    def describe(self) -> list[str]:
        """The filters in words, for the head of an export."""
        parts = []
        if self.campaign is not None:
            parts.append(_("专项行动：%(c)s") % {"c": self.campaign.display_name})
        if self.unit is not None:
            parts.append(_("单位：%(unit)s（含下级）") % {"unit": self.unit.name})
        if self.date_from or self.date_to:
            parts.append(
                _("时间：%(a)s 至 %(b)s")
                % {"a": self.date_from or _("不限"), "b": self.date_to or _("不限")}
            )
        if self.text:
            parts.append(_("关键词：%(q)s") % {"q": self.text})
        return parts

    def activity_filter(self, **extra: Any) -> ActivityFilter:
        return ActivityFilter(
            unit=self.unit,
            unit_exact=self.unit_exact,
            date_from=self.date_from,
            date_to=self.date_to,
            person_id=self.person_id,
            text=self.text,
            **extra,
        )


def build_filter(
    user,
    *,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    only: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    person_id: int | None = None,
    text: str = "",
) -> StudyFilter:
    """The filter of a page or API call; a campaign, unit or person out of reach is a 404."""
    from luoshi.org.access import get_person_in_scope, get_unit_in_scope

    from .access import get_study_campaign

    unit = get_unit_in_scope(user, unit_id, perm="ledger.view") if unit_id else None
    if person_id is not None:
        get_person_in_scope(user, person_id, perm="ledger.view")
    return StudyFilter(
        campaign=get_study_campaign(user, campaign_id),
        unit=unit,
        unit_exact=only and unit is not None,
        date_from=date_from,
        date_to=date_to,
        person_id=person_id,
        text=text.strip(),
    )


def _designated_q(campaign: Campaign | None, prefix: str = "") -> Q:
    """A reading record of a designated book: marked so, or its book is on the list."""
    titles = [r.title for r in reading_list(campaign)]
    condition = Q(**{f"{prefix}values__designated": YES})
    if titles:
        condition |= Q(**{f"{prefix}values__book__in": titles})
    return condition


def reading_records(user, flt: StudyFilter, *, designated: bool = False) -> QuerySet[Activity]:
    """Reading records (activities of a reading type) `user` sees, newest first."""
    records = filter_activities(user, flt.activity_filter()).filter(type_id__in=reading_type_ids())
    if designated:
        records = records.filter(_designated_q(flt.campaign))
    return records.select_related("type", "unit").prefetch_related("participations__person")


def essays(user, flt: StudyFilter, *, excellent: bool = False) -> QuerySet[Activity]:
    """Reflection essays (activities of an essay type) `user` sees, newest first."""
    records = filter_activities(user, flt.activity_filter()).filter(type_id__in=essay_type_ids())
    if excellent:
        records = records.filter(commended_at__isnull=False)
    return (
        records.select_related("type", "unit", "commended_by")
        .prefetch_related("participations__person")
        .order_by("-starts_at", "-id")
    )


def author_of(activity: Activity) -> User | None:
    """The person of a personal record (its one participant; prefetched by the lists)."""
    people = [p.person for p in activity.participations.all()]
    return people[0] if people else activity.recorded_by


# --- Counts ---------------------------------------------------------------------------------------

PERSONAL_COLUMNS = ("books", "designated", "essays", "excellent")


@dataclass
class StudyCounts:
    """Rows of counts: per session type (attended or held), then books read, designated books,
    essays and 优秀 essays. `rows` are dicts with "person" or "unit", "sessions" (a list in the
    order of `session_types`) and the four personal counts."""

    session_types: list[ActivityType] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def session_types() -> list[ActivityType]:
    """The study sessions counted: every study-category type that is not a personal record."""
    return list(
        ActivityType.objects.filter(category=Category.STUDY, is_personal=False).order_by(
            "sort_order", "id"
        )
    )


def _settings(campaign: Campaign | None) -> tuple[int | None, int | None]:
    settings = StudySettings.objects.filter(campaign=campaign).first() if campaign else None
    if settings is None:
        return None, None
    return settings.reading_type_id, settings.essay_type_id


def _cells(grouped, key: str, types: list[ActivityType], reading_id, essay_id, type_key: str):
    cells: dict[int, dict[str, Any]] = {}
    positions = {t.pk: index for index, t in enumerate(types)}
    for row in grouped:
        cell = cells.setdefault(
            row[key], {"sessions": [0] * len(types), **dict.fromkeys(PERSONAL_COLUMNS, 0)}
        )
        type_id = row[type_key]
        if type_id in positions:
            cell["sessions"][positions[type_id]] += row["n"]
        if type_id == reading_id:
            cell["books"] += row["n"]
            cell["designated"] += row["designated"]
        if type_id == essay_id:
            cell["essays"] += row["n"]
            cell["excellent"] += row["excellent"]
    return cells


def person_study_counts(user, flt: StudyFilter) -> StudyCounts:
    """Per person: study sessions attended by type, books read, designated books, essays and 优秀
    essays in the unit subtree and period. Plain staff see only their own row."""
    types = session_types()
    reading_id, essay_id = _settings(flt.campaign)
    activities = filter_activities(user, flt.activity_filter(category=Category.STUDY))
    participations = Participation.objects.filter(activity__in=activities.values("pk"))
    if not scope_for(user, "ledger.view").covers_units():
        participations = participations.filter(person=user)
    grouped = (
        participations.values("person_id", "activity__type_id")
        .annotate(
            n=Count("id"),
            designated=Count("id", filter=_designated_q(flt.campaign, "activity__")),
            excellent=Count("id", filter=Q(activity__commended_at__isnull=False)),
        )
        .order_by()
    )
    cells = _cells(grouped, "person_id", types, reading_id, essay_id, "activity__type_id")
    people = User.objects.filter(pk__in=list(cells)).order_by("pinyin", "id")
    return StudyCounts(
        session_types=types,
        rows=[{"person": person, **cells[person.pk]} for person in people],
    )


def unit_study_counts(user, flt: StudyFilter) -> StudyCounts:
    """Per organising unit: study sessions held by type, books read, designated books, essays and
    优秀 essays recorded for the unit in the period."""
    types = session_types()
    reading_id, essay_id = _settings(flt.campaign)
    grouped = (
        filter_activities(user, flt.activity_filter(category=Category.STUDY))
        .values("unit_id", "type_id")
        .annotate(
            n=Count("id", distinct=True),
            designated=Count("id", distinct=True, filter=_designated_q(flt.campaign)),
            excellent=Count("id", distinct=True, filter=Q(commended_at__isnull=False)),
        )
        .order_by()
    )
    cells = _cells(grouped, "unit_id", types, reading_id, essay_id, "type_id")
    units = Unit.objects.filter(pk__in=list(cells)).order_by("path")
    return StudyCounts(
        session_types=types, rows=[{"unit": unit, **cells[unit.pk]} for unit in units]
    )
