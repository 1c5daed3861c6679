"""The holiday schedules (放假安排) the office enters, which working days are counted with.

The tables were created by the campaigns app and keep their names (`db_table`): the models moved
here without copying any data (see migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolidayYear(models.Model):
    """A year's official holiday schedule (放假安排) as the office entered it.

    When a year has one, it decides working days for that year; otherwise the chinese-calendar
    package does for the years it knows, and beyond those only weekends are rest days.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "campaigns_holidayyear"
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    """One exception to the weekend rule in an entered year: a holiday, or a make-up workday."""

    holiday_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        db_table = "campaigns_holidayday"
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
