"""The ranking of people (比学赶超): within a unit, across a subtree as far as the settings let
the viewer see, and the whole tree's ranking that the monthly job stores as a file of columns."""

import datetime
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from luoshi.org.models import Unit

from ..models import PointRecord
from . import SettingsBook, Viewer, _stored, month_records, subtree_ids

RANKING_COLUMNS = (
    ("ids", "q"),
    ("people", "q"),
    ("units", "q"),
    ("values", "d"),
    ("ranks", "i"),
    ("unit_ranks", "i"),
)


def ranking_columns(platform: str, month: datetime.date, root: Unit) -> dict[str, array]:
    """Every ranked person of the tree in rank order, as columns: record, person, unit, value,
    competition rank in the tree and within the unit."""
    records = _ranked(month_records(platform, month))
    if root.parent_id is not None:
        records = records.filter(unit_id__in=subtree_ids(root))
    columns: dict[str, array[Any]] = {key: array(code) for key, code in RANKING_COLUMNS}
    seen: dict[int, tuple[int, float, int]] = {}  # unit → (count, last value, last rank)
    last_value, last_rank = None, 0
    rows = records.values_list("pk", "person_id", "unit_id", "value")
    for position, (pk, person_id, unit_id, value) in enumerate(rows.iterator(chunk_size=5000), 1):
        number = float(value or 0)  # ranked records have a value
        if number != last_value:
            last_value, last_rank = number, position
        count, unit_value, unit_rank = seen.get(unit_id, (0, -1.0, 0))
        count += 1
        unit_rank = unit_rank if number == unit_value else count
        seen[unit_id] = (count, number, unit_rank)
        for key, item in zip(
            ("ids", "people", "units", "values", "ranks", "unit_ranks"),
            (pk, person_id, unit_id, number, last_rank, unit_rank),
            strict=True,
        ):
            columns[key].append(item)
    return columns


class RankingFile:
    """A stored ranking: fixed-width columns one after the other in one file of the default
    storage (written by the monthly job). A page of the province's 200,000 people reads a few
    hundred bytes; filtering by unit reads one column. Kept out of MonthlySummary.data because
    parsing several megabytes of JSON on every page would cost more than the page may take."""

    def __init__(self, name: str, count: int) -> None:
        self.name, self.count = name, count

    @staticmethod
    def content(columns: dict[str, array]) -> bytes:
        return b"".join(columns[key].tobytes() for key, _code in RANKING_COLUMNS)

    def _offset(self, key: str) -> tuple[int, str]:
        offset = 0
        for name, code in RANKING_COLUMNS:
            if name == key:
                return offset, code
            offset += array(code).itemsize * self.count
        raise KeyError(key)

    def read(self, keys: Iterable[str], start: int = 0, stop: int | None = None):
        """{column: array} of rows [start, stop) of the given columns."""
        stop = self.count if stop is None else min(stop, self.count)
        result: dict[str, array] = {}
        with default_storage.open(self.name, "rb") as handle:
            for key in keys:
                offset, code = self._offset(key)
                column = array(code)
                handle.seek(offset + start * column.itemsize)
                column.frombytes(handle.read(max(0, stop - start) * column.itemsize))
                result[key] = column
        return result


# --- People: within a unit, and the ranking of a subtree ----------------------------------------


@dataclass
class PersonRow:
    record: PointRecord
    rank: int
    unit_rank: int


def _ranked(records: QuerySet[PointRecord]) -> QuerySet[PointRecord]:
    return records.filter(value__isnull=False).order_by("-value", "person_id")


def unit_people(platform: str, month: datetime.date, unit: Unit) -> list[PersonRow]:
    """Everyone of `unit` with a record in the month, ranked within the unit (the caller decides
    whether the viewer may see them all or only their own row)."""
    records = list(
        _ranked(month_records(platform, month).filter(unit=unit)).select_related("person")
    )
    rows, previous_value, previous_rank = [], None, 0
    for position, record in enumerate(records, start=1):
        if record.value != previous_value:
            previous_value, previous_rank = record.value, position
        rows.append(PersonRow(record, previous_rank, previous_rank))
    return rows


def ranking_units(user, root: Unit) -> tuple[bool, list[int]]:
    """Units of `root`'s subtree whose people `user` may see ranked: (all of them, ids)."""
    viewer = Viewer(user)
    if viewer.manages_everything:
        return True, []
    book = SettingsBook()
    units = list(Unit.objects.alive().filter(path__startswith=root.path).only("id", "path"))
    ids = [unit.pk for unit in units if viewer.sees_people(unit, book.for_unit(unit))]
    return len(ids) == len(units), ids


def ranking_queryset(user, root: Unit, platform: str, month: datetime.date):
    """The records `user` may see ranked in `root`'s subtree, best first; the rank of a row is
    its place among these (computed per page by `rank_page`)."""
    records = _ranked(month_records(platform, month))
    if root.parent_id is not None:
        records = records.filter(unit_id__in=subtree_ids(root))
    everything, ids = ranking_units(user, root)
    if not everything:
        records = records.filter(Q(unit_id__in=ids) | Q(person_id=user.pk))
    return records


def rank_page(records: QuerySet[PointRecord], offset: int, limit: int) -> list[PersonRow]:
    """One page of a ranking with competition ranks (ties share a place) and each person's rank
    within their unit — a fixed number of queries whatever the page."""
    page = list(records.select_related("person", "unit")[offset : offset + limit])
    if not page:
        return []
    # The rank within the unit only for the page's rows (a subquery in the page's own SELECT
    # would run for every row OFFSET skips as well).
    better_in_unit = (
        PointRecord.objects.filter(
            point_import_id=OuterRef("point_import_id"),
            unit_id=OuterRef("unit_id"),
            value__gt=OuterRef("value"),
        )
        .order_by()
        .values("point_import_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    better = dict(
        PointRecord.objects.filter(pk__in=[record.pk for record in page])
        .annotate(better=Coalesce(Subquery(better_in_unit, output_field=IntegerField()), 0))
        .values_list("pk", "better")
    )
    values = [record.value or Decimal(0) for record in page]  # ranked records have a value
    first = values[0]
    ahead_of_first = records.filter(value__gt=first).count() if offset else 0
    rows = []
    for index, record in enumerate(page):
        if values[index] == first:
            rank = ahead_of_first + 1
        else:
            rank = offset + sum(1 for other in values[:index] if other > values[index]) + 1
        rows.append(PersonRow(record, rank, better[record.pk] + 1))
    return rows


class Ranking:
    """The people of a subtree `user` may see ranked, as a sequence of `PersonRow`s that a
    Paginator can page: read from the monthly job's stored ranking while it is current,
    otherwise from the records (sorted by the database)."""

    def __init__(self, user, root: Unit, platform: str, month: datetime.date) -> None:
        self.user, self.root = user, root
        self.records: QuerySet[PointRecord] | None = None
        self.stored_at: datetime.datetime | None = None
        self._positions: list[int] | None = None  # None: every stored row, in order
        stored = _stored(platform, month, root, "ranking")
        if stored is not None and not default_storage.exists(stored[0]["file"]):
            stored = None  # the file went missing (a restore without media): count live
        if stored is None:
            self.records = ranking_queryset(user, root, platform, month)
            return
        meta, self.stored_at = stored
        self.file = RankingFile(meta["file"], meta["count"])
        everything, visible = ranking_units(user, root)
        tree_wide = root.parent_id is None
        if everything and tree_wide:
            return
        subtree = None if tree_wide else set(subtree_ids(root))
        allowed = None if everything else set(visible)
        columns = self.file.read(["units", "people", "values"])
        units, people = columns["units"], columns["people"]
        self._values = columns["values"]
        self._positions = [
            position
            for position, unit_id in enumerate(units)
            if (subtree is None or unit_id in subtree)
            and (allowed is None or unit_id in allowed or people[position] == user.pk)
        ]

    def count(self) -> int:
        if self.records is not None:
            return self.records.count()
        return self.file.count if self._positions is None else len(self._positions)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("a Ranking is read by pages (slices)")
        start = index.start or 0
        stop = self.count() if index.stop is None else min(index.stop, self.count())
        if self.records is not None:
            return rank_page(self.records, start, stop - start)
        if stop <= start:
            return []
        if self._positions is None:
            page = self.file.read(["ids", "ranks", "unit_ranks"], start, stop)
            return self._rows(list(page["ids"]), list(page["ranks"]), list(page["unit_ranks"]))
        positions = self._positions[start:stop]
        columns = self.file.read(["ids", "unit_ranks"])
        values = self._values
        # Competition ranks among the listed people: the page's first row walks back over
        # its ties once, the rest follow from their neighbours.
        ranks = []
        for offset, position in enumerate(positions, start=start):
            if ranks and values[position] == values[positions[offset - start - 1]]:
                ranks.append(ranks[-1])
                continue
            first = offset
            while first > 0 and values[self._positions[first - 1]] == values[position]:
                first -= 1
            ranks.append(first + 1)
        return self._rows(
            [columns["ids"][position] for position in positions],
            ranks,
            [columns["unit_ranks"][position] for position in positions],
        )

    @staticmethod
    def _rows(ids: list[int], ranks: list[int], unit_ranks: list[int]) -> list[PersonRow]:
        records = PointRecord.objects.select_related("person", "unit").in_bulk(ids)
        return [
            PersonRow(records[pk], rank, unit_rank)
            for pk, rank, unit_rank in zip(ids, ranks, unit_ranks, strict=True)
            if pk in records
        ]
