"""The ledger's per-type Excel import: validating and saving N rows, all or nothing.

    .venv/bin/python bench/ledger_import.py            # BENCH_ROWS=2000,50000 (default)

On the demo data (bench/data/demo-var, loaded once; LUOSHI_VAR_DIR to use another) the demo's
liaison of 市文体旅游广电局 imports N rows of two types — 挎包宣讲 (venue category, audience, a
number field) and 晨读+分享 (check-in codes, a person field) — each row with three participants
of the unit, dates spread over a year. The file is built first (not timed); the time is that of
`ledgers.imports.import_activities` from the uploaded bytes to the committed write, with the
queries it ran. Each import is rolled back afterwards, so the demo stays as it was.
"""

import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ.setdefault("LUOSHI_VAR_DIR", str(ROOT / "bench" / "data" / "demo-var"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.machine import load_average, machine  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.ledgers import imports  # noqa: E402
from luoshi.ledgers.models import ActivityType  # noqa: E402
from luoshi.org.models import Membership, Unit  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_ROWS", "2000,50000").split(",")]


class Rollback(Exception):
    pass


class QueryCounter:
    """Counts the statements run (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def workbook(activity_type: ActivityType, unit: Unit, names: list[str], count: int) -> bytes:
    rng = random.Random(count)
    headers = imports.headers_for(activity_type)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for n in range(count):
        month, day, hour = rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 17)
        values = {
            imports.TITLE: f"{activity_type.name}第{n + 1}次",
            imports.UNIT: unit.name,
            imports.STARTS: f"2026-{month:02d}-{day:02d} {hour:02d}:00",
            imports.ENDS: f"2026-{month:02d}-{day:02d} {hour + 1:02d}:30",
            imports.PLACE: "局会议室",
            imports.VENUE: "社区",
            imports.AUDIENCE: rng.randint(10, 80),
            imports.PEOPLE: "、".join(rng.sample(names, 3)),
            imports.NOTES: "",
        }
        for definition in activity_type.fields:
            values[definition["label"]] = {
                "text": "学习贯彻党的二十大精神",
                "number": rng.randint(1, 200),
                "person": rng.choice(names),
            }.get(definition["kind"], "")
        sheet.append([values.get(header, "") for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="wtl", is_demo=True).exists():
        print("loading the demo (once) …", flush=True)
        call_command("load_demo", verbosity=0)
    liaison = User.objects.get(username="wtl")
    unit = Unit.objects.get(name="市文体旅游广电局")
    members = User.objects.filter(
        pk__in=Membership.objects.filter(unit=unit).values("person_id"), is_active=True
    )
    counts: dict[str, int] = {}
    for person in User.objects.filter(is_active=True):
        counts[person.name] = counts.get(person.name, 0) + 1
    names = sorted({p.name for p in members if counts[p.name] == 1})
    types = [ActivityType.objects.get(name=name) for name in ("挎包宣讲", "晨读+分享")]
    print(f"machine: {machine()}; database: {connection.vendor}")
    print(f"load average before: {load_average()}")
    print(f"the demo's liaison (wtl) imports into {unit.name}; {len(names)} names to pick from\n")
    header = (
        f"{'type':12}{'rows':>8}{'file KB':>9}{'seconds':>9}{'rows/s':>9}{'queries':>9}  result"
    )
    print(header + "\n" + "-" * len(header), flush=True)
    for count in SIZES:
        for activity_type in types:
            data = workbook(activity_type, unit, names, count)
            liaison = User.objects.get(pk=liaison.pk)  # no cached grants between runs
            try:
                queries = QueryCounter()
                with transaction.atomic(), connection.execute_wrapper(queries):
                    started = time.perf_counter()
                    result = imports.import_activities(
                        actor=liaison, activity_type=activity_type, data=data, filename="bench"
                    )
                    seconds = time.perf_counter() - started
                    raise Rollback
            except Rollback:
                pass
            outcome = (
                f"{len(result.created)} created"
                if result.ok
                else f"{len(result.errors)} errors, e.g. {result.errors[0]}"
            )
            print(
                f"{activity_type.name:12}{count:8d}{len(data) / 1024:9.0f}{seconds:9.2f}"
                f"{count / seconds:9.0f}{queries.count:9d}  {outcome}",
                flush=True,
            )
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
