"""`Target` becomes `JournalistTarget`: outreach has a `Target` too (a place a lecture team must
reach), and a journalist's 任务量 is not that."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0002_default_channels"),
    ]

    operations = [
        migrations.RenameModel(old_name="Target", new_name="JournalistTarget"),
    ]
