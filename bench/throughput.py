"""Requests a second under load: luoshi as `make run` serves it against a bare Django view.

    .venv/bin/python bench/throughput.py      # BENCH_SECONDS=N per URL (default 20), BENCH_PORT
    BENCH_URLS=workbench,overview .venv/bin/python bench/throughput.py   # only the URLs whose
                                                # label contains one of the words

Both run under the same gunicorn settings as `make run` (2 workers x 4 threads, access log on):
luoshi (`luoshi.wsgi`) on the demo data (bench/data/demo-var, loaded once; LUOSHI_VAR_DIR to use
another) and the bare project (bench/bare_settings.py: one view, no apps, no middleware, no
database). Each URL is loaded with `wrk` (16 connections, 2 threads; `apt-get install wrk`) for
BENCH_SECONDS, luoshi first and then the bare view right after, so the ratio of the two compares
the same moment of a shared machine. The pages are requested with a logged-in persona's session
cookie; any answer other than 2xx is counted and shown.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ.setdefault("LUOSHI_VAR_DIR", str(ROOT / "bench" / "data" / "demo-var"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.machine import load_average, machine  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.campaigns.models import Campaign, Task  # noqa: E402
from luoshi.org.models import Unit  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
PORT = int(os.environ.get("BENCH_PORT", "8103"))
BARE_PORT = PORT + 10
CONNECTIONS = 16
GUNICORN = [
    str(ROOT / ".venv" / "bin" / "gunicorn"),
    "--workers",
    "2",
    "--threads",
    "4",
    "--access-logfile",
    "-",
    "--log-level",
    "warning",
]


def start(app: str, port: int, probe: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [*GUNICORN, app, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"{app} did not answer on port {port}")


def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, cookie: str | None, seconds: int, warm_up: bool = False) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "bad": 0.0,
    }
    if bad := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        result["bad"] = float(bad.group(1))
    if not warm_up and (errors := re.search(r"Socket errors: (.*)", out)):
        print(f"   wrk socket errors on {url}: {errors.group(1)}", flush=True)
    return result


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="office", is_demo=True).exists():
        print("loading the demo (once) …", flush=True)
        call_command("load_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    campaign = Campaign.objects.order_by("pk").first()
    cookies = {name: session_cookie(name) for name in ("office", "wtl")}
    sizes = (
        f"{Unit.objects.count()} units, {User.objects.count()} people, {Task.objects.count()} tasks"
    )
    vendor = connection.vendor
    connection.close()
    urls = [
        ("liaison's workbench", "/workbench/", cookies["wtl"]),
        ("office's overview", f"/campaigns/{campaign.pk}/overview/", cookies["office"]),
        ("office's task list", "/tasks/", cookies["office"]),
        ("/api/tasks (office)", "/api/tasks", cookies["office"]),
        ("/healthz", "/healthz", None),
    ]
    if only := [word for word in os.environ.get("BENCH_URLS", "").split(",") if word]:
        urls = [url for url in urls if any(word in url[0] for word in only)]
    luoshi = start("luoshi.wsgi", PORT, "/healthz")
    bare = start("bench.bare_wsgi", BARE_PORT, "/")
    try:
        print(f"data: the demo, {sizes}; database: {vendor}; machine: {machine()}")
        print(
            f"gunicorn 2 workers x 4 threads each; wrk {CONNECTIONS} connections, {SECONDS} s "
            f"per URL; load average before: {load_average()}\n"
        )
        header = (
            f"{'URL':24}{'luoshi req/s':>13}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'bare req/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}"
        )
        print(header + "\n" + "-" * len(header), flush=True)
        for label, path, cookie in urls:
            wrk(
                f"http://127.0.0.1:{PORT}{path}", cookie, 5, warm_up=True
            )  # both workers; the first answers take ~2 s
            ours = wrk(f"http://127.0.0.1:{PORT}{path}", cookie, SECONDS)
            wrk(f"http://127.0.0.1:{BARE_PORT}{path}", None, 2, warm_up=True)
            theirs = wrk(f"http://127.0.0.1:{BARE_PORT}{path}", None, SECONDS)
            note = f"  ({ours['bad']:.0f} non-2xx)" if ours["bad"] else ""
            print(
                f"{label:24}{ours['rps']:13.1f}{ours['p50']:9.1f}{ours['p99']:9.1f}"
                f"{theirs['rps']:12.1f}{theirs['p50']:9.1f}{theirs['p99']:9.1f}"
                f"{100 * ours['rps'] / theirs['rps']:7.1f}%{note}",
                flush=True,
            )
        print(f"\nload average after: {load_average()}")
    finally:
        for server in (luoshi, bare):
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
