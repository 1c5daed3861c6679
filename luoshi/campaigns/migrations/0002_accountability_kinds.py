"""The accountability kinds every installation starts with; the office may add more."""

from decimal import Decimal

from django.db import migrations

KINDS = [("提醒谈话", 1, Decimal("1")), ("约谈", 2, Decimal("3")), ("通报批评", 3, Decimal("5"))]


def create(apps, schema_editor):
    kind_model = apps.get_model("campaigns", "AccountabilityKind")
    for name, severity, deduction in KINDS:
        kind_model.objects.get_or_create(
            name=name, defaults={"severity": severity, "score_deduction": deduction}
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
