"""The lists: tasks, campaigns, supervision notices and accountability records, each with its filter form (forms.py), the
selector the API calls too, Django's paginator and an Excel export through serve_export."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.lib.params import parse_int
from luoshi.org.access import scope_for, units_for_picker

from .. import exports, selectors
from .. import forms as f
from ..models import AccountabilityAction, SupervisionNotice, Task

PER_PAGE_CHOICES = (25, 50, 100)
LIST_COUNT_CAP = 10_000  # a list says "10000+" rather than counting a whole province
# filters folded away on a phone unless one of them is in use
MORE_FILTERS = ("unit", "track", "kind", "level", "deadline_from", "deadline_to", "mine", "sort")


class BoundedPaginator(Paginator):
    """Django's paginator with the count stopped at LIST_COUNT_CAP (`capped` says so), so that a
    page of 25 never counts a whole province's tasks."""

    @cached_property
    def count(self) -> int:
        return min(self.full_count, LIST_COUNT_CAP)

    @cached_property
    def full_count(self) -> int:
        """The rows counted, at most LIST_COUNT_CAP + 1."""
        return selectors.bounded_count(cast(QuerySet, self.object_list), LIST_COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.full_count > LIST_COUNT_CAP


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    """The page `?page=` asks for (the nearest one when out of range), `?per_page=` rows long."""
    per_page = parse_int(request.GET.get("per_page"))
    if per_page not in PER_PAGE_CHOICES:
        per_page = PER_PAGE_CHOICES[0]
    return BoundedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def _unit_picker(request: AuthenticatedRequest, selected) -> dict:
    """The context of the lists' unit picker."""
    return {
        "unit_choices": selectors.picker_units(request.user, "task.view", selected),
        "selected_unit": selected,
        "has_unit_scope": scope_for(request.user, "task.view").covers_units(),
    }


# --- Task list ----------------------------------------------------------------------------------


def _task_filter(request: HttpRequest) -> tuple[f.TaskFilterForm, selectors.TaskFilter | None]:
    """The bound filter form and its filter, or None when the input is bad (the list is then
    empty and the form says why, rather than silently showing everything)."""
    form = f.TaskFilterForm(request.GET, user=request.user)
    return form, form.to_filter() if form.is_valid() else None


@login_required
def task_list(request: AuthenticatedRequest) -> HttpResponse:
    if wants_xlsx(request):
        return task_export(request)
    form, filters = _task_filter(request)
    tasks = selectors.filter_tasks(request.user, filters) if filters else Task.objects.none()
    return render(
        request,
        "campaigns/task_list.html",
        {
            "form": form,
            "filters": filters,
            "page": paginate(request, tasks),
            **_unit_picker(request, filters.unit if filters else None),
            "per_page_choices": PER_PAGE_CHOICES,
            "more_filters": any(request.GET.get(name) for name in MORE_FILTERS)
            or (filters is None),
        },
    )


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
                "page": paginate(request, Task.objects.none()),
                **_unit_picker(request, None),
                "per_page_choices": PER_PAGE_CHOICES,
            },
            status=400,
        )
    return serve_export(
        actor=request.user,
        object_type="campaigns.task",
        title=_("任务清单"),
        headers=exports.task_headers(),
        rows=exports.task_rows(selectors.filter_tasks(request.user, filters)),
        filters=filters.describe(),
    )


@login_required
def unit_options(request: AuthenticatedRequest) -> HttpResponse:
    """htmx: the unit picker's options matching what was typed (name, short name or pinyin)."""
    text = request.GET.get("unit_q", "")
    units = units_for_picker(request.user, "task.view").search(text).order_by("path")
    return render(
        request,
        "campaigns/dashboards/unit_options.html",
        {"units": units[: selectors.UNIT_CHOICES_LIMIT]},
    )


# --- Campaign list ------------------------------------------------------------------------------


@login_required
def campaign_list(request: AuthenticatedRequest) -> HttpResponse:
    form = f.CampaignFilterForm(request.GET)
    filters = form.to_filter() if form.is_valid() else selectors.CampaignFilter()
    campaigns = selectors.filter_campaigns(request.user, filters)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="campaigns.campaign",
            title=_("专项行动清单"),
            headers=exports.campaign_headers(),
            rows=exports.campaign_rows(selectors.campaign_cards(request.user, list(campaigns))),
            filters=filters.describe(),
        )
    page = paginate(request, campaigns)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "form": form,
            "page": page,
            "cards": selectors.campaign_cards(request.user, list(page.object_list)),
        },
    )


# --- Supervision notices ------------------------------------------------------------------------


def _filtered_list(
    request: AuthenticatedRequest,
    form,
    select,
    *,
    model: type[Model],
    template: str,
    object_type: str,
    title: str,
    headers: list[str],
    rows,
    context: dict | None = None,
) -> HttpResponse:
    """A filtered list and its Excel export: `select(user, filters)` gives the rows the user may
    see; a bad filter (a reversed date range) empties the list and the form says why."""
    filters = form.to_filter() if form.is_valid() else None
    records = select(request.user, filters) if filters else model._default_manager.none()
    if wants_xlsx(request) and filters is not None:
        return serve_export(
            actor=request.user,
            object_type=object_type,
            title=title,
            headers=headers,
            rows=rows(records),
            filters=filters.describe(),
        )
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, records),
            **(context or {}),
            **_unit_picker(request, filters.unit if filters else None),
        },
    )


@login_required
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    return _filtered_list(
        request,
        f.NoticeFilterForm(request.GET, user=request.user),
        lambda user, filters: selectors.filter_notices(user, filters, today=today),
        model=SupervisionNotice,
        template="campaigns/dashboards/notice_list.html",
        object_type="campaigns.supervisionnotice",
        title=_("督办单清单"),
        headers=exports.notice_headers(),
        rows=exports.notice_rows,
        context={"today": today},
    )


# --- Accountability records (问责) --------------------------------------------------------------


@login_required
def accountability_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every accountability record the user may see (selectors.filter_accountability), filtered."""
    return _filtered_list(
        request,
        f.AccountabilityFilterForm(request.GET, user=request.user),
        selectors.filter_accountability,
        model=AccountabilityAction,
        template="campaigns/dashboards/accountability_list.html",
        object_type="campaigns.accountabilityaction",
        title=_("问责记录清单"),
        headers=exports.accountability_headers(),
        rows=exports.accountability_rows,
    )
