"""The ledger's lists: the activity list, the ledger view (type × unit × month, 逐级汇总) and the
per-person counts, each with its Excel export."""

import dataclasses
import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import (
    has_perm,
    require_perm,
    scope_for,
)

from .. import exports, selectors
from ..models import Category
from .filters import (
    filter_context,
    filter_from,
)

PAGE_SIZE = 50


@login_required
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "ledger.view")
    flt, params = filter_from(request)
    deleted = request.GET.get("deleted") == "1" and has_perm(request.user, "ledger.configure")
    activities = selectors.activity_list(request.user, flt, deleted=deleted)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("活动台账"),
            headers=exports.activity_headers(),
            rows=exports.activity_rows(activities),
            filters=flt.describe(),
        )
    paginator = Paginator(activities, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = filter_context(request, params)
    context.update(
        {
            "activities": list(page.object_list),
            "page": page,
            "deleted": deleted,
            "may_restore": has_perm(request.user, "ledger.configure"),
            "may_record": has_perm(request.user, "ledger.record"),
        }
    )
    return render(request, "ledgers/activity_list.html", context)


PIVOT_PAGE_SIZE = 200  # rows of the ledger view per page


def _ledger_links(request: AuthenticatedRequest, params: dict[str, str], pivot: selectors.Pivot):
    """Link makers of the ledger view: the records behind a number, and a unit's own pivot."""
    scope = scope_for(request.user, "ledger.view")
    assert pivot.date_from is not None and pivot.date_to is not None
    period = (pivot.date_from, pivot.date_to)
    kept = {k: v for k, v in params.items() if k not in ("from", "to", "unit", "only", "page")}
    list_url, ledger_url = reverse("ledgers:activity-list"), reverse("ledgers:ledger")

    def records(row: dict[str, Any] | None, month: datetime.date | None) -> str:
        query = {k: v for k, v in kept.items() if k != "type"}
        unit = row["unit"] if row is not None else pivot.unit
        # A unit outside the reader's scope (a "self" reach) is left out: the list would 404.
        if unit is not None and scope.contains(unit):
            query["unit"] = str(unit.pk)
            if row is not None and row["own"]:
                query["only"] = "1"  # the unit's own records, not its subtree
        if row is not None:
            query["type"] = str(row["type"].pk)
        elif "type" in kept:
            query["type"] = kept["type"]
        date_from, date_to = period
        if month is not None:
            last = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            date_from, date_to = max(month, date_from), min(last, date_to)
        query["from"], query["to"] = date_from.isoformat(), date_to.isoformat()
        return list_url + "?" + urlencode(query)

    def drill(unit_pk: int | None) -> str:
        query = dict(kept)
        if "from" in params or "to" in params:
            query["from"], query["to"] = period[0].isoformat(), period[1].isoformat()
        if unit_pk is not None:
            query["unit"] = str(unit_pk)
        return ledger_url + ("?" + urlencode(query) if query else "")

    return records, drill


@login_required
def ledger(request: AuthenticatedRequest) -> HttpResponse:
    """逐级汇总: the selected unit's own records and one row per child unit, × type × month."""
    require_perm(request.user, "ledger.view")
    flt, params = filter_from(request)
    pivot = selectors.ledger_pivot(request.user, flt)
    month_labels = [f"{month:%Y-%m}" for month in pivot.months]
    if wants_xlsx(request):
        shown = flt if flt.unit else dataclasses.replace(flt, unit=pivot.unit)
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("台账统计"),
            headers=exports.pivot_headers(pivot),
            rows=exports.pivot_rows(pivot),
            filters=shown.describe(),
        )
    records, drill = _ledger_links(request, params, pivot)
    page = Paginator(pivot.rows, PIVOT_PAGE_SIZE).get_page(request.GET.get("page"))
    table = []
    for row in page.object_list:
        cells = [
            (count, records(row, month))
            for count, month in zip(row["counts"], pivot.months, strict=True)
        ]
        table.append(
            {
                **row,
                "cells": cells,
                "total_link": records(row, None),
                "drill_link": drill(row["unit"].pk) if row["drill"] else "",
            }
        )
    totals = [
        (count, records(None, month))
        for count, month in zip(pivot.column_totals, pivot.months, strict=True)
    ]
    crumbs = [(unit, drill(unit.pk)) for unit in pivot.crumbs]
    context = filter_context(request, params)
    context.update(
        {
            "pivot": pivot,
            "table": table,
            "page": page,
            "page_query": urlencode({k: v for k, v in params.items() if k != "page"}),
            "totals": totals,
            "total_link": records(None, None),
            "crumbs": crumbs,
            "month_labels": month_labels,
            "date_from": pivot.date_from,
            "date_to": pivot.date_to,
        }
    )
    return render(request, "ledgers/ledger.html", context)


@login_required
def people(request: AuthenticatedRequest) -> HttpResponse:
    """Per-person counts by activity type (study by default) for a unit subtree and period."""
    require_perm(request.user, "ledger.view")
    flt, params = filter_from(request)
    if "category" not in request.GET:
        flt.category = Category.STUDY
        params["category"] = Category.STUDY
    table = selectors.person_counts(request.user, flt)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="ledgers.activity",
            title=_("个人学习记录") if flt.category == Category.STUDY else _("个人活动记录"),
            headers=exports.person_headers(table),
            rows=exports.person_rows(table),
            filters=flt.describe(),
        )
    base = {k: v for k, v in params.items() if k not in ("type", "person")}
    listing = reverse("ledgers:activity-list")
    table_rows = []
    for row in table.rows:
        links = [
            listing + "?" + urlencode({**base, "type": t.pk, "person": row["person"].pk})
            for t in table.types
        ]
        table_rows.append(
            {
                **row,
                "cells": list(zip(row["counts"], links, strict=True)),
                "link": listing + "?" + urlencode({**base, "person": row["person"].pk}),
            }
        )
    context = filter_context(request, params)
    context.update({"table": table, "rows": table_rows})
    return render(request, "ledgers/people.html", context)
