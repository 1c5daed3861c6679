"""Benchmark the ledger on a generated province with 1,000,000 activities.

    .venv/bin/python bench/ledger.py                       # SQLite at bench/data/bench.sqlite3
    LUOSHI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench .venv/bin/python bench/ledger.py

The province (bench/generate.py) and its ledger (bench/ledger_generate.py) are made once per
database and kept. Measured, after a warm-up, for the whole province (the campaign office) and
for one city's subtree (its liaison), over the last 12 whole months:

- the selector luoshi.ledgers.selectors.ledger_pivot (the counts, type × unit × month);
- GET /api/ledger/pivot (JSON, the first 50 rows and the totals) and the ledger pivot page,
  through Django's test client — the whole middleware, view, template and database path;
- each beside the same counts by a hand-written SQL GROUP BY on a raw cursor (unit, type and
  local month), with the ratio of the two medians;
- recording a meeting with 30 participants through luoshi.ledgers.services.record_activity,
  which also adds it to the ledger counts (each call commits; the records are removed
  afterwards and counted out, their audit lines stay).

The ledger view reads LedgerCount (逐级汇总: the selected unit's own records and one row per
child unit's subtree), kept by the services; a ledger generated before it is counted once here.

Goals (issue 3): the page for the whole province p95 ≤ 1 s and for a unit's subtree ≤ 200 ms on
SQLite, the counts within 2× of the raw GROUP BY, recording ≤ 100 ms. `BENCH_RUNS` sets the runs
per measurement (a page of several seconds gets 3).
"""

import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import ledger_generate  # noqa: E402
from bench.generate import generate as generate_province  # noqa: E402
from bench.run import database, machine  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.campaigns.models import Campaign  # noqa: E402
from luoshi.ledgers import rollups, selectors, services  # noqa: E402
from luoshi.ledgers.models import Activity, ActivityType, LedgerCount, Participation  # noqa: E402
from luoshi.org.models import Membership, Role, RoleGrant, Unit  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def percentiles(timings: list[float]) -> tuple[float, float, float]:
    timings = sorted(timings)
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, timings[-1]


def timed(call: Callable[[], object], runs: int = RUNS, warm: int = 2) -> list[float]:
    started = time.perf_counter()
    for _ in range(warm):
        call()
    if (time.perf_counter() - started) / max(warm, 1) > 3:
        runs = min(runs, 3)  # a page of many seconds: a few runs tell enough
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def raw_pivot(
    date_from: datetime.date, date_to: datetime.date, unit: Unit | None
) -> list[tuple[int, int, object, int]]:
    """The pivot's counts by hand: one GROUP BY over the live activities of the period."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, zone)
    params: list[object] = [
        connection.ops.adapt_datetimefield_value(start),
        connection.ops.adapt_datetimefield_value(end),
    ]
    subtree = ""
    if unit is not None:
        subtree = "AND a.unit_id IN (SELECT id FROM org_unit WHERE path LIKE %s)"
        params.append(unit.path + "%")
    if connection.vendor == "sqlite":
        month = "date(a.starts_at, '+8 hours', 'start of month')"
    else:
        month = "date_trunc('month', a.starts_at AT TIME ZONE 'Asia/Shanghai')"
    sql = f"""
        SELECT a.unit_id, a.type_id, {month}, COUNT(*)
        FROM ledgers_activity a
        WHERE a.deleted_at IS NULL AND a.starts_at >= %s AND a.starts_at < %s {subtree}
        GROUP BY 1, 2, 3
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def page(client: Client, url: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def ensure_data() -> None:
    call_command("migrate", verbosity=0)
    if not Campaign.objects.filter(name__contains="基准").exists():
        print("generating the province (once per database) …", flush=True)
        info = generate_province()
        print(f"generated in {info['seconds']} s", flush=True)
    if not Activity.objects.exists():
        print("generating the ledger (once per database) …", flush=True)
        info = ledger_generate.generate()
        print(
            f"generated {info['activities']:,} activities, {info['participations']:,} "
            f"participations in {info['seconds']} s",
            flush=True,
        )
    if not LedgerCount.objects.exists():
        # A ledger generated before the counts existed: count it once.
        started = time.perf_counter()
        print("counting the ledger for the ledger view (once per database) …", flush=True)
        rows = rollups.rebuild()
        print(f"{rows:,} ledger counts in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # Statistics for indexes made by migrations since the data was generated (SQLite's
        # planner otherwise trusts the old indexes' numbers); on PostgreSQL also the visibility
        # map, without which an index-only scan still reads the table.
        if connection.vendor == "postgresql":
            cursor.execute(
                "VACUUM ANALYZE ledgers_activity, ledgers_participation, ledgers_ledgercount"
            )
        else:
            cursor.execute("ANALYZE")


def main() -> None:
    ensure_data()
    campaign = Campaign.objects.get(name__contains="基准")
    office = RoleGrant.objects.filter(role=Role.OFFICE, unit=campaign.office_unit).first().person  # type: ignore[union-attr]
    city = Unit.objects.filter(depth=2).order_by("id").first()
    assert city is not None
    city_liaison = RoleGrant.objects.filter(role=Role.LIAISON, unit=city).first().person  # type: ignore[union-attr]
    today = timezone.localdate()
    year, month = today.year, today.month - 11
    if month <= 0:
        year, month = year - 1, month + 12
    # Twelve whole months, to the end of this one (the page's default period ends there too).
    date_from = datetime.date(year, month, 1)
    date_to = selectors.pivot_period(selectors.ActivityFilter())[1]
    period = f"from={date_from.isoformat()}&to={date_to.isoformat()}"
    base = reverse("ledgers:ledger")
    city_units = Unit.objects.filter(path__startswith=city.path).count()
    sizes = (
        f"{Unit.objects.count():,} units, {User.objects.count():,} people, "
        f"{Activity.objects.count():,} activities "
        f"({Activity.objects.filter(deleted_at__isnull=False).count():,} deleted), "
        f"{Participation.objects.count():,} participations, {ActivityType.objects.count()} types"
    )
    print(f"\nluoshi ledger benchmark — {sizes}")
    print(f"database: {database()}; machine: {machine()}; {RUNS} runs per measurement")
    print(f"period {date_from} to {date_to} (12 months)\n")
    header = (
        f"  {'measurement':42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>7} "
        f"{'raw SQL p50':>11} {'ratio':>6}  goal"
    )
    print(header)
    print("-" * len(header))

    cases = [
        ("province (office)", office, None, f"{base}?{period}", 1000.0),
        (f"city subtree, {city_units} units (liaison)", city_liaison, city,
         f"{base}?{period}&unit={city.pk}", 200.0),
    ]  # fmt: skip
    for label, user, unit, url, goal in cases:
        flt = selectors.ActivityFilter(unit=unit, date_from=date_from, date_to=date_to)
        pivot = selectors.ledger_pivot(user, flt)
        raw_rows = raw_pivot(date_from, date_to, unit)
        assert pivot.total == sum(row[3] for row in raw_rows), (pivot.total, len(raw_rows))
        raw_p50 = percentiles(timed(lambda: raw_pivot(date_from, date_to, unit)))[0]  # noqa: B023
        client = Client()
        client.force_login(user)
        api_url = "/api/ledger/pivot?" + period + (f"&unit={unit.pk}" if unit else "")
        measured = [
            ("selector ledger_pivot", lambda: selectors.ledger_pivot(user, flt), None),  # noqa: B023
            ("API /api/ledger/pivot (JSON, 50 rows)", page(client, api_url), None),
            ("pivot page (HTML, every row)", page(client, url), goal),
        ]
        print(
            f"{label} — {len(pivot.rows):,} rows (own + child units × type), "
            f"{pivot.total:,} activities, "
            + ("from LedgerCount" if pivot.from_counts else "counted live")
        )
        for name, call, page_goal in measured:
            timings = timed(call)
            with CaptureQueriesContext(connection) as queries:
                call()
            p50, p95, worst = percentiles(timings)
            ratio = p50 / raw_p50
            verdict = ""
            if page_goal is not None:
                verdict = f"p95 ≤ {page_goal:.0f} ms: " + ("ok" if p95 <= page_goal else "MISSED")
            else:
                verdict = "≤ 2× raw: " + ("ok" if ratio <= 2 else "MISSED")
            print(
                f"  {name:42} {p50:8.1f} {p95:8.1f} {worst:8.1f} {len(queries):7d} "
                f"{raw_p50:11.1f} {ratio:6.2f}  {verdict}"
            )

    # Recording: a liaison records a meeting with 30 of the unit's people.
    unit = Unit.objects.filter(depth=3).order_by("id").first()
    assert unit is not None
    liaison = RoleGrant.objects.filter(role=Role.LIAISON, unit=unit).first().person  # type: ignore[union-attr]
    people = list(
        User.objects.filter(
            pk__in=Membership.objects.filter(unit=unit).values("person_id")[:30]
        ).order_by("id")
    )
    assert len(people) == 30, len(people)
    meeting = ActivityType.objects.get(name="周例会")
    recorded: list[int] = []

    def record_one() -> None:
        activity = services.record_activity(
            actor=liaison,
            activity_type=meeting,
            unit=unit,
            title="基准周例会",
            starts_at=timezone.now(),
            participants=people,
        )
        recorded.append(activity.pk)

    with CaptureQueriesContext(connection) as queries:
        record_one()
    p50, p95, worst = percentiles(timed(record_one, warm=1))
    verdict = "ok" if p95 <= 100 else "MISSED"
    print(
        f"  {'record_activity, 30 participants':42} {p50:8.1f} {p95:8.1f} {worst:8.1f} "
        f"{len(queries):7d} {'':11} {'':6}  p95 ≤ 100 ms — {verdict}"
    )
    for activity in Activity.objects.filter(pk__in=recorded):
        rollups.apply(activity, -1)  # out of the counts first, as delete_activity does
    Activity.objects.filter(pk__in=recorded).delete()


if __name__ == "__main__":
    # The pages' static URLs without `collectstatic` (the manifest storage needs its output).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        main()
