"""The matrix's default channels, present on every installation (the office renames or
deactivates them, or adds its own); a data migration rather than demo data because the record
form needs channels from the first day."""

from django.db import migrations

DEFAULT_CHANNELS = [
    "报纸",
    "电视",
    "广播",
    "微信公众号",
    "抖音/视频号",
    "学习强国号",
    "新闻客户端",
    "网站",
]


def add_channels(apps, schema_editor):
    Channel = apps.get_model("media", "Channel")
    for order, name in enumerate(DEFAULT_CHANNELS, start=1):
        Channel.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_channels_publications_targets"),
    ]

    operations = [
        migrations.RunPython(add_channels, migrations.RunPython.noop),
    ]
