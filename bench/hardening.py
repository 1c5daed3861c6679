"""Benchmark (issue 9): hostile uploads to the learning import are refused fast, in little
memory, and never block another writer.

    .venv/bin/python bench/hardening.py            # SQLite at bench/data/hardening.sqlite3

Each case runs in a child process of its own (so that its peak resident size — VmHWM, or
resource.getrusage elsewhere — is its own), warmed up by one small rejected upload: the file is built in memory first (lib/tests/hostile_files.py),
then posted to `POST /api/learning/imports` through Django's test client (the whole middleware,
view and service path, no network) while a second thread writes to the database every 20 ms
(`UPDATE` of one person in its own transaction) and times each write. The cases:

- the 50,000,000-row-gap file (a header, one data row, then a row numbered 50,000,000; ~5 KB),
- a zip bomb: a real workbook whose sharedStrings.xml inflates to 400 MB (~400 KB),
- for comparison, an ordinary 20,000-row export, accepted and staged for preview, and a people
  import of 5,000 rows (org, through its page), whose one transaction creates every account.

Goals: each hostile file refused in under 1 s with peak RSS under 300 MB, the concurrent write
within 1 s meanwhile. The database holds the test personas (luoshi.testing.build_world), made
once per database.
"""

import io
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
DATA.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ.setdefault("LUOSHI_DATABASE_URL", f"sqlite:///{DATA / 'hardening.sqlite3'}")
os.environ.setdefault("LUOSHI_VAR_DIR", str(DATA / "var-hardening"))
os.environ.setdefault("LUOSHI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.run import database, machine  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.learning.models import ImportRow, Platform, PointImport  # noqa: E402
from luoshi.lib.tests.hostile_files import row_gap_xlsx, shared_strings_bomb  # noqa: E402
from luoshi.org.models import Unit  # noqa: E402

WRITE_EVERY = 0.02
CASES = {
    "gap": "50,000,000-row gap",
    "bomb": "sharedStrings bomb, 400 MB",
    "ordinary": "ordinary export, 20,000 rows",
    "people": "people import, 5,000 rows (org)",
}
PEOPLE = 5_000
PEOPLE_PREFIX = f"bench{int(time.time())}_"  # a new set of accounts on each run


def peak_mb() -> float:
    """The process's peak resident size. On Linux from /proc/self/status (VmHWM): getrusage's
    ru_maxrss survives exec, so a child started by this script would report its parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(case: str) -> tuple[bytes, int]:
    """The file and what it inflates to (bytes)."""
    if case == "gap":
        data = row_gap_xlsx(50_000_000)
    elif case == "bomb":
        data = shared_strings_bomb(400)
    elif case == "people":
        from luoshi.org.imports import PERSON_HEADERS
        from luoshi.org.tests.test_imports import sheet

        rows = [
            [f"人员{n}", f"{PEOPLE_PREFIX}{n}", "市文体旅游广电局", "科员", "", ""]
            for n in range(PEOPLE)
        ]
        data = sheet(PERSON_HEADERS, *rows)
    else:
        from luoshi.learning.tests.import_files import strong_nation_rows, xlsx_export

        data = xlsx_export(
            strong_nation_rows([(f"学员{n:05d}", "一支部", "", 10) for n in range(20_000)])
        )
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    return data, inflated


def write_loop(person_pk: int, stop, results) -> None:
    """In a process of its own, as another gunicorn worker would be: one write every
    WRITE_EVERY seconds until `stop` is set; each write's latency (s) and errors to `results`."""
    latencies: list[float] = []
    errors = 0
    while not stop.is_set():
        began = time.perf_counter()
        try:
            with transaction.atomic():
                User.objects.filter(pk=person_pk).update(last_login=timezone.now())
        except Exception:  # counted and reported, not hidden
            errors += 1
        latencies.append(time.perf_counter() - began)
        stop.wait(WRITE_EVERY)
    results.put((latencies, errors))


class Writer:
    """The concurrent writer's process, started and stopped around one upload."""

    def __init__(self, person_pk: int):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.ready = context.Event()
        self.results = context.Queue()
        self.process = context.Process(
            target=write_loop, args=(person_pk, self.stop, self.results), daemon=True
        )
        self.latencies: list[float] = []
        self.errors = 0

    def start(self) -> None:
        self.process.start()

    def finish(self) -> None:
        self.stop.set()
        self.latencies, self.errors = self.results.get(timeout=120)
        self.process.join()


def run_case(case: str) -> dict:
    """In the child: build the file, post it while the writer writes, report."""
    liaison = User.objects.get(username="wtl")
    unit = Unit.objects.get(name="市文体旅游广电局")
    staff = User.objects.get(username="staff")
    PointImport.objects.filter(created_by=liaison).delete()
    started_at = timezone.now()
    data, inflated = build(case)
    client = Client()
    client.force_login(liaison)
    # Warm-up: the first request imports every app's API and builds its schemas (seconds).
    warm = client.post(
        "/api/learning/imports",
        {
            "platform": Platform.STRONG_NATION,
            "unit": unit.pk,
            "file": SimpleUploadedFile("空.csv", "姓名,本月积分\n".encode()),
        },
    )
    assert warm.status_code == 400, warm.content
    baseline = peak_mb()
    writer = Writer(staff.pk)
    writer.start()
    # Until the writer process has written (its start-up is not part of the measurement).
    while not User.objects.filter(pk=staff.pk, last_login__gte=started_at).exists():
        time.sleep(0.05)
    began = time.perf_counter()
    if case == "people":
        sysadmin = User.objects.get(username="sysadmin")
        client.force_login(sysadmin)
        response = client.post(
            reverse("org:person-import"), {"file": SimpleUploadedFile("人员.xlsx", data)}
        )
        detail = f"{User.objects.filter(username__startswith=PEOPLE_PREFIX).count():,} 人已导入"
    else:
        response = client.post(
            "/api/learning/imports",
            {
                "platform": Platform.STRONG_NATION,
                "unit": unit.pk,
                "file": SimpleUploadedFile("学习强国积分.xlsx", data),
            },
        )
        body = response.json()
        detail = body.get("detail") or f"{ImportRow.objects.count():,} 行待确认"
    seconds = time.perf_counter() - began
    writer.finish()
    PointImport.objects.filter(created_by=liaison).delete()
    return {
        "case": case,
        "size": len(data),
        "inflated": inflated,
        "status": response.status_code,
        "detail": detail,
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
        "writes": len(writer.latencies),
        "write_max_ms": max(writer.latencies) * 1000 if writer.latencies else 0.0,
        "write_errors": writer.errors,
    }


def prepare() -> str:
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="wtl").exists():
        from luoshi.testing import build_world

        build_world()
    return f"{Unit.objects.count():,} units, {User.objects.count():,} people"


def size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n < 10 << 20 else f"{n / (1 << 20):,.0f} MB"


def main() -> None:
    sizes = prepare()
    print(f"\nluoshi hostile-upload benchmark — {sizes}")
    print(f"database: {database()}; machine: {machine()}")
    print(
        "POST /api/learning/imports through the test client, one child process per case; a "
        f"second process writes every {WRITE_EVERY * 1000:.0f} ms meanwhile\n"
    )
    header = (
        f"{'file':30} {'size':>8} {'inflates':>9} {'status':>6} {'time s':>7} "
        f"{'RSS MB':>7} {'writes':>6} {'max write ms':>12} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    details = []
    for case, label in CASES.items():
        child = subprocess.run(
            [sys.executable, __file__, "--case", case],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        hostile = case in ("gap", "bomb")
        verdict = ""
        if hostile and (
            result["seconds"] >= 1 or result["peak_mb"] >= 300 or result["write_max_ms"] >= 1000
        ):
            verdict = "  goal missed"
        if result["write_errors"]:
            verdict += f"  {result['write_errors']} write errors"
        load = os.getloadavg()[0]
        print(
            f"{label:30} {size(result['size']):>8} {size(result['inflated']):>9} "
            f"{result['status']:>6} {result['seconds']:7.2f} {result['peak_mb']:7.0f} "
            f"{result['writes']:>6} {result['write_max_ms']:12.1f} {load:5.1f}{verdict}"
        )
        details.append(
            f"  {label}: {result['detail']} (RSS before the upload {result['baseline_mb']:.0f} MB)"
        )
    print()
    print("\n".join(details))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        print(json.dumps(run_case(sys.argv[2]), ensure_ascii=False))
    else:
        main()
