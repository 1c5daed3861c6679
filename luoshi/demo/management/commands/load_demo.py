"""`manage.py load_demo`: the Mangya (茫崖) demo of the seed article, loaded once."""

import time

from django.core.management.base import BaseCommand

from luoshi.demo.data import demo_exists, load_demo


class Command(BaseCommand):
    help = "载入茫崖市“四大”专项行动演示数据（已载入时跳过）。Load the Mangya demo (skipped when present)."

    def handle(self, *args, **options) -> None:
        if demo_exists():
            self.stdout.write("演示数据已存在，跳过。The demo is already loaded; nothing changed.")
            return
        started = time.monotonic()
        built = load_demo()
        if built is None:  # loaded by someone else in the meantime
            self.stdout.write("演示数据已存在，跳过。The demo is already loaded; nothing changed.")
            return
        counts = built.counts
        self.stdout.write(
            self.style.SUCCESS(
                "已载入演示数据：单位 {units} 个，人员 {people} 名，任务 {tasks} 项，督办单 {notices} 份"
                "（{seconds:.1f} 秒）。".format(**counts, seconds=time.monotonic() - started)
            )
        )
