"""Benchmark the pages the office and the liaisons open most, on a generated province.

    .venv/bin/python bench/run.py                       # SQLite at bench/data/bench.sqlite3
    LUOSHI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench .venv/bin/python bench/run.py

The data (bench/generate.py) is made once per database and kept. Each page is requested through
Django's test client (the whole middleware, view and template path, no network) after a warm-up,
and the table prints p50/p95/max and the number of SQL queries per page.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
DATA.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ.setdefault("LUOSHI_DATABASE_URL", f"sqlite:///{DATA / 'bench.sqlite3'}")
os.environ.setdefault("LUOSHI_VAR_DIR", str(DATA / "var"))
os.environ.setdefault("LUOSHI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.generate import generate  # noqa: E402
from bench.machine import machine  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.campaigns.models import Campaign, Task  # noqa: E402
from luoshi.org.models import Role, RoleGrant, Unit  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def database() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def measure(client: Client, url: str, runs: int = RUNS) -> tuple[float, float, float, int]:
    """p50, p95 and max in ms of `runs` requests after a warm-up, and the page's query count."""
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, timings[-1], len(queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Campaign.objects.filter(name__contains="基准").exists():
        print("generating the province (once per database) …", flush=True)
        info = generate()
        print(f"generated in {info['seconds']} s", flush=True)
    campaign = Campaign.objects.get(name__contains="基准")
    office = RoleGrant.objects.filter(role=Role.OFFICE, unit=campaign.office_unit).first().person
    department = Unit.objects.filter(depth=3).order_by("id").first()
    liaison = RoleGrant.objects.filter(role=Role.LIAISON, unit=department).first().person
    sizes = f"{Unit.objects.count():,} units, {User.objects.count():,} people, {Task.objects.count():,} tasks"

    pages = [
        (
            "office: campaign overview",
            office,
            reverse("campaigns:campaign-overview", args=[campaign.pk]),
        ),
        ("office: task list", office, reverse("campaigns:task-list")),
        (
            "office: task list, red, filtered",
            office,
            reverse("campaigns:task-list") + f"?campaign={campaign.pk}&warning=red",
        ),
        ("office: workbench", office, reverse("campaigns:workbench")),
        ("liaison: workbench", liaison, reverse("campaigns:workbench")),
        ("liaison: task list", liaison, reverse("campaigns:task-list")),
    ]
    print(f"\nluoshi page benchmark — {sizes}")
    print(f"database: {database()}; machine: {machine()}; {RUNS} requests per page after warm-up\n")
    header = f"{'page':36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        p50, p95, worst, queries = measure(client, url)
        verdict = "" if p95 <= 200 else "  > 200 ms"
        print(f"{label:36} {p50:8.1f} {p95:8.1f} {worst:8.1f} {queries:8d}{verdict}")


if __name__ == "__main__":
    main()
