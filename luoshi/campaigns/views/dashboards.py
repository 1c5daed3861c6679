"""The workbench (工作台) and the campaign overview. Views parse, call a selector and render;
the lists behind their numbers live in views.lists."""

import functools
import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.accounts.selectors import console_url
from luoshi.lib.params import parse_int

from .. import selectors
from ..access import get_campaign_for_user
from ..models import Campaign, TaskState

S = TaskState


# --- Workbench ----------------------------------------------------------------------------------


@login_required
def workbench(request: AuthenticatedRequest) -> HttpResponse:
    if console := console_url(request.user):
        return redirect(console)  # an administrator's own console, not an empty task workbench
    bench = selectors.workbench(request.user)
    warnings = [
        (level, label, bench.warnings[level], selectors.warning_list_url(level))
        for level, label in (
            ("red", _("红色预警")),
            ("yellow", _("黄色预警")),
            ("blue", _("蓝色预警")),
        )
    ]
    return render(
        request,
        "campaigns/workbench.html",
        {
            "bench": bench,
            "warnings": warnings,
            "headline_note": selectors.HEADLINE_NOTE,
            "today": timezone.localdate(),
        },
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


@functools.cache
def _column_queries() -> tuple[tuple[str, str], ...]:
    """Each overview column's own part of its link's query string (constants, encoded once)."""
    return tuple((key, urlencode(params)) for key, _label, params in OVERVIEW_COLUMNS)


def _cells(campaign: Campaign, row: selectors.OverviewRow, **base) -> list[tuple[int, str, str]]:
    """The row's numbers with their links: `overview_link(campaign, **base, **column params)`,
    built as the row's link plus each column's encoded part — one reverse() and urlencode() a
    row rather than a cell (a page of 50 units had 450 of each)."""
    row_link = overview_link(campaign, **base)
    return [
        (row.counts[key], f"{row_link}&{query}" if query else row_link, key)
        for key, query in _column_queries()
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
    unit_page = max(1, parse_int(request.GET.get("unit_page")) or 1)
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
