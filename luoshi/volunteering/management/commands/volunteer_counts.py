"""`manage.py volunteer_counts`: recompute the monthly hour counts (MonthlyHours,
MonthlyVolunteer) from the hour records."""

from django.core.management.base import BaseCommand
from django.db.models import Sum

from luoshi.org.models import Unit
from luoshi.volunteering import rollups
from luoshi.volunteering.models import MonthlyHours, ServiceHours


class Command(BaseCommand):
    help = "重新计算志愿服务月报的逐级汇总计数（MonthlyHours、MonthlyVolunteer）。"

    def handle(self, *args, **options) -> None:
        rows = rollups.rebuild()
        roots = Unit.objects.filter(parent__isnull=True).values("pk")
        counted = MonthlyHours.objects.filter(unit__in=roots).aggregate(n=Sum("records"))["n"]
        self.stdout.write(
            f"rows written: {rows}; records counted: {counted or 0}; "
            f"hour records: {ServiceHours.objects.count()}"
        )
