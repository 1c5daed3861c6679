"""The heritage site of an activity moves from the ledger's `Activity.site` to heritage's own
`SiteVisit` (one to one on the activity): the ledger no longer names a heritage model.

This migration creates SiteVisit and copies every activity's site into it; ledgers
0008_remove_activity_site then drops the column. Backwards, the ledger's column comes back
first and the visits are copied into it before SiteVisit goes."""

import django.db.models.deletion
from django.db import migrations, models


def visits_from_activities(apps, schema_editor):
    Activity = apps.get_model("ledgers", "Activity")
    SiteVisit = apps.get_model("heritage", "SiteVisit")
    held = Activity.objects.filter(site__isnull=False).values_list("pk", "site_id").order_by("pk")
    batch = []
    for activity_id, site_id in held.iterator(chunk_size=2000):
        batch.append(SiteVisit(activity_id=activity_id, site_id=site_id))
        if len(batch) >= 2000:
            SiteVisit.objects.bulk_create(batch)
            batch = []
    SiteVisit.objects.bulk_create(batch)


def activities_from_visits(apps, schema_editor):
    Activity = apps.get_model("ledgers", "Activity")
    SiteVisit = apps.get_model("heritage", "SiteVisit")
    visits = SiteVisit.objects.values_list("activity_id", "site_id").order_by("site_id")
    by_site: dict[int, list[int]] = {}
    for activity_id, site_id in visits.iterator(chunk_size=2000):
        by_site.setdefault(site_id, []).append(activity_id)
    for site_id, activity_ids in by_site.items():
        for start in range(0, len(activity_ids), 500):
            Activity.objects.filter(pk__in=activity_ids[start : start + 500]).update(
                site_id=site_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("heritage", "0002_routes_exhibitions"),
        ("ledgers", "0007_ledger_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteVisit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "activity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="site_visit",
                        to="ledgers.activity",
                        verbose_name="活动",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="heritage.site",
                        verbose_name="红色资源点位",
                    ),
                ),
            ],
            options={
                "verbose_name": "点位活动",
                "verbose_name_plural": "点位活动",
                "ordering": ["activity"],
            },
        ),
        migrations.RunPython(visits_from_activities, activities_from_visits),
    ]
