"""Benchmark: one month's 学习强国 export (200,000 rows, .xlsx) from upload to confirmed, on SQLite,
against the script an Excel-savvy clerk would write instead — side by side in one run.

    .venv/bin/python bench/learning_generate.py     # once: the province and 12 monthly exports
    .venv/bin/python bench/learning_import.py [MONTH]

luoshi: `start_import` (stream the sheet, find the header, map columns, match every row in
memory, stage the preview rows) then `confirm_import` (skipping the unknown names, one
INSERT … SELECT), then the month's per-unit summary query. Peak memory is the process's
maximum resident size (resource.getrusage), measured before anything else runs in the process.

The clerk: pandas.read_excel (openpyxl) of the export and of the roster, clean the figures
(full-width digits), drop the 合计 row, merge on organisation + name, groupby unit (head count,
registered, active ≥ 300 points, points per person, rank) and to_excel — run in a child
process so that its memory does not mix with luoshi's.

Goals (issue 4): luoshi ≤ 10 s, ≥ 3× faster than the clerk, peak memory ≤ 1 GB.
"""

import multiprocessing
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Avg, Count, Q  # noqa: E402

from bench import learning_generate as data  # noqa: E402  (sets up Django on its database)
from luoshi.learning import services_import as services  # noqa: E402
from luoshi.learning.models import Platform, PointImport, PointRecord  # noqa: E402
from luoshi.org.models import Membership  # noqa: E402

ACTIVE_POINTS = 300


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu or 'unknown CPU'}, {os.cpu_count()} cores, Python {platform.python_version()}"


def database() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def run_luoshi(path: Path, office) -> dict:
    """Upload → preview → confirmed, timed step by step."""
    root = data.Unit.objects.get(depth=0)
    content = path.read_bytes()
    before = peak_mb()
    began = time.perf_counter()
    point_import = services.start_import(
        actor=office,
        platform=Platform.XUEXI,
        unit=root,
        upload=SimpleUploadedFile(path.name, content),
    )
    staged = time.perf_counter()
    services.confirm_import(
        actor=office, point_import=point_import, replace=True, skip_pending=True
    )
    confirmed = time.perf_counter()
    summary = list(
        PointRecord.objects.filter(platform=Platform.XUEXI, period_start=point_import.period_start)
        .values("unit_id")
        .annotate(
            people=Count("id"),
            active=Count("id", filter=Q(value__gte=ACTIVE_POINTS)),
            average=Avg("value"),
        )
        .order_by("-average")
    )
    head_count = dict(
        Membership.objects.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    )
    summarised = time.perf_counter()
    point_import.refresh_from_db()
    return {
        "rows": point_import.row_count,
        "matched": point_import.matched_count,
        "skipped": point_import.skipped_count,
        "records": point_import.record_count,
        "units": len(summary),
        "head_count_units": len(head_count),
        "preview": staged - began,
        "confirm": confirmed - staged,
        "summary": summarised - confirmed,
        "total": summarised - began,
        "upload_to_confirmed": confirmed - began,
        "peak_mb": peak_mb(),
        "baseline_mb": before,
        "size_mb": len(content) / 1e6,
    }


def clerk(path: str, roster: str, out: str, queue) -> None:
    """What a clerk who knows pandas writes: the same monthly summary per unit."""
    try:
        import pandas as pd
    except ImportError:
        queue.put({"error": "pandas not installed"})
        return
    began = time.perf_counter()
    frame = pd.read_excel(path, engine="openpyxl", header=None, skiprows=4)
    frame = frame.iloc[:, :8]
    frame.columns = [
        "序号",
        "姓名",
        "所属组织",
        "手机号",
        "总积分",
        "年度积分",
        "本月积分",
        "日均分",
    ]
    frame["姓名"] = frame["姓名"].astype(str).str.replace(r"\s+", "", regex=True)
    frame = frame[frame["所属组织"].notna() & ~frame["序号"].astype(str).str.startswith("合计")]
    month = frame["本月积分"].astype(str).str.normalize("NFKC").str.replace(",", "")
    frame["本月积分"] = pd.to_numeric(month, errors="coerce").fillna(0)
    people = pd.read_excel(roster, engine="openpyxl")
    merged = people.merge(
        frame[["所属组织", "姓名", "本月积分"]], on=["所属组织", "姓名"], how="left"
    )
    summary = merged.groupby("所属组织").agg(
        应参学人数=("姓名", "size"),
        已注册人数=("本月积分", "count"),
        活跃人数=("本月积分", lambda s: int((s >= ACTIVE_POINTS).sum())),
        人均积分=("本月积分", "mean"),
    )
    summary["注册率"] = summary["已注册人数"] / summary["应参学人数"]
    summary["排名"] = summary["人均积分"].rank(ascending=False, method="min")
    summary = summary.sort_values("排名")
    summary.to_excel(out)
    queue.put(
        {
            "total": time.perf_counter() - began,
            "units": len(summary),
            "rows": len(frame),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run_clerk(path: Path) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    out = data.FILES / "clerk-summary.xlsx"
    child = multiprocessing.get_context("fork").Process(
        target=clerk, args=(str(path), str(data.roster_path()), str(out), queue)
    )
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    month = int(sys.argv[1]) if len(sys.argv) > 1 else data.MONTHS
    path = data.export_path(month)
    if not path.exists() or not data.roster_path().exists():
        sys.exit(f"{path} missing: run bench/learning_generate.py first")
    office = data.ensure_province()["office"]
    # The month measured as a fresh import: earlier runs' imports of it are undone (not timed).
    for earlier in PointImport.objects.filter(
        period_start__year=data.YEAR, period_start__month=month, status="confirmed"
    ):
        services.undo_import(actor=office, point_import=earlier, reason="benchmark rerun")
    sizes = (
        f"{data.Unit.objects.count():,} units, {data.User.objects.count():,} people, "
        f"{PointRecord.objects.count():,} point records already loaded"
    )
    ours = run_luoshi(path, office)
    theirs = run_clerk(path)

    print(f"\nluoshi learning import benchmark — {sizes}")
    print(f"file: {path.name}, {ours['rows']:,} data rows, {ours['size_mb']:.1f} MB .xlsx")
    print(f"database: {database()}; machine: {machine()}\n")
    header = f"{'step':44} {'seconds':>9}"
    print(header)
    print("-" * len(header))
    print(f"{'luoshi: upload → preview (parse, match, stage)':44} {ours['preview']:9.2f}")
    print(f"{'luoshi: confirm (INSERT … SELECT)':44} {ours['confirm']:9.2f}")
    print(f"{'luoshi: upload → confirmed':44} {ours['upload_to_confirmed']:9.2f}")
    print(f"{'luoshi: + monthly per-unit summary query':44} {ours['summary']:9.2f}")
    print(f"{'luoshi: total':44} {ours['total']:9.2f}")
    if "error" in theirs:
        print(f"{'clerk: pandas script':44} {'—':>9}")
        print(f"\n{theirs['error']}: the clerk's baseline was skipped (uv sync --group bench).")
        ratio = None
    else:
        print(f"{'clerk: pandas read_excel + groupby + to_excel':44} {theirs['total']:9.2f}")
        ratio = theirs["total"] / ours["total"]
    print()
    print(
        f"matched {ours['matched']:,}, skipped (unknown) {ours['skipped']:,}, "
        f"saved {ours['records']:,}; {ours['units']:,} units summarised"
    )
    verdict = "ok" if ours["upload_to_confirmed"] <= 10 else "OVER the 10 s goal"
    print(f"upload → confirmed: {ours['upload_to_confirmed']:.2f} s ({verdict})")
    memory = "ok" if ours["peak_mb"] <= 1024 else "OVER the 1 GB goal"
    print(
        f"peak memory (max RSS of the process): {ours['peak_mb']:.0f} MB "
        f"(Django loaded: {ours['baseline_mb']:.0f} MB) ({memory})"
    )
    if ratio is not None:
        goal = "ok" if ratio >= 3 else "below the 3× goal"
        print(
            f"clerk / luoshi: {ratio:.1f}× ({goal}); the clerk's process peaked at "
            f"{theirs['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
