"""HolidayYear and HolidayDay now belong to the workdays app (workdays.0001_initial), which keeps
their tables under the same names: they leave campaigns' state only, and no table is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_task_rollup"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="HolidayDay"),
                migrations.DeleteModel(name="HolidayYear"),
            ],
        ),
    ]
