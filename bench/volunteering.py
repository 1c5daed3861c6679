"""Benchmark volunteer service at provincial scale: the monthly return of the whole province
(the 文明实践中心's page) and one volunteer's record page.

    .venv/bin/python bench/volunteering.py                 # SQLite at bench/data/bench.sqlite3
    LUOSHI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench \
        .venv/bin/python bench/volunteering.py
    BENCH_VOLUNTEERS=20000 BENCH_ACTIVITIES=5000 BENCH_HOURS=100000 .venv/bin/python bench/volunteering.py

The province comes from bench/generate.py (made once per database). The volunteer data are
written here once per database, bulk-inserted (the sign-up and check-in paths have their own
tests): BENCH_VOLUNTEERS volunteers (default 200,000, identity SM4-encrypted as in production)
registered at the province's lowest units, BENCH_ACTIVITIES activities of the last 12 months
(default 50,000, each a ledger Activity with its ServiceActivity and one post) and BENCH_HOURS
hour records (default 1,000,000), then their monthly counts (rollups.rebuild, what the hour
services keep as they record). Each page is requested through Django's test client after a
warm-up; the table prints p50/p95/max and the SQL queries per page (the issue's goal: p95 ≤
300 ms). Concurrency of sign-ups is a test (luoshi/volunteering/tests/test_races.py), not timed.
"""

import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# bench.run sets the benchmarks' defaults (the database at bench/data/bench.sqlite3, its var
# folder, the test client's host) and sets Django up as it is imported, before anything else.
from bench.run import database, machine, measure  # noqa: E402, I001
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.generate import generate  # noqa: E402
from luoshi.campaigns.models import Campaign  # noqa: E402
from luoshi.ledgers.models import Activity, ActivityType, Category  # noqa: E402
from luoshi.org.models import Role, RoleGrant, Scope, Unit  # noqa: E402
from luoshi.volunteering import rollups  # noqa: E402
from luoshi.volunteering.models import (  # noqa: E402
    Position,
    ServiceActivity,
    ServiceHours,
    Volunteer,
    mask_name,
)

VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "200000"))
ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "50000"))
HOURS = int(os.environ.get("BENCH_HOURS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
BATCH = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "文明建国晓梅海燕志强秀英德华玉兰桂芳永红春生丽娟立新国庆淑珍卫东红梅光明"


def load(rng: random.Random) -> None:
    """Volunteers, activities and hours, bulk-inserted in batches (once per database)."""
    root = Campaign.objects.get(name__contains="基准").office_unit
    leaves = list(Unit.objects.filter(children__isnull=True).values_list("pk", flat=True))
    office = RoleGrant.objects.filter(role=Role.OFFICE, unit=root).first().person
    service_type, _created = ActivityType.objects.get_or_create(
        name="志愿服务活动（基准）",
        defaults={"category": Category.VOLUNTEER, "takes_checkin": True, "records_hours": True},
    )
    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, VOLUNTEERS, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, VOLUNTEERS)):
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            rows.append(
                Volunteer(
                    unit_id=rng.choice(leaves),
                    real_name=name,
                    masked_name=mask_name(name),
                    phone=f"13{rng.randint(100000000, 999999999)}",
                    id_number=f"63{n:014d}{rng.randint(10, 99)}",
                    consent_at=now,
                    number=f"ZYB{n:09d}",
                )
            )
        with transaction.atomic():
            Volunteer.objects.bulk_create(rows, batch_size=BATCH)
    print(f"  {VOLUNTEERS:,} volunteers in {time.perf_counter() - started:.0f} s", flush=True)
    volunteer_ids = list(Volunteer.objects.values_list("pk", "unit_id"))
    started = time.perf_counter()
    today = timezone.localdate()
    for start in range(0, ACTIVITIES, BATCH):
        activities = []
        for _n in range(start, min(start + BATCH, ACTIVITIES)):
            day = today - datetime.timedelta(days=rng.randint(0, 364))
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            activities.append(
                Activity(
                    type=service_type,
                    title="志愿服务（基准）",
                    starts_at=at,
                    ends_at=at + datetime.timedelta(hours=3),
                    unit_id=rng.choice(leaves),
                    recorded_by=office,
                    hours=Decimal(3),
                    checkin_code=f"{rng.randint(100000, 999999)}",
                    checkin_opens_at=at - datetime.timedelta(minutes=30),
                    checkin_closes_at=at + datetime.timedelta(hours=4),
                )
            )
        with transaction.atomic():
            Activity.objects.bulk_create(activities, batch_size=BATCH)
            services = ServiceActivity.objects.bulk_create(
                [
                    ServiceActivity(
                        activity=a,
                        planned_hours=Decimal(3),
                        recruit_until=a.starts_at - datetime.timedelta(hours=12),
                    )
                    for a in activities
                ],
                batch_size=BATCH,
            )
            Position.objects.bulk_create(
                [Position(service=s, name="志愿服务", capacity=30) for s in services],
                batch_size=BATCH,
            )
    print(f"  {ACTIVITIES:,} activities in {time.perf_counter() - started:.0f} s", flush=True)
    service_rows = list(
        ServiceActivity.objects.values_list("pk", "activity__unit_id", "activity__starts_at")
    )
    started = time.perf_counter()
    seen: set[tuple[int, int]] = set()
    for start in range(0, HOURS, BATCH):
        rows = []
        while len(rows) < min(BATCH, HOURS - start):
            service_id, unit_id, starts_at = rng.choice(service_rows)
            volunteer_id, _unit = rng.choice(volunteer_ids)
            if (service_id, volunteer_id) in seen:
                continue
            seen.add((service_id, volunteer_id))
            rows.append(
                ServiceHours(
                    service_id=service_id,
                    volunteer_id=volunteer_id,
                    unit_id=unit_id,
                    hours=Decimal(rng.choice(["1.5", "2.0", "2.5", "3.0"])),
                    method="timed" if rng.random() < 0.95 else "added",
                    served_on=timezone.localdate(starts_at),
                    recorded_at=starts_at,
                    public_until=starts_at + datetime.timedelta(days=7),
                )
            )
        with transaction.atomic():
            ServiceHours.objects.bulk_create(rows, batch_size=BATCH)
    print(f"  {HOURS:,} hour records in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Campaign.objects.filter(name__contains="基准").exists():
        print("generating the province (once per database) …", flush=True)
        generate()
    if not Volunteer.objects.filter(number__startswith="ZYB").exists():
        print("loading the volunteer data (once per database) …", flush=True)
        load(random.Random(2026))
        # Bulk-inserted past the hour services: their monthly counts are computed once, as
        # `manage.py volunteer_counts` does after a repair (a migration counts existing data).
        started = time.perf_counter()
        rows = rollups.rebuild()
        print(f"  {rows:,} monthly count rows in {time.perf_counter() - started:.0f} s", flush=True)
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    root = Campaign.objects.get(name__contains="基准").office_unit
    centre = RoleGrant.objects.filter(role=Role.OFFICE, unit=root).first().person
    RoleGrant.objects.get_or_create(
        person=centre, role=Role.CENTRE, unit=root, defaults={"scope": Scope.ALL}
    )
    busiest = (
        ServiceHours.objects.values("volunteer_id").order_by("volunteer_id").first()["volunteer_id"]
    )
    month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    pages = [
        (
            "monthly return, whole province",
            reverse("volunteering:returns") + f"?month={month:%Y-%m}",
        ),
        ("a volunteer's record", reverse("volunteering:volunteer-detail", args=[busiest])),
    ]
    print(
        f"\nluoshi volunteering benchmark — {Volunteer.objects.count():,} volunteers, "
        f"{ServiceActivity.objects.count():,} activities, {ServiceHours.objects.count():,} hour "
        "records"
    )
    print(f"database: {database()}; machine: {machine()}; {RUNS} requests per page\n")
    header = f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    client = Client()
    client.force_login(centre)
    for label, url in pages:
        p50, p95, worst, queries = measure(client, url, RUNS)
        verdict = "" if p95 <= 300 else "  > 300 ms"
        print(f"{label:34} {p50:8.1f} {p95:8.1f} {worst:8.1f} {queries:8d}{verdict}", flush=True)


if __name__ == "__main__":
    main()
