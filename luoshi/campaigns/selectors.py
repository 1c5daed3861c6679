"""Reads for the workbench, the campaign overview and the lists, always scoped to the user.

Nothing here loops over queries: to-do groups are one bounded count and one short list each,
overviews are single GROUP BY queries with conditional counts, and lists are filtered querysets
with `select_related` that the views paginate. Units are filtered by path prefix
(`UnitScope.units_q`), never by long id lists, so the cost does not grow with the tree.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.models import Notification, User
from luoshi.org.access import roles_of, scope_for, units_for_picker
from luoshi.org.models import Role, Unit

from .access import IdRow, units_in, visible_campaigns, visible_tasks
from .models import (
    AccountabilityAction,
    AccountabilityKind,
    Campaign,
    SupervisionNotice,
    Task,
    TaskRollup,
    TaskState,
    Track,
    WarningLevel,
)

S = TaskState

# A to-do group shows its first items; its count stops at COUNT_CAP ("99+") so that it never
# counts a whole province's tasks just to print a badge.
TOP_ITEMS = 5
COUNT_CAP = 99

TASK_ROW_RELATED = ("campaign", "track", "unit", "owner")

# --- Task filters -------------------------------------------------------------------------------

LEVELS = {
    "issued": gettext_lazy("下发单位的任务"),
    "sub": gettext_lazy("子任务"),
    "plan": gettext_lazy("任务分解"),
    "unit": gettext_lazy("全部单位任务"),
}
STATE_SETS = {
    "open": (S.ISSUED, S.SIGNED, S.IN_PROGRESS, S.SUBMITTED),
    "done": (S.VERIFIED, S.CLOSED),
    "doing": (S.SIGNED, S.IN_PROGRESS),
}
STATE_SET_LABELS = {
    "open": gettext_lazy("未办结"),
    "done": gettext_lazy("已办结（含销号）"),
    "doing": gettext_lazy("待分派及办理中"),
}
WARNING_FILTERS = {
    "red": gettext_lazy("红色预警"),
    "yellow": gettext_lazy("黄色预警"),
    "blue": gettext_lazy("蓝色预警"),
    "any": gettext_lazy("有预警"),
    "none": gettext_lazy("无预警"),
}
SORTS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "progress": ("progress", "deadline", "id"),
    "-progress": ("-progress", "deadline", "id"),
    "warning": ("-severity", "deadline", "id"),
    "-warning": ("severity", "deadline", "id"),
    "unit": ("unit__path", "deadline", "id"),
    "title": ("title", "id"),
    "updated": ("-updated_at", "-id"),
}
SEVERITY = Case(
    When(warning=WarningLevel.RED, then=Value(3)),
    When(warning=WarningLevel.YELLOW, then=Value(2)),
    When(warning=WarningLevel.BLUE, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class TaskFilter:
    """What the task list is narrowed to. Every field is optional; empty means "any"."""

    campaign: Campaign | None = None
    track: Track | None = None
    unit: Unit | None = None
    subtree: bool = False
    state: str = ""
    warning: str = ""
    mine: bool = False
    kind: str = ""
    level: str = ""
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    text: str = ""
    sort: str = "deadline"
    parent: Task | None = None

    def describe(self) -> list[str]:
        """The filters in words, for the head of an export."""
        parts = []
        if self.campaign:
            parts.append(_("专项行动：%(v)s") % {"v": self.campaign.display_name})
        if self.track:
            parts.append(_("方向：%(v)s") % {"v": self.track.name})
        if self.unit:
            suffix = _("（含下级）") if self.subtree else ""
            parts.append(_("责任单位：%(v)s") % {"v": self.unit.name} + suffix)
        if self.state:
            label = STATE_SET_LABELS.get(self.state) or S(self.state).label
            parts.append(_("状态：%(v)s") % {"v": label})
        if self.warning:
            parts.append(_("预警：%(v)s") % {"v": WARNING_FILTERS[self.warning]})
        if self.mine:
            parts.append(_("仅我负责的"))
        if self.kind:
            parts.append(_("类型：%(v)s") % {"v": Task.Kind(self.kind).label})
        if self.level:
            parts.append(_("层级：%(v)s") % {"v": LEVELS[self.level]})
        if self.deadline_from or self.deadline_to:
            parts.append(
                _("完成时限：%(a)s 至 %(b)s")
                % {"a": self.deadline_from or "…", "b": self.deadline_to or "…"}
            )
        if self.text:
            parts.append(_("关键词：%(v)s") % {"v": self.text})
        if self.parent:
            parts.append(_("上级任务：%(v)s") % {"v": self.parent.title})
        return parts


def _subtree(unit: Unit) -> QuerySet[Unit, IdRow]:
    return Unit.objects.filter(path__startswith=unit.path).values("id")


def _plans() -> QuerySet[Task, IdRow]:
    return Task.objects.filter(unit__isnull=True).values("id")


def _level_q(level: str) -> Q:
    # Plans are few (hundreds), so "is my parent a plan" is a lookup in a small in-memory list
    # rather than a join back to the task table.
    match level:
        case "plan":
            return Q(unit__isnull=True)
        case "issued":
            # a unit's own task: issued from a plan (or created for the unit directly)
            return Q(unit__isnull=False) & (Q(parent__isnull=True) | Q(parent__in=_plans()))
        case "sub":
            return Q(unit__isnull=False, parent__isnull=False) & ~Q(parent__in=_plans())
        case "unit":
            return Q(unit__isnull=False)
    return Q()


def _state_q(state: str) -> Q:
    if state in STATE_SETS:
        return Q(state__in=STATE_SETS[state])
    if state:
        return Q(state=state)
    # withdrawn tasks are left out unless asked for: they no longer count anywhere
    return ~Q(state=S.WITHDRAWN)


def _warning_q(warning: str) -> Q:
    match warning:
        case "any":
            return ~Q(warning=WarningLevel.NONE)
        case "none":
            return Q(warning=WarningLevel.NONE)
        case "":
            return Q()
    return Q(warning=warning)


def filter_tasks(user, filters: TaskFilter) -> QuerySet[Task]:
    """The tasks `user` may see, narrowed by `filters` and sorted; rows come with their relations."""
    tasks = visible_tasks(user).filter(_state_q(filters.state), _warning_q(filters.warning))
    if filters.campaign:
        tasks = tasks.filter(campaign=filters.campaign)
    if filters.track:
        tasks = tasks.filter(track=filters.track)
    if filters.unit:
        if filters.subtree:
            tasks = tasks.filter(unit__in=_subtree(filters.unit))
        else:
            tasks = tasks.filter(unit=filters.unit)
    if filters.mine:
        tasks = tasks.filter(owner=user)
    if filters.kind:
        tasks = tasks.filter(kind=filters.kind)
    if filters.level:
        tasks = tasks.filter(_level_q(filters.level))
    if filters.parent:
        tasks = tasks.filter(parent=filters.parent)
    if filters.deadline_from:
        tasks = tasks.filter(deadline__gte=filters.deadline_from)
    if filters.deadline_to:
        tasks = tasks.filter(deadline__lte=filters.deadline_to)
    if filters.text:
        text = filters.text.strip()
        text_q = Q(title__icontains=text)
        if text.isdigit():
            text_q |= Q(pk=int(text))
        tasks = tasks.filter(text_q)
    order = SORTS.get(filters.sort, SORTS["deadline"])
    if "severity" in order or "-severity" in order:
        tasks = tasks.annotate(severity=SEVERITY)
    return tasks.select_related(*TASK_ROW_RELATED).order_by(*order)


def bounded_count(queryset: QuerySet, cap: int) -> int:
    """min(count, cap + 1): counts at most cap + 1 rows, so a badge never scans a whole table."""
    return queryset.order_by()[: cap + 1].count()


# --- Workbench ----------------------------------------------------------------------------------


@dataclass
class TodoGroup:
    """One kind of to-do on the workbench: how many (bounded) and the most urgent few."""

    key: str
    title: str
    icon: str
    count: int
    items: list[Any]
    list_url: str = ""  # the filtered list that shows the whole group
    capped: bool = False


@dataclass
class CampaignCard:
    campaign: Campaign
    total: int = 0
    open: int = 0
    submitted: int = 0
    done: int = 0
    red: int = 0
    yellow: int = 0
    blue: int = 0
    progress: int = 0


@dataclass
class Workbench:
    todos: list[TodoGroup]
    warnings: dict[str, int]
    notifications: list[Notification]
    cards: list[CampaignCard] = field(default_factory=list)

    @property
    def todo_total(self) -> int:
        return sum(group.count for group in self.todos)


def _task_list_url(**params) -> str:
    return reverse("campaigns:task-list") + "?" + urlencode(params)


def _unit_tasks_in(user, perm: str) -> QuerySet[Task] | None:
    """Unit tasks whose unit lies in `user`'s scope for `perm`, or None without such a scope."""
    scope = scope_for(user, perm)
    if not scope.covers_units():
        return None
    tasks = Task.objects.alive().filter(unit__isnull=False)
    return tasks if scope.everything else tasks.filter(unit__in=units_in(scope))


def _todo(
    key: str, title: str, icon: str, queryset: QuerySet, list_url: str = "", order=None
) -> TodoGroup:
    count = bounded_count(queryset, COUNT_CAP)
    items = list(queryset.order_by(*(order or ("deadline", "id")))[:TOP_ITEMS])
    return TodoGroup(
        key=key,
        title=title,
        icon=icon,
        count=min(count, COUNT_CAP),
        items=items,
        list_url=list_url,
        capped=count > COUNT_CAP,
    )


def workbench(user) -> Workbench:
    """The person's to-dos, warnings and unread messages, and for the office and leaders a card
    per active campaign."""
    todos: list[TodoGroup] = []
    rows = ("campaign", "unit", "owner")

    to_sign = _unit_tasks_in(user, "task.sign")
    if to_sign is not None:
        todos.append(
            _todo(
                "sign",
                _("待签收"),
                "bi-pen",
                to_sign.filter(state=S.ISSUED).select_related(*rows),
                _task_list_url(state=S.ISSUED, level="issued"),
            )
        )
    to_assign = _unit_tasks_in(user, "task.assign")
    if to_assign is not None:
        todos.append(
            _todo(
                "assign",
                _("待分派"),
                "bi-person-plus",
                to_assign.filter(state=S.SIGNED).select_related(*rows),
                _task_list_url(state=S.SIGNED, level="issued"),
            )
        )
    report_q = Q(owner=user)
    reportable = scope_for(user, "task.report")
    if reportable.covers_units():
        # a unit task nobody owns yet is the liaison's to report on
        report_q |= Q(owner__isnull=True, unit__isnull=False, unit__in=units_in(reportable))
    todos.append(
        _todo(
            "report",
            _("待填报进度"),
            "bi-graph-up-arrow",
            Task.objects.alive().filter(report_q, state=S.IN_PROGRESS).select_related(*rows),
            _task_list_url(state=S.IN_PROGRESS, mine=1),
        )
    )
    reply_q = Q(task__owner=user)
    repliable = scope_for(user, "task.reply")
    if repliable.covers_units():
        reply_q |= Q(task__unit__in=units_in(repliable))
    todos.append(
        _todo(
            "reply",
            _("待回复督办"),
            "bi-envelope-exclamation",
            SupervisionNotice.objects.filter(
                reply_q, state=SupervisionNotice.State.OPEN, task__deleted_at__isnull=True
            ).select_related("task", "task__unit"),
            reverse("campaigns:notice-list") + "?" + urlencode({"state": "open", "mine": "1"}),
            order=("reply_deadline", "id"),
        )
    )
    to_verify = _unit_tasks_in(user, "task.verify")
    if to_verify is not None:
        todos.append(
            _todo(
                "verify",
                _("待复核"),
                "bi-clipboard-check",
                to_verify.filter(state=S.SUBMITTED).select_related(*rows),
                _task_list_url(state=S.SUBMITTED),
                order=("submitted_at", "id"),
            )
        )
    return Workbench(
        todos=todos,
        warnings=my_warnings(user),
        notifications=list(user.notifications.unread().order_by("-created_at", "-id")[:5]),
        cards=campaign_cards(user) if roles_of(user) & {Role.OFFICE, Role.LEADER} else [],
    )


HEADLINE_LEVEL = "issued"
"""The set every headline number counts — the workbench's warning tiles, the campaign cards, the
overview and the lists they open: the units' own tasks (`_level_q("issued")`), neither the plans
of the breakdown (their state, progress and colour are rolled up from these) nor the sub-tasks a
unit makes for its people (their progress is rolled up into their task); withdrawn and deleted
ones left out."""

HEADLINE_NOTE = gettext_lazy(
    "统计口径：下发到单位的任务（不含任务分解中的总任务和单位内部的子任务，不含已撤回的任务）。"
)


def warning_filter(level: str, **extra: Any) -> TaskFilter:
    """The task list's filter behind a headline count of `level` (red, yellow, blue)."""
    return TaskFilter(warning=level, level=HEADLINE_LEVEL, **extra)


def warning_list_url(level: str, **params: Any) -> str:
    """The task list showing exactly the tasks a headline count of `level` counts."""
    return _task_list_url(**params, warning=level, level=HEADLINE_LEVEL)


def my_warnings(user) -> dict[str, int]:
    """Red, yellow and blue counts over the tasks the user sees (HEADLINE_LEVEL): the very query
    of the task list that `warning_list_url` opens, counted."""
    levels = (WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.BLUE)
    tasks = filter_tasks(user, TaskFilter(warning="any", level=HEADLINE_LEVEL))
    counts = dict(tasks.order_by().values_list("warning").annotate(n=Count("id")))
    return {level: counts.get(level, 0) for level in levels}


# --- Campaign overview --------------------------------------------------------------------------


def _tally(prefix: str = "") -> dict[str, Any]:
    """Conditional counts shared by every overview grouping."""

    def state_in(*states):
        return Q(**{f"{prefix}state__in": states})

    def warning_is(level):
        return Q(**{f"{prefix}warning": level})

    tasks = f"{prefix}id" if prefix else "id"
    return {
        "total": Count(tasks),
        "issued": Count(tasks, filter=state_in(S.ISSUED)),
        "signed": Count(tasks, filter=state_in(S.SIGNED)),
        "in_progress": Count(tasks, filter=state_in(S.IN_PROGRESS)),
        "submitted": Count(tasks, filter=state_in(S.SUBMITTED)),
        "done": Count(tasks, filter=state_in(S.VERIFIED, S.CLOSED)),
        "red": Count(tasks, filter=warning_is(WarningLevel.RED)),
        "yellow": Count(tasks, filter=warning_is(WarningLevel.YELLOW)),
        "blue": Count(tasks, filter=warning_is(WarningLevel.BLUE)),
        "progress_sum": Coalesce(Sum(f"{prefix}progress"), Value(0)),
    }


TALLY_KEYS = (
    "total",
    "issued",
    "signed",
    "in_progress",
    "submitted",
    "done",
    "red",
    "yellow",
    "blue",
)


@dataclass
class OverviewRow:
    """One line of an overview table: a track, a unit, or the whole campaign."""

    key: Any
    name: str
    counts: dict[str, int]
    progress_sum: int = 0
    unit: Unit | None = None
    track: Track | None = None

    @property
    def progress(self) -> int:
        """Average progress of the row's tasks, in percent."""
        total = self.counts.get("total", 0)
        return round(self.progress_sum / total) if total else 0

    @property
    def done_rate(self) -> int:
        total = self.counts.get("total", 0)
        return round(100 * self.counts.get("done", 0) / total) if total else 0

    def add(self, values: dict[str, Any]) -> None:
        for key in TALLY_KEYS:
            self.counts[key] = self.counts.get(key, 0) + (values.get(key) or 0)
        self.progress_sum += values.get("progress_sum") or 0

    @property
    def lag_order(self) -> tuple:
        """Lagging first: most red, then most yellow, then lowest average progress."""
        return (-self.counts["red"], -self.counts["yellow"], self.progress, self.key)


def _empty_row(key, name: str, **extra) -> OverviewRow:
    return OverviewRow(key=key, name=name, counts=dict.fromkeys(TALLY_KEYS, 0), **extra)


def overview_tasks(user, campaign: Campaign) -> QuerySet[Task]:
    """The tasks an overview counts: the units' own tasks of `campaign` that `user` sees, withdrawn
    ones left out. The task list shows the same set with `?campaign=…&level=issued`."""
    return (
        visible_tasks(user, units_only=True)
        .filter(campaign=campaign)
        .filter(_level_q("issued"), _state_q(""))
        .order_by()
    )


def _rollup_rows(user, **filters) -> QuerySet[TaskRollup]:
    """The overview counts (campaigns.rollups) of the units in `user`'s task.view scope."""
    scope = scope_for(user, "task.view")
    rows = TaskRollup.objects.filter(**filters).order_by()
    if scope.everything:
        return rows
    if not scope.covers_units():
        return rows.none()
    return rows.filter(unit__in=units_in(scope))


SUM_KEYS = (*TALLY_KEYS, "progress_sum")


def _sums() -> dict[str, Any]:
    """Sums of the rollup's counts, named `sum_<count>` (a name may not shadow its field)."""
    return {f"sum_{key}": Sum(key) for key in SUM_KEYS}


def _summed(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: values.get(f"sum_{key}") or 0 for key in SUM_KEYS}


@dataclass
class Overview:
    campaign: Campaign
    totals: OverviewRow
    units_count: int
    tracks: list[OverviewRow]
    units: list[OverviewRow]


def campaign_overview(
    user, campaign: Campaign, *, unit_offset: int = 0, unit_limit: int = 50
) -> Overview:
    """Totals, progress by track and by unit (lagging units first: most red, then most yellow,
    then lowest average progress), for the units in `user`'s scope.

    Summed from TaskRollup (at most one row per unit and track) rather than counted from the
    tasks: a constant handful of queries, and fast for a province's 100,000 tasks.
    """
    rows = _rollup_rows(user, campaign=campaign)
    totals = _empty_row(None, _("合计"))
    totals.add(_summed(rows.aggregate(**_sums())))
    tracks = {
        track.pk: _empty_row(track.pk, track.name, track=track) for track in campaign.tracks.all()
    }
    for values in rows.values("track_id").annotate(**_sums()):
        track_id = values["track_id"]
        if track_id not in tracks:
            tracks[track_id] = _empty_row(track_id, _("未分方向"))
        tracks[track_id].add(_summed(values))
    lagging = (
        rows.values("unit_id")
        .annotate(
            **_sums(),
            average=ExpressionWrapper(
                Sum("progress_sum") * 1.0 / Sum("total"), output_field=FloatField()
            ),
        )
        # The django-stubs plugin cannot see the names **_sums() annotates.
        .order_by("-sum_red", "-sum_yellow", "average", "unit_id")  # type: ignore[misc]
    )
    page = []
    for unit_values in lagging[unit_offset : unit_offset + unit_limit]:
        row = _empty_row(unit_values["unit_id"], "")
        row.add(_summed(unit_values))
        page.append(row)
    names = Unit.objects.in_bulk([row.key for row in page])
    for row in page:
        row.unit = names[row.key]
        row.name = row.unit.name
    return Overview(
        campaign=campaign,
        totals=totals,
        units_count=rows.values("unit_id").distinct().count(),
        tracks=list(tracks.values()),
        units=page,
    )


def campaign_cards(user, campaigns=None) -> list[CampaignCard]:
    """A summary card per campaign (active ones by default) over the units in `user`'s scope:
    one GROUP BY over the overview counts for all of them."""
    if campaigns is None:
        campaigns = list(
            visible_campaigns(user).filter(status=Campaign.Status.ACTIVE).order_by("-start_date")
        )
    if not campaigns:
        return []
    values = {
        row["campaign_id"]: _summed(row)
        for row in _rollup_rows(user, campaign__in=campaigns)
        .values("campaign_id")
        .annotate(**_sums())
    }
    cards = []
    for campaign in campaigns:
        row = values.get(campaign.pk, {})
        total = row.get("total", 0)
        cards.append(
            CampaignCard(
                campaign=campaign,
                total=total,
                open=row.get("issued", 0) + row.get("signed", 0) + row.get("in_progress", 0),
                submitted=row.get("submitted", 0),
                done=row.get("done", 0),
                red=row.get("red", 0),
                yellow=row.get("yellow", 0),
                blue=row.get("blue", 0),
                progress=round(row.get("progress_sum", 0) / total) if total else 0,
            )
        )
    return cards


# --- Campaign list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignFilter:
    """What the campaign list is narrowed to; empty means "any"."""

    status: str = ""
    text: str = ""

    def describe(self) -> list[str]:
        parts = []
        if self.status:
            parts.append(_("状态：%(v)s") % {"v": Campaign.Status(self.status).label})
        if self.text:
            parts.append(_("关键词：%(v)s") % {"v": self.text})
        return parts


def filter_campaigns(user, filters: CampaignFilter) -> QuerySet[Campaign]:
    """The campaigns `user` may see, narrowed by `filters`, the newest first."""
    campaigns = visible_campaigns(user).select_related("office_unit")
    if filters.status:
        campaigns = campaigns.filter(status=filters.status)
    text = filters.text.strip()
    if text:
        campaigns = campaigns.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    return campaigns.order_by("-start_date", "-id")


# --- Supervision notices ------------------------------------------------------------------------

NOTICE_STATES = {
    "open": gettext_lazy("待回复"),
    "overdue": gettext_lazy("逾期未回复"),
    "replied": gettext_lazy("已回复"),
}


@dataclass(frozen=True)
class NoticeFilter:
    """What the supervision notice list is narrowed to; empty means "any"."""

    campaign: Campaign | None = None
    unit: Unit | None = None
    subtree: bool = False
    state: str = ""
    mine: bool = False
    text: str = ""
    task: Task | None = None

    def describe(self) -> list[str]:
        parts = []
        if self.campaign:
            parts.append(_("专项行动：%(v)s") % {"v": self.campaign.display_name})
        if self.unit:
            suffix = _("（含下级）") if self.subtree else ""
            parts.append(_("责任单位：%(v)s") % {"v": self.unit.name} + suffix)
        if self.state:
            parts.append(_("状态：%(v)s") % {"v": NOTICE_STATES[self.state]})
        if self.mine:
            parts.append(_("仅待我回复的"))
        if self.text:
            parts.append(_("关键词：%(v)s") % {"v": self.text})
        if self.task:
            parts.append(_("任务：%(v)s") % {"v": self.task.title})
        return parts


def filter_notices(
    user, filters: NoticeFilter, *, today: datetime.date
) -> QuerySet[SupervisionNotice]:
    """Supervision notices on tasks `user` sees."""
    # notices sit on units' tasks only (services.issue_notice), so the units' part of the
    # visibility rule is the whole of it; checked per notice, not over every visible task
    notices = SupervisionNotice.objects.filter(
        task__deleted_at__isnull=True, task__unit__isnull=False
    ).select_related("task", "task__unit", "task__campaign", "issued_by", "replied_by")
    scope = scope_for(user, "task.view")
    if not scope.everything:
        visible = Q(task__owner=user)
        if scope.covers_units():
            visible |= Q(task__unit__in=units_in(scope))
        notices = notices.filter(visible)
    if filters.campaign:
        notices = notices.filter(task__campaign=filters.campaign)
    if filters.task:
        notices = notices.filter(task=filters.task)
    if filters.unit:
        if filters.subtree:
            notices = notices.filter(task__unit__in=_subtree(filters.unit))
        else:
            notices = notices.filter(task__unit=filters.unit)
    match filters.state:
        case "open":
            notices = notices.filter(state=SupervisionNotice.State.OPEN)
        case "overdue":
            notices = notices.filter(state=SupervisionNotice.State.OPEN, reply_deadline__lt=today)
        case "replied":
            notices = notices.filter(state=SupervisionNotice.State.REPLIED)
    if filters.mine:
        mine_q = Q(task__owner=user)
        repliable = scope_for(user, "task.reply")
        if repliable.covers_units():
            mine_q |= repliable.units_q("task__unit__")
        notices = notices.filter(mine_q)
    if filters.text.strip():
        text = filters.text.strip()
        notices = notices.filter(
            Q(number__icontains=text) | Q(content__icontains=text) | Q(task__title__icontains=text)
        )
    return notices.order_by("-issued_at", "-id")


# --- The task page and the set-up pages ---------------------------------------------------------

UNIT_CHOICES_LIMIT = 200  # units offered in a picker before one types to search


def unit_members(task: Task) -> QuerySet[User]:
    """The active people of the task's unit: whom its task can be assigned to."""
    return (
        User.objects.filter(memberships__unit=task.unit, is_active=True, deleted_at__isnull=True)
        .distinct()
        .order_by("name", "id")
    )


def people_in_scope(user) -> QuerySet[User]:
    """People the user may pick: members of units in their person.view scope."""
    scope = scope_for(user, "person.view")
    people = User.objects.filter(is_active=True, deleted_at__isnull=True)
    if not scope.everything:
        people = people.filter(memberships__unit__in=units_for_picker(user, "person.view"))
    return people.distinct().order_by("name", "id")


def picker_units(user, perm: str, selected: Unit | None) -> list[Unit]:
    """The first units of the user's reach for the picker, indented as a tree (the rest are
    found by typing)."""
    units = list(units_for_picker(user, perm).order_by("path")[:UNIT_CHOICES_LIMIT])
    top = min((unit.depth for unit in units), default=0)
    for unit in units:
        unit.picker_label = "\u3000" * (unit.depth - top) + unit.name
    if selected is not None and all(unit.pk != selected.pk for unit in units):
        units.insert(0, selected)
    return units


@dataclass
class UnitRow:
    """A unit in the issue page's tree of checkboxes."""

    unit: Unit
    indent: int
    has_children: bool
    checked: bool
    issued: bool


def issue_rows(units: list[Unit], *, checked: set[str], issued: frozenset) -> list[UnitRow]:
    """The units to issue a plan to, as an indented tree, marking those already issued."""
    parent_ids = {unit.parent_id for unit in units}
    base = min((unit.depth for unit in units), default=0)
    return [
        UnitRow(
            unit=unit,
            indent=unit.depth - base,
            has_children=unit.pk in parent_ids,
            checked=str(unit.pk) in checked,
            issued=unit.pk in issued,
        )
        for unit in units
    ]


EDIT_LABELS = {
    "title": gettext_lazy("任务名称"),
    "description": gettext_lazy("任务要求"),
    "expected_evidence": gettext_lazy("佐证材料要求"),
    "priority": gettext_lazy("优先级"),
    "track_id": gettext_lazy("方向"),
    "start_date": gettext_lazy("开始日期"),
    "deadline": gettext_lazy("完成时限"),
    "kind": gettext_lazy("类型"),
}


def _shown(name: str, value, track_names: dict[int, str]):
    """An edited field's stored value as people read it (names instead of ids and codes)."""
    if value in (None, ""):
        return value
    try:
        if name == "track_id":
            return track_names.get(int(value), value)
        if name == "priority":
            return Task.Priority(int(value)).label
        if name == "kind":
            return Task.Kind(value).label
    except ValueError:
        pass
    return value


def change_rows(changes: dict | None, track_names: dict[int, str]) -> list[tuple]:
    """(label, before, after) of each field an edit changed, as people read them."""
    return [
        (
            str(EDIT_LABELS.get(name, name)),
            _shown(name, pair[0], track_names),
            _shown(name, pair[1], track_names),
        )
        for name, pair in (changes or {}).items()
    ]


def describe_conflicts(changes: list[dict], track_names: dict[int, str]) -> list[dict]:
    """StaleEdit's changes, with field labels, for the page."""
    return [
        {
            "actor": change["actor"],
            "at": change["at"],
            "fields": [
                {"label": label, "before": before, "after": after}
                for label, before, after in change_rows(change["changes"], track_names)
            ],
        }
        for change in changes
    ]


# --- Accountability (问责) records --------------------------------------------------------------


@dataclass(frozen=True)
class AccountabilityFilter:
    """What the city-wide accountability list is narrowed to; empty means "any"."""

    campaign: Campaign | None = None
    unit: Unit | None = None
    subtree: bool = False
    kind: AccountabilityKind | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    text: str = ""

    def describe(self) -> list[str]:
        parts = []
        if self.campaign:
            parts.append(_("专项行动：%(v)s") % {"v": self.campaign.display_name})
        if self.unit:
            suffix = _("（含下级）") if self.subtree else ""
            parts.append(_("被问责单位：%(v)s") % {"v": self.unit.name} + suffix)
        if self.kind:
            parts.append(_("问责方式：%(v)s") % {"v": self.kind.name})
        if self.date_from or self.date_to:
            parts.append(
                _("问责日期：%(a)s 至 %(b)s")
                % {"a": self.date_from or "…", "b": self.date_to or "…"}
            )
        if self.text:
            parts.append(_("关键词：%(v)s") % {"v": self.text})
        return parts


def filter_accountability(user, filters: AccountabilityFilter) -> QuerySet[AccountabilityAction]:
    """The accountability records `user` may see, newest first: the campaign office (a task.view
    scope over everything) sees all; a unit's people see those against units in their task.view
    scope or on those units' tasks; anyone sees those on tasks they own or against themselves."""
    actions = AccountabilityAction.objects.filter(task__deleted_at__isnull=True).select_related(
        "task", "task__campaign", "task__unit", "kind", "unit", "person", "recorded_by"
    )
    scope = scope_for(user, "task.view")
    if not scope.everything:
        visible = Q(task__owner=user) | Q(person=user)
        if scope.covers_units():
            units = units_in(scope)
            visible |= Q(unit__in=units) | Q(task__unit__in=units)
        actions = actions.filter(visible)
    if filters.campaign:
        actions = actions.filter(task__campaign=filters.campaign)
    if filters.unit:
        if filters.subtree:
            actions = actions.filter(unit__in=_subtree(filters.unit))
        else:
            actions = actions.filter(unit=filters.unit)
    if filters.kind:
        actions = actions.filter(kind=filters.kind)
    if filters.date_from:
        actions = actions.filter(recorded_at__date__gte=filters.date_from)
    if filters.date_to:
        actions = actions.filter(recorded_at__date__lte=filters.date_to)
    if filters.text.strip():
        text = filters.text.strip()
        actions = actions.filter(
            Q(reason__icontains=text)
            | Q(document_number__icontains=text)
            | Q(task__title__icontains=text)
            | Q(person__name__icontains=text)
        )
    return actions.order_by("-recorded_at", "-id")
