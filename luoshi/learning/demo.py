"""The demo's platform figures: twelve months of 学习强国 points and 干部网络学院 hours for every
person of the demo, as confirmed imports of the city's liaison work would leave them, last
month's stored summary, and the first half-year's notice.

Records are written directly (one confirmed PointImport per platform and month): the import
path is shown by uploading a file in the demo itself. Figures are deterministic: each person
keeps a habit, months vary around it, and two units lag on registration so the summary has
something to flag."""

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.org.models import Unit

from . import selectors, services
from .models import ImportRow, Platform, PointImport, PointRecord

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

LAGGING_UNITS = {"lh", "scj"}  # 冷湖镇, 市场监管局: a third of their people not yet registered
MONTHS = 12


def _months(today: datetime.date) -> list[datetime.date]:
    month, result = today.replace(day=1), []
    for _ in range(MONTHS):
        month = selectors.previous_month(month)
        result.append(month)
    return result[::-1]


def _month_end(month: datetime.date) -> datetime.date:
    return selectors.next_month(month) - datetime.timedelta(days=1)


def load(builder: "DemoBuilder") -> None:
    built = builder.built
    office = built.people.get("office")
    city = built.units.get("city")
    if office is None or city is None:
        return
    rng = random.Random(20220414)
    people: dict[int, int] = {}  # person → the unit of their first post
    for key, members in built.members.items():
        unit = built.units[key]
        for person in members:
            if person.pk in people or person.username in ("sysadmin", "secadmin", "auditor"):
                continue
            if key in LAGGING_UNITS and rng.random() < 0.35:
                continue
            people[person.pk] = unit.pk
    habit = {pk: rng.choice((6, 12, 18, 22, 28, 33, 40, 46)) for pk in people}
    hours = {pk: rng.choice((0.5, 1, 2, 3, 4, 6)) for pk in people}
    now = timezone.now()
    months = _months(builder.today)
    names = dict(User.objects.filter(pk__in=people).values_list("pk", "name"))
    unit_names = dict(Unit.objects.filter(pk__in=set(people.values())).values_list("pk", "name"))
    with transaction.atomic():
        for platform in (Platform.STRONG_NATION, Platform.CADRE):
            totals: dict[int, Decimal] = {}
            for month in months:
                point_import = PointImport.objects.create(
                    platform=platform,
                    unit=city,
                    period_start=month,
                    period_end=_month_end(month),
                    status=PointImport.Status.CONFIRMED,
                    file_name=f"{Platform(platform).label}{month:%Y年%m月}导出.xlsx",
                    file_sha256=f"demo-{platform}-{month:%Y%m}".ljust(64, "0"),
                    row_count=len(people),
                    matched_count=len(people),
                    created_by=office,
                    created_at=now,
                    confirmed_by=office,
                    confirmed_at=now,
                )
                records = []
                days = _month_end(month).day
                for pk, unit_id in people.items():
                    if platform == Platform.STRONG_NATION:
                        value = Decimal(max(0, round(rng.gauss(habit[pk], 5) * days)))
                    else:
                        value = Decimal(str(max(0.0, round(rng.gauss(hours[pk], 1), 1))))
                    totals[pk] = totals.get(pk, Decimal(0)) + value
                    records.append(
                        PointRecord(
                            point_import=point_import,
                            platform=platform,
                            period_start=month,
                            period_end=_month_end(month),
                            person_id=pk,
                            unit_id=unit_id,
                            value=value,
                            total=totals[pk],
                            daily_average=(value / days).quantize(Decimal("0.01"))
                            if platform == Platform.STRONG_NATION
                            else None,
                        )
                    )
                PointRecord.objects.bulk_create(records)
                # The rows an import keeps after confirming, as a real one does: undoing a later
                # import restores figures from them.
                ImportRow.objects.bulk_create(
                    ImportRow(
                        point_import=point_import,
                        row_number=number,
                        name=names[rec.person_id],
                        org_name=unit_names[rec.unit_id],
                        value=rec.value,
                        total=rec.total,
                        daily_average=rec.daily_average,
                        match=ImportRow.Match.MATCHED,
                        person_id=rec.person_id,
                        unit_id=rec.unit_id,
                    )
                    for number, rec in enumerate(records, start=2)
                )
                point_import.record_count = len(records)
                point_import.save(update_fields=["record_count"])
        services.generate_monthly_summaries(month=months[-1], notify_liaisons=True)
    year = builder.today.year if builder.today.month > 6 else builder.today.year - 1
    half = 1 if builder.today.month > 6 else 2
    services.issue_notice(
        actor=office,
        unit=city,
        platform=Platform.STRONG_NATION,
        year=year,
        half=half,
        number=f"茫宣通〔{year}〕{3 if half == 1 else 9}号",
        title=f"关于{year}年{'上' if half == 1 else '下'}半年“学习强国”学习情况的通报",
        recipients="各乡镇党委，市直各单位党组（党委）",
        signature="中共茫崖市委宣传部",
        confirm_missing=True,  # the office issues it even where a unit's last month is missing
    )
