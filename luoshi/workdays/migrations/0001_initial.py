"""The holiday schedule models move here from campaigns with their tables: the tables were
created by campaigns.0001_initial and keep their names, so this migration only records the models
in this app's state and touches no table (campaigns.0005 removes them from campaigns' state)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0004_task_rollup"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="HolidayYear",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "year",
                            models.PositiveSmallIntegerField(unique=True, verbose_name="年份"),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, max_length=200, verbose_name="依据"),
                        ),
                        ("entered_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "entered_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "节假日安排",
                        "verbose_name_plural": "节假日安排",
                        "db_table": "campaigns_holidayyear",
                        "ordering": ["-year"],
                    },
                ),
                migrations.CreateModel(
                    name="HolidayDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date", models.DateField(unique=True, verbose_name="日期")),
                        (
                            "is_workday",
                            models.BooleanField(default=False, verbose_name="调休上班"),
                        ),
                        (
                            "name",
                            models.CharField(blank=True, max_length=50, verbose_name="名称"),
                        ),
                        (
                            "holiday_year",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="days",
                                to="workdays.holidayyear",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "节假日",
                        "verbose_name_plural": "节假日",
                        "db_table": "campaigns_holidayday",
                        "ordering": ["date"],
                    },
                ),
            ],
        ),
    ]
