"""The centre's default rules (星级 100/300/600/1000/1500 hours, 60 % attendance, 7 days of
publicity, 24 hours' cancellation cut-off, the national system's columns) and a first list of
skills; both are edited in the admin afterwards."""

from django.db import migrations

THRESHOLDS = [100, 300, 600, 1000, 1500]
COLUMNS = [
    ["姓名", "name"],
    ["证件类型", "id_type"],
    ["证件号码", "id_number"],
    ["活动名称", "activity"],
    ["服务日期", "date"],
    ["服务时长（小时）", "hours"],
]
SKILLS = [
    "理论宣讲",
    "医疗卫生",
    "法律咨询",
    "文艺演出",
    "教育辅导",
    "心理疏导",
    "环境保护",
    "应急救援",
    "助老助残",
    "科技科普",
    "摄影摄像",
    "驾驶",
    "蒙藏语翻译",
]


def forwards(apps, schema_editor):
    VolunteerSettings = apps.get_model("volunteering", "VolunteerSettings")
    Skill = apps.get_model("volunteering", "Skill")
    VolunteerSettings.objects.get_or_create(
        pk=1,
        defaults={
            "star_thresholds": THRESHOLDS,
            "min_attendance_percent": 60,
            "publicity_days": 7,
            "cancel_cutoff_hours": 24,
            "national_columns": COLUMNS,
        },
    )
    for order, name in enumerate(SKILLS):
        Skill.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_volunteers_themes_activities_orders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
