"""`Target` becomes `LectureTarget` (宣讲覆盖点, a place the lectures must reach): media has a
`Target` too (a journalist's 任务量), and the two are not the same thing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_lecture_teams_targets_lectures"),
    ]

    operations = [
        migrations.RenameModel(old_name="Target", new_name="LectureTarget"),
    ]
