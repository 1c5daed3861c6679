"""`manage.py ledger_counts`: recompute the ledger's counts (LedgerCount) from the live records."""

from django.core.management.base import BaseCommand
from django.db.models import Sum

from luoshi.ledgers import rollups
from luoshi.ledgers.models import Activity, LedgerCount


class Command(BaseCommand):
    help = "重新计算台账统计的逐级汇总计数（LedgerCount）。"

    def handle(self, *args, **options) -> None:
        rows = rollups.rebuild()
        own = LedgerCount.objects.aggregate(n=Sum("own"))["n"] or 0
        live = Activity.objects.filter(deleted_at__isnull=True).count()
        self.stdout.write(f"LedgerCount rows: {rows}; records counted: {own}; live records: {live}")
