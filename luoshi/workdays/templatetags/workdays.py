"""`{% estimated_mark date %}`: the mark every list, export and card puts beside a deadline whose
working days are only estimated (the year's 放假安排 not entered and unknown to the package).

The calendar is loaded at most once per template render (two queries), and only when a date's
year is one the chinese-calendar package does not know — so lists of known years cost nothing.
"""

import datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from luoshi.workdays.selectors import Calendar, load_calendar, package_knows

register = template.Library()


def _calendar(context: template.Context) -> Calendar:
    cache = context.render_context
    if "workdays_calendar" not in cache:
        cache["workdays_calendar"] = load_calendar()
    return cache["workdays_calendar"]


@register.simple_tag(takes_context=True)
def estimated_mark(context: template.Context, day: datetime.date | None) -> str:
    """A small badge after `day` when its year's working days are estimated, else ""."""
    if not isinstance(day, datetime.date) or package_knows(day.year):
        return ""
    if not _calendar(context).is_estimated(day.year):
        return ""
    return format_html(
        ' <span class="badge text-bg-light border estimated-deadline" title="{}">{}</span>',
        _("%(year)d 年节假日安排未录入，工作日按周末和固定节日估算") % {"year": day.year},
        _("估算"),
    )
