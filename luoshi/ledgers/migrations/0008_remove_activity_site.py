"""The heritage site of an activity now lives in heritage's SiteVisit (copied there by heritage
0003_site_visits_from_ledger, which runs first): the ledger drops its column."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0007_ledger_counts"),
        ("heritage", "0003_site_visits_from_ledger"),
    ]

    operations = [
        migrations.RemoveField(model_name="activity", name="site"),
    ]
