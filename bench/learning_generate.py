"""Generate platform exports for the learning-import benchmark: a province of 5,000 units and
200,000 people (bench/generate.py's), and one 学习强国 admin export per month for 12 months,
as messy as the real ones.

    .venv/bin/python bench/learning_generate.py            # full size (minutes the first time)
    LEARNING_BENCH_SMALL=1 .venv/bin/python bench/learning_generate.py   # 10,000 people, quick

The benchmark database is its own SQLite file (bench/data/learning-import.sqlite3), copied from
the page benchmarks' province (bench/data/bench.sqlite3) when that exists, generated otherwise,
so that timing an import never fights another benchmark for SQLite's write lock. Every platform
organisation (中共第1州第1市第1局支部 …) is mapped to its unit once (OrgAlias), as a liaison does
in the first month.

Each month's .xlsx has a title row merged over the table ("学习强国 2026年MM月学习积分统计"), an
export-time note, a two-row header with merged cells ("姓 名" merged down, "积分情况" across the
figures), masked phones, full-width digits in some figures, a blank row, a few people the
platform knows and luoshi does not, and a 合计 row. A roster (名册.xlsx: unit, name, phone) is
written too: the clerk's script in bench/learning_import.py needs it for head counts.
"""

import os
import random
import re
import sqlite3
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
DATA.mkdir(parents=True, exist_ok=True)
SMALL = os.environ.get("LEARNING_BENCH_SMALL") == "1"
DB = DATA / ("learning-small.sqlite3" if SMALL else "learning-import.sqlite3")
FILES = DATA / ("learning-small" if SMALL else "learning")
YEAR = 2026
MONTHS = 12
UNKNOWN_PER_MONTH = 25
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ.setdefault("LUOSHI_DATABASE_URL", f"sqlite:///{DB}")
os.environ.setdefault("LUOSHI_VAR_DIR", str(DATA / "var"))
os.environ.setdefault("LUOSHI_ALLOWED_HOSTS", "testserver")


def _copy_province() -> None:
    """Copy the page benchmarks' province (one read snapshot, WAL-safe) when it is complete."""
    source = DATA / "bench.sqlite3"
    if SMALL or DB.exists() or not source.exists():
        return
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        people = src.execute("select count(*) from accounts_user").fetchone()[0]
    except sqlite3.Error:
        people = 0
    if people < 200_000:
        src.close()
        return
    print(f"copying the province from {source.name} …", flush=True)
    dst = sqlite3.connect(DB)
    src.backup(dst)
    dst.execute("DELETE FROM learning_pointrecord")
    dst.execute("DELETE FROM learning_importrow")
    dst.execute("DELETE FROM learning_pointimport")
    dst.commit()
    dst.close()
    src.close()


_copy_province()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench import generate as province  # noqa: E402
from luoshi.accounts.models import User  # noqa: E402
from luoshi.learning.models import OrgAlias, Platform  # noqa: E402
from luoshi.org.models import Membership, Role, RoleGrant, Unit  # noqa: E402

CHARREF = re.compile(r"&#(\d+);")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HEADINGS = ["序号", "姓 名", "所属组织", "手机号", "总积分", "年度积分", "本月积分", "日均分"]


def ensure_province() -> dict:
    """Migrate and make the province when the database has none; return the office and sizes."""
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username__startswith="u").exists():
        if SMALL:
            province.PEOPLE = 10_000
            province.PLANS = 1
        print("generating the province (once per database) …", flush=True)
        info = province.generate()
        print(f"generated in {info['seconds']} s", flush=True)
    root = Unit.objects.get(depth=0)
    office = RoleGrant.objects.select_related("person").get(role=Role.OFFICE, unit=root).person
    return {"root": root, "office": office}


def org_names() -> dict[int, str]:
    """The platform's organisation name for every unit: 中共 + the unit's names down the tree."""
    units = {
        pk: (name, parent)
        for pk, name, parent in Unit.objects.values_list("id", "name", "parent_id")
    }
    names: dict[int, str] = {}
    for pk, (name, parent) in units.items():
        chain = [name]
        while parent is not None and units[parent][1] is not None:
            chain.append(units[parent][0])
            parent = units[parent][1]
        # Depths 1–2 already carry their parents' names (第1州第1市); deeper ones do not.
        full = "".join(reversed(chain)) if len(chain) > 2 else chain[0]
        names[pk] = f"中共{full}支部" if len(chain) > 1 else f"中共{name}委员会"
    return names


def ensure_org_aliases(office: User) -> dict[int, str]:
    names = org_names()
    known = set(
        OrgAlias.objects.filter(platform=Platform.STRONG_NATION).values_list("name", flat=True)
    )
    OrgAlias.objects.bulk_create(
        [
            OrgAlias(platform=Platform.STRONG_NATION, name=name, unit_id=pk, created_by=office)
            for pk, name in names.items()
            if name not in known
        ],
        batch_size=2000,
    )
    return names


def roster() -> list[tuple[int, str, str, int]]:
    """(person id, name, phone, unit id) of every member, in person order."""
    return list(
        Membership.objects.order_by("person_id").values_list(
            "person_id", "person__name", "person__phone", "unit_id"
        )
    )


def export_path(month: int) -> Path:
    return FILES / f"学习强国积分-{YEAR}-{month:02d}.xlsx"


def roster_path() -> Path:
    return FILES / "名册.xlsx"


def _figure(value: int, rng: random.Random):
    """Most figures as numbers; some as text with full-width digits, as the platform writes."""
    if rng.random() < 0.05:
        return str(value).translate(FULL_WIDTH)
    return value


def write_month(
    month: int, people, names: dict[int, str], totals: dict[int, int], seed: int
) -> Path:
    """One month's export; `totals` carries each person's cumulative points between months."""
    rng = random.Random(seed * 100 + month)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("积分统计")
    sheet.append([f"学习强国 {YEAR}年{month:02d}月学习积分统计"])
    sheet.append([f"导出时间：{YEAR}-{month:02d}-28 08:00　　数据来源：学习强国管理后台"])
    sheet.append(HEADINGS[:4] + ["积分情况", None, None, None])
    sheet.append([None] * 4 + HEADINGS[4:])
    for ref in ("A1:H1", "A2:H2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:H3"):
        sheet.merged_cells.add(ref)
    number, days = 0, 30
    sum_month = 0
    for person_id, name, phone, unit_id in people:
        gained = rng.randint(0, 900) if rng.random() > 0.1 else 0
        totals[person_id] = totals.get(person_id, rng.randint(2000, 20000)) + gained
        number += 1
        sum_month += gained
        sheet.append(
            [
                number,
                name if rng.random() > 0.02 else f"{name[0]} {name[1:]}",
                names[unit_id],
                f"{phone[:3]}****{phone[-4:]}",
                _figure(totals[person_id], rng),
                _figure(gained * month, rng),
                _figure(gained, rng),
                round(gained / days, 1),
            ]
        )
        if number == 1000:
            sheet.append([])
    for index in range(UNKNOWN_PER_MONTH):
        unit_id = people[index * 997 % len(people)][3]
        number += 1
        sheet.append([number, f"新注册{index + 1}号", names[unit_id], "", 300, 300, 300, 10])
    sheet.append(["合计", None, None, None, None, None, sum_month, None])
    sheet.append(["制表：学习强国管理员"])
    path = export_path(month)
    book.save(path)
    _as_the_platform_writes(path)
    return path


def _as_the_platform_writes(path: Path) -> None:
    """openpyxl's write-only mode writes every Chinese character as a numeric reference
    (&#23398;); the platforms' Java back ends (Apache POI) write UTF-8 text. Rewrite the sheet
    so, keeping everything else as openpyxl made it."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in members:
            if info.filename.startswith("xl/worksheets/"):
                text = CHARREF.sub(lambda m: chr(int(m.group(1))), content.decode("utf-8"))
                content = text.encode("utf-8")
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    temporary.replace(path)


def write_roster(people, names: dict[int, str]) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(["所属组织", "姓名", "手机号"])
    for _person_id, name, phone, unit_id in people:
        sheet.append([names[unit_id], name, phone])
    path = roster_path()
    book.save(path)
    return path


def main() -> None:
    started = time.perf_counter()
    context = ensure_province()
    names = ensure_org_aliases(context["office"])
    FILES.mkdir(parents=True, exist_ok=True)
    people = roster()
    if not roster_path().exists():
        write_roster(people, names)
    if all(export_path(m).exists() for m in range(1, MONTHS + 1)) and "--force" not in sys.argv:
        print(f"exports already in {FILES} (--force writes them again)")
        return
    totals: dict[int, int] = {}  # each month's totals build on the month before
    for month in range(1, MONTHS + 1):
        path = export_path(month)
        began = time.perf_counter()
        write_month(month, people, names, totals, seed=2026)
        size = path.stat().st_size / 1e6
        print(
            f"{path.name}: {len(people) + UNKNOWN_PER_MONTH:,} rows, {size:.1f} MB, "
            f"{time.perf_counter() - began:.1f} s",
            flush=True,
        )
    print(f"done in {time.perf_counter() - started:.0f} s: {DB.name}, files in {FILES}")


if __name__ == "__main__":
    main()
