"""The ledger lists' filters from GET (the activity list, the ledger view and the per-person
counts share them) and the filter bar's context."""

import re
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.params import parse_date, parse_int
from luoshi.org.access import (
    get_person_in_scope,
    get_unit_in_scope,
)

from .. import hooks, selectors
from ..models import ActivityType, Category

UNIT_LIST_LIMIT = 100  # beyond this many units in reach, the unit filter searches


FILTER_KEYS = (
    *("type", "unit", "only", "from", "to", "category", "campaign", "q", "person"),
    *("field", "value", "commended"),
)  # and the record parts' names (hooks.RECORD_PARTS: the heritage site)
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")  # an extra field's key (see services.KEY_RE)


def filter_from(request: AuthenticatedRequest) -> tuple[selectors.ActivityFilter, dict[str, str]]:
    """The list filters from GET; a unit outside the ledger.view scope is a 404."""
    get = request.GET
    unit = None
    unit_id = parse_int(get.get("unit"))
    if unit_id is not None:
        unit = get_unit_in_scope(request.user, unit_id, perm="ledger.view")
    category = get.get("category", "")
    field_key = get.get("field", "")
    person_id = parse_int(get.get("person"))
    if person_id is not None:
        get_person_in_scope(request.user, person_id, perm="ledger.view")
    flt = selectors.ActivityFilter(
        type_id=parse_int(get.get("type")),
        unit=unit,
        date_from=parse_date(get.get("from")),
        date_to=parse_date(get.get("to")),
        category=category if category in Category.values else "",
        campaign_id=parse_int(get.get("campaign")),
        text=get.get("q", "").strip(),
        unit_exact=get.get("only") == "1",
        person_id=person_id,
        parts={
            part.name: value
            for part in hooks.RECORD_PARTS
            if (value := parse_int(get.get(part.name))) is not None
        },
        field_key=field_key if FIELD_KEY.match(field_key) else "",
        field_value=get.get("value", "").strip()[:200],
        commended=get.get("commended") == "1",
    )
    keys = [*FILTER_KEYS, *(part.name for part in hooks.RECORD_PARTS)]
    params = {key: get.get(key, "") for key in keys if get.get(key)}
    return flt, params


def filter_context(request: AuthenticatedRequest, params: dict[str, str]) -> dict[str, Any]:
    from luoshi.campaigns.access import visible_campaigns
    from luoshi.org.access import units_for_picker

    units = list(
        units_for_picker(request.user, "ledger.view").order_by("path")[: UNIT_LIST_LIMIT + 1]
    )
    context: dict[str, Any] = {
        "params": params,
        "query": urlencode(params),
        "types": ActivityType.objects.order_by("sort_order", "id"),
        "categories": Category.choices,
        "units": units,
        "campaigns": visible_campaigns(request.user).order_by("-start_date"),
    }
    if len(units) > UNIT_LIST_LIMIT:  # a large reach: search units instead of listing them all
        selected = parse_int(params.get("unit"))
        in_reach = units_for_picker(request.user, "ledger.view")
        context["units"] = list(in_reach.filter(pk=selected or 0))
        context["unit_picker_url"] = reverse("org:unit-picker") + "?perm=ledger.view"
    return context
