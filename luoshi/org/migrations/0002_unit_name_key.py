"""Units get `name_key` (lib.text.name_key of the name), filled for the existing units."""

from django.db import migrations, models

from luoshi.lib.text import name_key


def fill_name_keys(apps, schema_editor):
    Unit = apps.get_model("org", "Unit")
    units = list(Unit.objects.only("pk", "name"))
    for unit in units:
        unit.name_key = name_key(unit.name)
    Unit.objects.bulk_update(units, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="name_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=100),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
