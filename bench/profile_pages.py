"""Where a request's time goes: the pages opened most, per persona, in process on the demo data.

    .venv/bin/python bench/profile_pages.py            # BENCH_RUNS=N requests per page (default 60)
    BENCH_PROFILE=0 .venv/bin/python bench/profile_pages.py   # the timing table only
    BENCH_PAGES=workbench,overview .venv/bin/python bench/profile_pages.py   # only these pages

The demo (`manage.py load_demo`) is loaded once into bench/data/demo-var (LUOSHI_VAR_DIR points
elsewhere to use another). Every request goes through Django's test client — the whole
middleware, view, template and database path, no network. The first table gives the mean time
and the SQL queries of one request per page and persona; then, for each page, cProfile over the
same requests: the share of a few kinds of work (SQL compilation, templates, the database's own
execution, the session) and the functions with the most time of their own.
"""

import cProfile
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ.setdefault("LUOSHI_VAR_DIR", str(ROOT / "bench" / "data" / "demo-var"))
os.environ.setdefault("LUOSHI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.machine import load_average, machine  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.campaigns.models import Campaign, Task  # noqa: E402
from luoshi.org.models import Unit  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "60"))
PROFILE = os.environ.get("BENCH_PROFILE", "1") != "0"
PERSONAS = ("office", "wtl", "leader", "staff")  # the demo's office, liaison, leader and staff

# Kinds of work, as the cumulative time of the function that does them (file fragment, name).
KINDS = (
    ("SQL compilation", "django/db/models/sql/compiler.py", "as_sql"),
    ("database execution", "django/db/backends/utils.py", "_execute"),
    ("templates", "django/template/base.py", "render"),
    ("session load", "django/contrib/sessions/backends/db.py", "load"),
    ("session save", "django/contrib/sessions/backends/db.py", "save"),
)


def database() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def pages(campaign: Campaign) -> list[tuple[str, str]]:
    return [
        ("workbench", "/workbench/"),
        ("overview", f"/campaigns/{campaign.pk}/overview/"),
        ("task list", "/tasks/"),
        ("leading group", f"/campaigns/{campaign.pk}/leading-group/"),  # the office's only
        ("/api/tasks", "/api/tasks"),
        ("/healthz", "/healthz"),
    ]


def bare_cpu() -> float:
    """The bare view's CPU ms a request, measured in a process of its own (its own settings)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bare_cpu.py")],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def timed(client: Client, url: str) -> tuple[float, float, int, int]:
    """Mean wall and CPU ms of one request over RUNS after a warm-up, the status and the queries
    of one. The CPU time (the process's) is what a page costs a shared machine's cores; it moves
    much less with the load than the wall time."""
    for _ in range(3):
        client.get(url)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(RUNS):
        response = client.get(url)
    mean = (time.perf_counter() - started) * 1000 / RUNS
    cpu_mean = (time.process_time() - cpu) * 1000 / RUNS
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return mean, cpu_mean, response.status_code, len(queries)


def profile(client: Client, url: str) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(RUNS):
        client.get(url)
    profiler.disable()
    return pstats.Stats(profiler)


def kind_shares(stats: pstats.Stats) -> list[tuple[str, float]]:
    total = stats.total_tt  # type: ignore[attr-defined]
    shares = []
    for label, fragment, name in KINDS:
        # the largest cumulative time among matching entries: nested calls are counted once
        cumulative = max(
            (
                entry[3]
                for (filename, _line, function), entry in stats.stats.items()  # type: ignore[attr-defined]
                if function == name and filename.endswith(fragment)
            ),
            default=0.0,
        )
        shares.append((label, 100 * cumulative / total if total else 0.0))
    return shares


def top_own_time(stats: pstats.Stats, count: int = 12) -> list[tuple[float, int, str]]:
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:count]  # type: ignore[attr-defined]
    result = []
    for (filename, line, function), entry in rows:
        short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        result.append((100 * entry[2] / total, entry[1], f"{short}:{line} {function}"))
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    if not (ROOT / "static_build" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
    if not User.objects.filter(username="office", is_demo=True).exists():
        print("loading the demo (once) …", flush=True)
        call_command("load_demo", verbosity=0)
    campaign = Campaign.objects.order_by("pk").first()
    people = {user.username: user for user in User.objects.filter(username__in=PERSONAS)}
    print(
        f"demo data: {Unit.objects.count()} units, {User.objects.count()} people, "
        f"{Task.objects.count()} tasks; database: {database()}"
    )
    print(f"machine: {machine()}; load average before: {load_average()}")
    print(f"{RUNS} requests per page and persona after 3 warm-up requests, test client\n")
    header = f"{'page':12}" + "".join(f"{name:>22}" for name in PERSONAS)
    print(header + "\n" + "-" * len(header))
    print(f"{'':12}" + "".join(f"{'ms  cpu ms  queries':>22}" for _ in PERSONAS))
    only = [word for word in os.environ.get("BENCH_PAGES", "").split(",") if word]
    chosen = [(label, url) for label, url in pages(campaign) if not only or label in only]
    bare = bare_cpu()
    ratios = []
    for label, url in chosen:
        cells, shares = [], []
        for name in PERSONAS:
            mean, cpu, status, queries = timed(client_for(people[name]), url)
            cell = f"{mean:6.1f} {cpu:6.1f} {queries:4d}" + (
                "" if status == 200 else f" ({status})"
            )
            cells.append(f"{cell:>22}")
            shares.append(f"{100 * bare / cpu:>21.2f}%")
        print(f"{label:12}" + "".join(cells))
        ratios.append(f"{label:12}" + "".join(shares))
    print(
        f"\nCPU ratio: the bare view's CPU a request ({bare:.3f} ms, bench/bare_cpu.py, the same "
        "test client) / the page's (the issue's throughput goal is ≥ 20 %)"
    )
    print("\n".join(ratios))
    print(f"\nload average after the timings: {load_average()}")
    if not PROFILE:
        return
    profiled = [
        ("liaison's workbench", "wtl", "/workbench/"),
        ("office's overview", "office", f"/campaigns/{campaign.pk}/overview/"),
        ("office's task list", "office", "/tasks/"),
        ("office's /api/tasks", "office", "/api/tasks"),
        ("/healthz", "office", "/healthz"),
    ]
    for label, name, url in profiled:
        if only and not any(word in label for word in only):
            continue
        client = client_for(people[name])
        for _ in range(3):
            client.get(url)
        stats = profile(client, url)
        per_request = 1000 * stats.total_tt / RUNS  # type: ignore[attr-defined]
        print(f"\n## {label} ({url}): {per_request:.1f} ms a request under cProfile")
        print("   " + "; ".join(f"{kind} {share:.0f} %" for kind, share in kind_shares(stats)))
        print(f"   {'own %':>6} {'calls':>8}  function")
        for share, calls, where in top_own_time(stats):
            print(f"   {share:6.1f} {calls:8d}  {where}")


if __name__ == "__main__":
    main()
