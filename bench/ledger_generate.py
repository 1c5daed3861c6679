"""Fill the generated province's ledger for the ledger benchmark (bench/ledger.py).

The demo's 14 activity types are configured through the service (as the bench office); then
1,000,000 activities are written straight into the tables — spread over the 24 months up to
today, over every unit, recorded by each unit's liaison, about 1 % soft-deleted, six-digit
check-in codes on the types with check-in — with 2 to 5
participants (members of the unit) for three records in four: about 2.6 million participations.
The services would audit every record; what the benchmark measures is reading, so rows go in by
COPY on PostgreSQL and by executemany on SQLite, in chunks, with explicit ids.

Run through bench/ledger.py, which points Django at the benchmark database first.
"""

import datetime
import io
import json
import random
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from luoshi.campaigns.models import Campaign
from luoshi.ledgers import rollups, services
from luoshi.ledgers.demo import TYPES
from luoshi.ledgers.models import Activity, ActivityType, Participation
from luoshi.org.models import Membership, Role, RoleGrant

ACTIVITIES = 1_000_000
MONTHS = 24
CHUNK = 50_000
ATTENDANCE_SHARE = 0.75  # records with a list of participants
DELETED_SHARE = 0.01
# How often each of the 14 types is recorded (weekly meetings and readings more than reviews).
WEIGHTS = [14, 8, 8, 10, 10, 8, 6, 6, 12, 4, 1, 1, 6, 6]

ACTIVITY_COLUMNS = [
    "id",
    "type_id",
    "title",
    "starts_at",
    "place",
    "venue_category",
    "unit_id",
    "recorded_by_id",
    "values",
    "notes",
    "checkin_code",
    "checkin_opens_at",
    "checkin_closes_at",
    "import_key",
    "created_at",
    "updated_at",
    "deleted_at",
]
PARTICIPATION_COLUMNS = ["id", "activity_id", "person_id", "source", "created_at"]


def configure_types(office) -> list[ActivityType]:
    """The demo's 14 types for the bench campaign, through the service (once per database)."""
    campaign = Campaign.objects.get(name__contains="基准")
    tracks = {track.name: track for track in campaign.tracks.all()}
    for spec in TYPES:
        if ActivityType.objects.filter(name=spec["name"]).exists():
            continue
        values = dict(spec)
        track = tracks.get(values.pop("track"))
        services.create_activity_type(actor=office, campaign=campaign, track=track, **values)
    return list(ActivityType.objects.filter(name__in=[spec["name"] for spec in TYPES]))


def _insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Many rows at once: COPY on PostgreSQL, executemany on SQLite."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(value) for value in row))
                buffer.write("\n")
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", list(rows))


def _copy_text(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _moment(value: datetime.datetime) -> Any:
    """A UTC moment as the database takes it (naive text on SQLite, aware on PostgreSQL)."""
    return connection.ops.adapt_datetimefield_value(value)


def generate(seed: int = 2026, activities: int = ACTIVITIES) -> dict[str, Any]:
    """Write the ledger; returns the counts and the seconds it took."""
    rng = random.Random(seed)
    started = time.perf_counter()
    campaign = Campaign.objects.get(name__contains="基准")
    office = (
        RoleGrant.objects.filter(role=Role.OFFICE, unit=campaign.office_unit).first().person  # type: ignore[union-attr]
    )
    types = configure_types(office)
    by_name = {activity_type.name: activity_type for activity_type in types}
    ordered = [by_name[spec["name"]] for spec in TYPES]
    liaisons = dict(RoleGrant.objects.filter(role=Role.LIAISON).values_list("unit_id", "person_id"))
    members: dict[int, list[int]] = {}
    for unit_id, person_id in Membership.objects.values_list("unit_id", "person_id"):
        members.setdefault(unit_id, []).append(person_id)
    unit_ids = sorted(liaisons)
    today = timezone.localdate()
    year, month = today.year, today.month - (MONTHS - 1)
    while month <= 0:
        year, month = year - 1, month + 12
    first_day = datetime.date(year, month, 1)
    span_days = (today - first_day).days + 1
    zone = timezone.get_current_timezone()
    now = timezone.now()
    now_db = _moment(now)
    next_activity = (Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_participation = (
        Participation.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    empty = json.dumps({})
    written = participations = 0
    activity_table = Activity._meta.db_table
    participation_table = Participation._meta.db_table
    while written < activities:
        size = min(CHUNK, activities - written)
        activity_rows, participation_rows = [], []
        for _ in range(size):
            activity_type = rng.choices(ordered, WEIGHTS)[0]
            unit_id = rng.choice(unit_ids)
            day = first_day + datetime.timedelta(days=rng.randrange(span_days))
            local = datetime.datetime.combine(
                day, datetime.time(rng.randint(8, 17), rng.choice((0, 30))), tzinfo=zone
            )
            starts_at = local.astimezone(datetime.UTC)
            deleted = _moment(now) if rng.random() < DELETED_SHARE else None
            # Types with check-in carry a six-digit code and its window, as the service sets them.
            checkin = activity_type.takes_checkin
            code = f"{rng.randrange(100000, 1000000)}" if checkin else ""
            opens = _moment(starts_at - datetime.timedelta(minutes=30)) if checkin else None
            closes = _moment(starts_at + datetime.timedelta(hours=3)) if checkin else None
            activity_rows.append(
                (
                    next_activity,
                    activity_type.pk,
                    activity_type.name,
                    _moment(starts_at),
                    "",
                    "community" if activity_type.has_venue_category else "",
                    unit_id,
                    liaisons[unit_id],
                    empty,
                    "",
                    code,
                    opens,
                    closes,
                    "",
                    now_db,
                    now_db,
                    deleted,
                )
            )
            if activity_type.takes_attendance and rng.random() < ATTENDANCE_SHARE:
                people = members.get(unit_id, [])
                count = 1 if activity_type.is_personal else rng.randint(2, 5)
                for person_id in rng.sample(people, min(count, len(people))):
                    participation_rows.append(
                        (next_participation, next_activity, person_id, "hand", now_db)
                    )
                    next_participation += 1
            next_activity += 1
        with transaction.atomic():
            _insert(activity_table, ACTIVITY_COLUMNS, activity_rows)
            _insert(participation_table, PARTICIPATION_COLUMNS, participation_rows)
        written += size
        participations += len(participation_rows)
        print(
            f"  {written:,} activities, {participations:,} participations "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (activity_table, participation_table):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    # The rows went in beside the services: count them for the ledger view (逐级汇总) at once.
    counted = rollups.rebuild()
    print(f"  {counted:,} ledger counts ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "activities": written,
        "participations": participations,
        "seconds": round(time.perf_counter() - started),
    }
