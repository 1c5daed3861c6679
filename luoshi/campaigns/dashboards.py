"""The workbench, the campaign overview and the lists (tasks, campaigns, supervision notices),
with their filters and Excel exports. Views parse, call a selector and render."""

import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import scope_for, units_for_picker
from luoshi.org.models import Unit

from . import selectors
from .access import get_campaign_for_user, visible_campaigns
from .models import Campaign, SupervisionNotice, Task, TaskState, Track

S = TaskState
PER_PAGE_CHOICES = (25, 50, 100)
LIST_COUNT_CAP = 10_000  # a list says "10000+" rather than counting a whole province
UNIT_CHOICES_LIMIT = 200  # units offered in the picker before one types to search
EXPORT_LIMIT = 100_000
# filters folded away on a phone unless one of them is in use
MORE_FILTERS = ("unit", "track", "kind", "level", "deadline_from", "deadline_to", "mine", "sort")

# --- Pagination ---------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a list, with a bounded total (see LIST_COUNT_CAP)."""

    rows: list[Any]
    number: int
    per_page: int
    total: int
    capped: bool

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def paginate(request: HttpRequest, queryset: QuerySet, *, param: str = "page") -> Page:
    per_page = _int(request.GET.get("per_page"), PER_PAGE_CHOICES[0])
    if per_page not in PER_PAGE_CHOICES:
        per_page = PER_PAGE_CHOICES[0]
    count = selectors.bounded_count(queryset, LIST_COUNT_CAP)
    total = min(count, LIST_COUNT_CAP)
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, _int(request.GET.get(param), 1)), pages)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page]) if total else []
    return Page(rows, number, per_page, total, count > LIST_COUNT_CAP)


# --- Filter forms -------------------------------------------------------------------------------


class UnitPickerField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return "\u3000" * unit.depth + unit.name


def _unit_field(user, perm: str) -> UnitPickerField:
    return UnitPickerField(
        label=gettext_lazy("责任单位"), queryset=units_for_picker(user, perm), required=False
    )


def _picker_units(user, perm: str, selected: Unit | None) -> list[Unit]:
    """The first units of the user's reach for the picker, indented as a tree (the rest are
    found by typing)."""
    units = list(units_for_picker(user, perm).order_by("path")[:UNIT_CHOICES_LIMIT])
    top = min((unit.depth for unit in units), default=0)
    for unit in units:
        unit.picker_label = "\u3000" * (unit.depth - top) + unit.name
    if selected is not None and all(unit.pk != selected.pk for unit in units):
        units.insert(0, selected)
    return units


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = css


class TaskFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("专项行动"), queryset=Campaign.objects.none(), required=False
    )
    track = forms.ModelChoiceField(
        label=gettext_lazy("方向"), queryset=Track.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), queryset=Unit.objects.none(), required=False
    )
    subtree = forms.BooleanField(label=gettext_lazy("含下级单位"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    warning = forms.ChoiceField(label=gettext_lazy("预警"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("仅我负责的"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *Task.Kind.choices],
    )
    level = forms.ChoiceField(
        label=gettext_lazy("层级"),
        required=False,
        choices=[("", gettext_lazy("全部层级")), *selectors.LEVELS.items()],
    )
    deadline_from = forms.DateField(
        label=gettext_lazy("时限起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deadline_to = forms.DateField(
        label=gettext_lazy("时限止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[
            ("deadline", gettext_lazy("完成时限（近→远）")),
            ("-deadline", gettext_lazy("完成时限（远→近）")),
            ("warning", gettext_lazy("预警（红→蓝）")),
            ("progress", gettext_lazy("进度（低→高）")),
            ("-progress", gettext_lazy("进度（高→低）")),
            ("unit", gettext_lazy("责任单位")),
            ("title", gettext_lazy("任务名称")),
            ("updated", gettext_lazy("最近更新")),
        ],
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        campaigns = visible_campaigns(user)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = _("全部专项行动")
        self.fields["track"].queryset = Track.objects.filter(campaign__in=campaigns)
        self.fields["track"].empty_label = _("全部方向")
        self.fields["unit"] = _unit_field(user, "task.view")
        self.fields["state"].choices = [
            ("", _("全部状态（不含已撤回）")),
            *selectors.STATE_SET_LABELS.items(),
            *[(value, label) for value, label in S.choices if value != S.DRAFT],
            (S.DRAFT, S.DRAFT.label),
        ]
        self.fields["warning"].choices = [("", _("全部")), *selectors.WARNING_FILTERS.items()]
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("deadline_from"), data.get("deadline_to")
        if start and end and start > end:
            self.add_error("deadline_to", _("结束日期不能早于开始日期。"))
        track, campaign = data.get("track"), data.get("campaign")
        if track and campaign and track.campaign_id != campaign.pk:
            self.add_error("track", _("该方向不属于所选专项行动。"))
        return data

    def to_filter(self) -> selectors.TaskFilter:
        data = self.cleaned_data
        return selectors.TaskFilter(
            campaign=data.get("campaign"),
            track=data.get("track"),
            unit=data.get("unit"),
            subtree=bool(data.get("subtree")),
            state=data.get("state") or "",
            warning=data.get("warning") or "",
            mine=bool(data.get("mine")),
            kind=data.get("kind") or "",
            level=data.get("level") or "",
            deadline_from=data.get("deadline_from"),
            deadline_to=data.get("deadline_to"),
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or "deadline",
        )


def _task_filter(request: HttpRequest) -> tuple[TaskFilterForm, selectors.TaskFilter | None]:
    """The bound filter form and its filter, or None when the input is bad (the list is then
    empty and the form says why, rather than silently showing everything)."""
    form = TaskFilterForm(request.GET, user=request.user)
    return form, form.to_filter() if form.is_valid() else None


# --- Workbench ----------------------------------------------------------------------------------


@login_required
def workbench(request: AuthenticatedRequest) -> HttpResponse:
    bench = selectors.workbench(request.user)
    task_list = reverse("campaigns:task-list")
    warnings = [
        (level, label, bench.warnings[level], f"{task_list}?{urlencode({'warning': level})}")
        for level, label in (
            ("red", _("红色预警")),
            ("yellow", _("黄色预警")),
            ("blue", _("蓝色预警")),
        )
    ]
    return render(
        request,
        "campaigns/workbench.html",
        {"bench": bench, "warnings": warnings, "today": timezone.localdate()},
    )


# --- Campaign overview --------------------------------------------------------------------------

OVERVIEW_COLUMNS: tuple[tuple[str, Promise, dict[str, str]], ...] = (
    ("total", gettext_lazy("任务数"), {}),
    ("issued", gettext_lazy("待签收"), {"state": S.ISSUED}),
    ("signed", gettext_lazy("待分派"), {"state": S.SIGNED}),
    ("in_progress", gettext_lazy("办理中"), {"state": S.IN_PROGRESS}),
    ("submitted", gettext_lazy("待复核"), {"state": S.SUBMITTED}),
    ("done", gettext_lazy("已办结"), {"state": "done"}),
    ("red", gettext_lazy("红色预警"), {"warning": "red"}),
    ("yellow", gettext_lazy("黄色预警"), {"warning": "yellow"}),
    ("blue", gettext_lazy("蓝色预警"), {"warning": "blue"}),
)
STATE_SERIES = (
    ("issued", gettext_lazy("待签收"), "#adb5bd"),
    ("signed", gettext_lazy("待分派"), "#6c757d"),
    ("in_progress", gettext_lazy("办理中"), "#0dcaf0"),
    ("submitted", gettext_lazy("待复核"), "#6f42c1"),
    ("done", gettext_lazy("已办结"), "#198754"),
)
UNITS_PER_PAGE = 50
UNITS_IN_CHART = 15


def overview_link(campaign: Campaign, **params) -> str:
    """The task list behind an overview number: the campaign's unit tasks, narrowed."""
    query: dict[str, Any] = {"campaign": campaign.pk, "level": "issued"}
    query.update({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse('campaigns:task-list')}?{urlencode(query)}"


def _cells(campaign: Campaign, row: selectors.OverviewRow, **base) -> list[tuple[int, str, str]]:
    return [
        (row.counts[key], overview_link(campaign, **base, **params), key)
        for key, _label, params in OVERVIEW_COLUMNS
    ]


def _track_chart(overview: selectors.Overview) -> tuple[dict, dict]:
    names = [row.name for row in overview.tracks]
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": _("任务数"), "minInterval": 1},
        "series": [
            {
                "name": str(label),
                "type": "bar",
                "stack": "state",
                "color": color,
                "data": [row.counts[key] for row in overview.tracks],
            }
            for key, label, color in STATE_SERIES
        ],
    }
    links = {
        row.name: overview_link(overview.campaign, track=row.track.pk if row.track else None)
        for row in overview.tracks
    }
    return option, links


def _unit_chart(overview: selectors.Overview) -> tuple[dict, dict]:
    """Average progress (bottom axis, 0–100 %) beside red and yellow counts (top axis)."""
    rows = list(reversed(overview.units[:UNITS_IN_CHART]))  # the most lagging on top
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 56, "containLabel": True},
        "xAxis": [
            {
                "type": "value",
                "max": 100,
                "position": "bottom",
                "axisLabel": {"formatter": "{value}%"},
            },
            {"type": "value", "minInterval": 1, "position": "top"},
        ],
        "yAxis": {"type": "category", "data": [row.name for row in rows]},
        "series": [
            {
                "name": _("平均进度（%）"),
                "type": "bar",
                "color": "#198754",
                "xAxisIndex": 0,
                "data": [row.progress for row in rows],
            },
            {
                "name": _("红色预警"),
                "type": "bar",
                "stack": "warnings",
                "color": "#dc3545",
                "xAxisIndex": 1,
                "data": [row.counts["red"] for row in rows],
            },
            {
                "name": _("黄色预警"),
                "type": "bar",
                "stack": "warnings",
                "color": "#ffc107",
                "xAxisIndex": 1,
                "data": [row.counts["yellow"] for row in rows],
            },
        ],
    }
    links = {row.name: overview_link(overview.campaign, unit=row.key) for row in rows}
    return option, links


@login_required
def campaign_overview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    unit_page = max(1, _int(request.GET.get("unit_page"), 1))
    overview = selectors.campaign_overview(
        request.user,
        campaign,
        unit_offset=(unit_page - 1) * UNITS_PER_PAGE,
        unit_limit=UNITS_PER_PAGE,
    )
    track_chart, track_links = _track_chart(overview)
    unit_chart, unit_links = _unit_chart(overview)
    tracks = [
        (row, _cells(campaign, row, track=row.track.pk if row.track else None))
        for row in overview.tracks
    ]
    units = [(row, _cells(campaign, row, unit=row.key)) for row in overview.units]
    unit_pages = max(1, math.ceil(overview.units_count / UNITS_PER_PAGE))
    return render(
        request,
        "campaigns/overview.html",
        {
            "campaign": campaign,
            "overview": overview,
            "columns": [(key, label) for key, label, _params in OVERVIEW_COLUMNS],
            "totals": _cells(campaign, overview.totals),
            "tracks": tracks,
            "units": units,
            "unit_page": unit_page,
            "unit_pages": unit_pages,
            "unit_rank_offset": (unit_page - 1) * UNITS_PER_PAGE,
            "track_chart": track_chart,
            "track_links": track_links,
            "unit_chart": unit_chart,
            "unit_links": unit_links,
            "units_in_chart": min(UNITS_IN_CHART, len(overview.units)),
            "unit_chart_height": 100 + 36 * min(UNITS_IN_CHART, len(overview.units)),
        },
    )


# --- Task list ----------------------------------------------------------------------------------


@login_required
def task_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        return task_export(request)
    form, filters = _task_filter(request)
    tasks = selectors.filter_tasks(request.user, filters) if filters else Task.objects.none()
    page = paginate(request, tasks)
    selected_unit = filters.unit if filters else None
    return render(
        request,
        "campaigns/task_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "unit_choices": _picker_units(request.user, "task.view", selected_unit),
            "selected_unit": selected_unit,
            "has_unit_scope": scope_for(request.user, "task.view").covers_units(),
            "per_page_choices": PER_PAGE_CHOICES,
            "more_filters": any(request.GET.get(name) for name in MORE_FILTERS)
            or (filters is None),
        },
    )


def _export(
    request: AuthenticatedRequest,
    *,
    title: str,
    headers,
    rows,
    notes: list[str],
    object_type: str,
) -> HttpResponse:
    rows = list(rows)
    now = timezone.localtime()
    notes = [
        _("导出时间：%(at)s；导出人：%(who)s；共 %(n)d 条")
        % {
            "at": now.strftime("%Y-%m-%d %H:%M"),
            "who": request.user.name or request.user.username,
            "n": len(rows),
        },
        *notes,
    ]
    content = build_workbook(title=title, headers=[str(h) for h in headers], rows=rows, notes=notes)
    record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        verb="export",
        object_type=object_type,
        object_repr=_("%(title)s（%(n)d 条）") % {"title": title, "n": len(rows)},
        note="；".join(notes[1:]),
    )
    return xlsx_response(content, f"{title}-{now:%Y%m%d%H%M}.xlsx")


@login_required
def task_export(request: AuthenticatedRequest) -> HttpResponse:
    form, filters = _task_filter(request)
    if filters is None:
        return render(
            request,
            "campaigns/task_list.html",
            {
                "form": form,
                "filters": None,
                "page": Page([], 1, PER_PAGE_CHOICES[0], 0, False),
                "unit_choices": _picker_units(request.user, "task.view", None),
                "has_unit_scope": scope_for(request.user, "task.view").covers_units(),
                "per_page_choices": PER_PAGE_CHOICES,
            },
            status=400,
        )
    tasks = selectors.filter_tasks(request.user, filters)[:EXPORT_LIMIT]
    return _export(
        request,
        title=_("任务清单"),
        headers=selectors.EXPORT_HEADERS,
        rows=selectors.export_rows(tasks),
        notes=[_("筛选条件：%(f)s") % {"f": "；".join(filters.describe()) or _("无")}],
        object_type="campaigns.task",
    )


@login_required
def unit_options(request: AuthenticatedRequest) -> HttpResponse:
    """htmx: the unit picker's options matching what was typed (name, short name or pinyin)."""
    text = request.GET.get("unit_q", "")
    units = units_for_picker(request.user, "task.view").search(text).order_by("path")
    return render(
        request,
        "campaigns/dashboards/unit_options.html",
        {"units": units[:UNIT_CHOICES_LIMIT]},
    )


# --- Campaign list ------------------------------------------------------------------------------


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *Campaign.Status.choices],
    )
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)

    def __init__(self, data):
        super().__init__(data)
        _bootstrap(self)


@login_required
def campaign_list(request: AuthenticatedRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    campaigns = selectors.filter_campaigns(
        request.user, status=data.get("status", ""), text=data.get("q", "")
    )
    if request.GET.get("format") == "xlsx":
        cards = selectors.campaign_cards(request.user, list(campaigns))
        statuses = dict(Campaign.Status.choices)
        return _export(
            request,
            title=_("专项行动清单"),
            headers=[
                _("名称"),
                _("牵头单位"),
                _("开始日期"),
                _("结束日期"),
                _("状态"),
                _("任务数"),
                _("已办结"),
                _("红色预警"),
                _("黄色预警"),
                _("平均进度（%）"),
            ],
            rows=[
                (
                    card.campaign.name,
                    card.campaign.office_unit.name,
                    card.campaign.start_date,
                    card.campaign.end_date,
                    statuses.get(card.campaign.status, card.campaign.status),
                    card.total,
                    card.done,
                    card.red,
                    card.yellow,
                    card.progress,
                )
                for card in cards
            ],
            notes=[_("筛选条件：%(f)s") % {"f": _describe_form(form) or _("无")}],
            object_type="campaigns.campaign",
        )
    page = paginate(request, campaigns)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "form": form,
            "page": page,
            "cards": selectors.campaign_cards(request.user, page.rows),
        },
    )


def _describe_form(form: forms.Form) -> str:
    if not form.is_valid():
        return ""
    parts = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", False):
            continue
        field = form.fields[name]
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            # The stubs give the getter the setter's input types; it returns normalised pairs.
            value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
        parts.append(f"{field.label}：{value}")
    return "；".join(parts)


# --- Supervision notices ------------------------------------------------------------------------


class NoticeFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("专项行动"), queryset=Campaign.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), queryset=Unit.objects.none(), required=False
    )
    subtree = forms.BooleanField(label=gettext_lazy("含下级单位"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *selectors.NOTICE_STATES.items()],
    )
    mine = forms.BooleanField(label=gettext_lazy("仅待我回复的"), required=False)
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["campaign"].queryset = visible_campaigns(user)
        self.fields["campaign"].empty_label = _("全部专项行动")
        self.fields["unit"] = _unit_field(user, "task.view")
        _bootstrap(self)

    def to_filter(self) -> selectors.NoticeFilter:
        data = self.cleaned_data
        return selectors.NoticeFilter(
            campaign=data.get("campaign"),
            unit=data.get("unit"),
            subtree=bool(data.get("subtree")),
            state=data.get("state") or "",
            mine=bool(data.get("mine")),
            text=(data.get("q") or "").strip(),
        )


@login_required
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    form = NoticeFilterForm(request.GET, user=request.user)
    filters = form.to_filter() if form.is_valid() else None
    today = timezone.localdate()
    notices = (
        selectors.filter_notices(request.user, filters, today=today)
        if filters
        else SupervisionNotice.objects.none()
    )
    if request.GET.get("format") == "xlsx" and filters is not None:
        states = dict(SupervisionNotice.State.choices)
        return _export(
            request,
            title=_("督办单清单"),
            headers=[
                _("编号"),
                _("专项行动"),
                _("任务名称"),
                _("责任单位"),
                _("督办事项"),
                _("签发人"),
                _("签发时间"),
                _("回复时限"),
                _("状态"),
                _("回复内容"),
                _("回复人"),
                _("回复时间"),
            ],
            rows=[
                (
                    notice.number,
                    notice.task.campaign.name,
                    notice.task.title,
                    notice.task.unit.name if notice.task.unit else "",
                    notice.content,
                    str(notice.issued_by),
                    notice.issued_at,
                    notice.reply_deadline,
                    states.get(notice.state, notice.state),
                    notice.reply,
                    str(notice.replied_by or ""),
                    notice.replied_at,
                )
                for notice in notices[:EXPORT_LIMIT]
            ],
            notes=[_("筛选条件：%(f)s") % {"f": "；".join(filters.describe()) or _("无")}],
            object_type="campaigns.supervisionnotice",
        )
    page = paginate(request, notices)
    selected_unit = filters.unit if filters else None
    return render(
        request,
        "campaigns/dashboards/notice_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "unit_choices": _picker_units(request.user, "task.view", selected_unit),
            "selected_unit": selected_unit,
            "has_unit_scope": scope_for(request.user, "task.view").covers_units(),
        },
    )
