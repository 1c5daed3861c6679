"""Row builders of the holiday page's Excel export."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import HolidayDay


def holiday_headers() -> list[str]:
    return [_("年份"), _("日期"), _("类型"), _("名称")]


def holiday_rows(days: Iterable[HolidayDay]) -> list[list]:
    """One row per entered rest day or make-up workday."""
    return [
        [day.date.year, day.date, _("调休上班") if day.is_workday else _("放假"), day.name]
        for day in days
    ]
