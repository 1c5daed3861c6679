"""The held-out check of issue 10: exports generated for the demo's people — random absentees,
organisations the platform names its own way, strangers under organisations nobody knows —
imported as the office (city-wide) and as a liaison (their unit only). After each import every
unit's registered people and points in the monthly summary equal the file's, however the
imports before it left them.

The demo is loaded once for the module inside a transaction rolled back at the end."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from luoshi.accounts.models import User
from luoshi.learning import selectors, services
from luoshi.learning.models import ImportRow, Platform, PointImport
from luoshi.org.models import Membership, Unit
from luoshi.testing import demo_loaded

from .import_files import strong_nation_rows, upload, xlsx_export

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("learning-heldout")]

SYSTEM_ACCOUNTS = {"sysadmin", "secadmin", "auditor"}
STRANGERS = [("吴某某", "中共某某县委组织部支部"), ("郑某", "某某州教育局党支部"), ("冯某某", "")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_loaded(django_db_blocker, tmp_path_factory.mktemp("heldout-media")) as built:
        yield built


def _people() -> list[tuple[User, Unit]]:
    """Every person of the demo who learns, with the unit of their primary post."""
    primary = (
        Membership.objects.filter(is_primary=True, person__deleted_at__isnull=True)
        .exclude(person__username__in=SYSTEM_ACCOUNTS)
        .select_related("person", "unit__parent")
        .order_by("person_id")
    )
    return [(m.person, m.unit) for m in primary]


def _organisation(unit: Unit, names: dict[str, int]) -> str:
    """The platform's name for a unit: a unique unit name as it is, else the platform's own
    party-branch style ("中共茫崖市文体旅游广电局办公室支部"), which the office maps by hand."""
    if names[unit.name] == 1:
        return unit.name
    return f"中共茫崖市{unit.parent.name if unit.parent else ''}{unit.name}支部"


def _export(seed: int, people, names) -> tuple[bytes, dict[int, tuple[int, Decimal]]]:
    """A file with a random fifth of the people absent and a few strangers; and what it says
    per unit: (people, points)."""
    rng = random.Random(seed)
    rows: list[tuple] = []
    expected: defaultdict[int, tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for person, unit in people:
        if rng.random() < 0.2:
            continue
        points = rng.randrange(0, 2000)
        rows.append((person.name, _organisation(unit, names), person.phone, points))
        count, total = expected[unit.pk]
        expected[unit.pk] = (count + 1, total + points)
    for name, org in STRANGERS:
        rows.insert(rng.randrange(len(rows)), (name, org, "", rng.randrange(100, 900)))
    return xlsx_export(strong_nation_rows(rows), title="学习强国学习积分统计"), dict(expected)


def _import(actor, unit, data, month, *, name) -> PointImport:
    point_import = services.start_import(
        actor=actor,
        platform=Platform.STRONG_NATION,
        unit=unit,
        upload=upload(data, name),
        period_start=month,
        period_end=selectors.next_month(month) - datetime.timedelta(days=1),
    )
    # Organisations the platform names its own way are mapped by hand, as on the preview.
    pending = point_import.rows.filter(match__in=services.PENDING).exclude(org_name="")
    for org_name in sorted(set(pending.values_list("org_name", flat=True))):
        if "茫崖市" not in org_name:
            continue  # a stranger's organisation: nobody's unit
        target = next(
            u
            for u in Unit.objects.filter(path__startswith=unit.path)
            if org_name == f"中共茫崖市{u.parent.name if u.parent else ''}{u.name}支部"
        )
        services.map_organisation(
            actor=actor, point_import=point_import, org_name=org_name, unit=target
        )
    point_import.refresh_from_db()
    left = list(point_import.rows.filter(match__in=services.PENDING).values_list("name", flat=True))
    assert set(left) <= {name for name, _org in STRANGERS}, left
    try:
        services.confirm_import(actor=actor, point_import=point_import, skip_pending=True)
    except services.ReplaceNeeded:
        services.confirm_import(
            actor=actor, point_import=point_import, skip_pending=True, replace=True
        )
    point_import.refresh_from_db()
    return point_import


def _figures(user, root: Unit, month) -> dict[int, tuple[int, Decimal]]:
    # today's count (not the month's summary as published, which an import never changes)
    summary = selectors.monthly_summary(
        user, root, Platform.STRONG_NATION, month, current_figures=True
    )
    return {row.unit.pk: (row.registered, row.value) for row in summary.rows}


def _check(figures, expected, units):
    wrong = {
        unit.name: (figures.get(unit.pk, (0, 0)), expected.get(unit.pk, (0, Decimal(0))))
        for unit in units
        if figures.get(unit.pk, (0, 0)) != expected.get(unit.pk, (0, Decimal(0)))
    }
    assert not wrong, wrong


def test_every_units_figures_equal_the_files(demo):
    office, liaison = User.objects.get(username="office"), User.objects.get(username="wtl")
    city = Unit.objects.get(name="茫崖市")
    bureau = Unit.objects.get(name="市文体旅游广电局")
    month = selectors.latest_month(Platform.STRONG_NATION)  # the demo's own month is replaced
    people = _people()
    names: dict[str, int] = defaultdict(int)
    for unit in Unit.objects.alive():
        names[unit.name] += 1
    units = list(Unit.objects.alive().filter(path__startswith=city.path))
    bureau_units = [u for u in units if u.path.startswith(bureau.path)]

    first, expected_first = _export(1, people, names)
    office_import = _import(office, city, first, month, name="学习强国全市.xlsx")
    assert office_import.absent_count > 0
    _check(_figures(office, city, month), expected_first, units)

    # The liaison's own file of the whole city: only the bureau's rows count, and the bureau's
    # figures become exactly the file's — nobody keeps the office's figure.
    second, expected_second = _export(2, people, names)
    mine = _import(liaison, bureau, second, month, name="学习强国本局.xlsx")
    assert mine.outside_count > 0 and mine.unmatched_count == 0
    assert (
        not mine.rows.filter(match=ImportRow.Match.MATCHED)
        .exclude(unit__path__startswith=bureau.path)
        .exists()
    )
    figures = _figures(office, city, month)
    _check(figures, expected_second, bureau_units)
    _check(figures, expected_first, [u for u in units if u not in bureau_units])

    # The office again, city-wide: every unit is the new file's, the bureau included.
    third, expected_third = _export(3, people, names)
    _import(office, city, third, month, name="学习强国全市（更新）.xlsx")
    _check(_figures(office, city, month), expected_third, units)
