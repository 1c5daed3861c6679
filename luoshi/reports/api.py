"""JSON API of reports: the same services, selectors and scope as the pages."""

import datetime

from django.http import Http404
from ninja import Query, Router, Schema

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.reports.access import get_briefing_unit_for_user, get_template_for_user
from luoshi.reports.forms import default_period
from luoshi.reports.selectors import active_templates, briefing_counts, write_briefing

router = Router(tags=["报告"])


class FigureOut(Schema):
    line: int
    metric: str
    value: int
    text: str
    url: str
    places: dict[str, list[str]]


class ParagraphOut(Schema):
    kind: str
    lead: str
    text: str


class BriefingOut(Schema):
    title: str
    unit: str
    date_from: datetime.date
    date_to: datetime.date
    period: str
    paragraphs: list[ParagraphOut]
    figures: list[FigureOut]
    signature: str
    date_text: str
    text: str


@router.get("/briefing", response=BriefingOut, summary="工作简报（段落与统计数字）")
def briefing(
    request: AuthenticatedRequest,
    unit: int,
    date_from: datetime.date | None = Query(None, alias="from"),
    date_to: datetime.date | None = Query(None, alias="to"),
    template: int | None = None,
):
    """The briefing of `unit` (and its subtree) for the period, counted from the ledger the
    caller sees; 404 for a unit outside the caller's `ledger.view` scope. `from` and `to` are ISO
    dates, as on the page (default: this year up to today)."""
    target = get_briefing_unit_for_user(request.user, unit)
    chosen = (
        get_template_for_user(request.user, template)
        if template is not None
        else active_templates().first()
    )
    if chosen is None:
        raise Http404
    default_from, default_to = default_period()
    date_to = date_to or default_to
    date_from = date_from or date_to.replace(month=1, day=1)
    written = write_briefing(
        user=request.user, template=chosen, unit=target, date_from=date_from, date_to=date_to
    )
    return {
        "title": written.title,
        "unit": target.name,
        "date_from": date_from,
        "date_to": date_to,
        "period": written.period,
        "paragraphs": [
            {"kind": p.kind, "lead": p.lead, "text": p.text} for p in written.paragraphs
        ],
        "figures": briefing_counts(written),
        "signature": written.signature,
        "date_text": written.date_text,
        "text": written.plain_text(),
    }
