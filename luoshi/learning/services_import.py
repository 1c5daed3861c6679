"""Importing platform exports: upload → preview (rows matched to people) → confirm, and undo.

`start_import` parses the file (imports.parse_export), matches every row to a person and stages
the rows as `ImportRow`s — nothing reaches `PointRecord` until `confirm_import`. Matching is done
in memory against the people of the import's unit subtree, loaded once:

1. a hand-made match remembered for the name (`PersonAlias`, under the same platform
   organisation or under any);
2. otherwise the name among the people of the unit the platform organisation maps to
   (`OrgAlias`, set once; or a unit of exactly that name), phone as tie-breaker, so that two
   张伟 in two units are told apart;
3. without an organisation, the name within the whole import, phone again as tie-breaker.

Rows whose unit lies outside the import's unit or the importer's `learning.import` scope are
reported as "outside" and never saved. Confirming is one INSERT … SELECT; where the export gives
only cumulative totals, the period's value is derived from the person's previous confirmed total
(`is_derived`). Re-importing the same platform, unit and period replaces the confirmed import
after an explicit confirmation; an import can be undone. Every step is audited.
"""

import datetime
import difflib
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.files.services import store_upload
from luoshi.org.access import require_perm, scope_for
from luoshi.org.imports import RowError
from luoshi.org.models import Membership, Unit

from .imports import ExportError, ExportRow, normalise, parse_export
from .models import (
    ColumnMapping,
    Field,
    ImportRow,
    OrgAlias,
    PersonAlias,
    Platform,
    PointImport,
    PointRecord,
)

MAX_CANDIDATES = 5
SUGGEST_LIMIT = 3000
PENDING = (ImportRow.Match.UNMATCHED, ImportRow.Match.AMBIGUOUS)


class ImportRejected(ValidationError):
    """The file cannot be imported as it is: the row errors (row, column, reason), nothing saved."""

    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([_describe(error) for error in errors[:50]])


class ReplaceNeeded(ValidationError):
    """A confirmed import of the same platform, unit and period exists: confirm again to replace."""

    def __init__(self, previous: PointImport):
        self.previous = previous
        super().__init__(
            _(
                "%(unit)s %(start)s至%(end)s 的%(platform)s数据已于 %(at)s 导入（%(n)d 条），"
                "再次确认将替换原数据。"
            )
            % {
                "unit": previous.unit,
                "start": previous.period_start,
                "end": previous.period_end,
                "platform": previous.get_platform_display(),
                "at": timezone.localtime(previous.confirmed_at or previous.created_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "n": previous.record_count,
            },
            code="replace",
        )


def _describe(error: RowError) -> str:
    if error.row and error.column:
        return _("第 %(row)d 行“%(column)s”：%(message)s") % {
            "row": error.row,
            "column": error.column,
            "message": error.message,
        }
    if error.row:
        return _("第 %(row)d 行：%(message)s") % {"row": error.row, "message": error.message}
    return error.message


# --- Matching ------------------------------------------------------------------------------------


class Place(NamedTuple):
    """One membership of a person under the import's unit (a tuple: 200,000 are made at once)."""

    person_id: int
    unit_id: int
    path: str
    primary: bool


@dataclass(slots=True)
class Match:
    status: str
    person_id: int | None = None
    unit_id: int | None = None
    candidates: tuple[int, ...] = ()
    note: str = ""


def _same_phone(known: str, given: str) -> bool:
    """Equal phones, or a masked one from the platform (138****5678) agreeing at both ends."""
    given = given.replace("-", "")
    if not known or not given:
        return False
    if "*" in given:
        head, _sep, tail = given.partition("*")
        tail = tail.lstrip("*")
        return len(known) == len(given) and known.startswith(head) and known.endswith(tail)
    return known == given


class Matcher:
    """People, units and remembered aliases of one import, loaded once; matches rows in memory."""

    def __init__(self, *, actor: User, platform: str, unit: Unit):
        self.unit = unit
        self.scope = scope_for(actor, "learning.import")
        self.by_name: dict[str, list[Place]] = defaultdict(list)
        self.by_unit_name: dict[tuple[int, str], list[Place]] = defaultdict(list)
        self._by_person: dict[int, list[Place]] | None = None
        self._phones: dict[int, str] = {}
        paths = dict(
            Unit.objects.alive().filter(path__startswith=unit.path).values_list("id", "path")
        )
        # Units with others below them: there a name must be looked for in the whole subtree.
        self.parents: set[str] = set()
        for path in paths.values():
            parts = path.strip("/").split("/")
            self.parents.update("/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts)))
        memberships = Membership.objects.filter(
            unit__path__startswith=unit.path,
            unit__deleted_at__isnull=True,
            person__deleted_at__isnull=True,
            person__is_active=True,
        ).values_list("person_id", "person__name", "unit_id", "is_primary")
        # The ORM's per-row converters cost seconds over a province's 200,000 memberships; the
        # same query through a plain cursor gives the same values.
        sql, params = memberships.query.sql_with_params()
        by_name, by_unit_name = self.by_name, self.by_unit_name
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(20000):
                for person_id, name, unit_id, primary in batch:
                    place = Place(person_id, unit_id, paths[unit_id], bool(primary))
                    key = normalise(name)
                    by_name[key].append(place)
                    by_unit_name[(unit_id, key)].append(place)
        self.units: dict[str, tuple[int, str] | None] = {}
        for name, unit_id, path in OrgAlias.objects.filter(platform=platform).values_list(
            "name", "unit_id", "unit__path"
        ):
            self.units[name] = (unit_id, path)
        self.aliases = {
            (org_name, name): person_id
            for org_name, name, person_id in PersonAlias.objects.filter(
                platform=platform
            ).values_list("org_name", "name", "person_id")
        }
        self._unit_names: dict[str, list[tuple[int, str]]] | None = None
        self._in_scope: dict[int, bool] = {}

    def org_unit(self, org_name: str) -> tuple[int, str] | None:
        """The unit a platform organisation maps to: its alias, else the unit of the same name
        when exactly one unit is called so (outside the import, its rows are "outside")."""
        if not org_name:
            return None
        if org_name in self.units:
            return self.units[org_name]
        if self._unit_names is None:
            self._unit_names = defaultdict(list)
            for unit_id, name, short_name, path in Unit.objects.alive().values_list(
                "id", "name", "short_name", "path"
            ):
                self._unit_names[normalise(name)].append((unit_id, path))
                if short_name:
                    self._unit_names[normalise(short_name)].append((unit_id, path))
        found = self._unit_names.get(org_name, [])
        self.units[org_name] = found[0] if len(found) == 1 else None
        return self.units[org_name]

    def reachable(self, unit_id: int, path: str) -> bool:
        """Inside the import's unit and the importer's scope."""
        if unit_id not in self._in_scope:
            self._in_scope[unit_id] = path.startswith(self.unit.path) and (
                self.scope.everything
                or unit_id in self.scope.unit_ids
                or any(path.startswith(p) for p in self.scope.subtree_paths)
            )
        return self._in_scope[unit_id]

    @property
    def by_person(self) -> dict[int, list[Place]]:
        """Places by person, built when first needed (hand matches and remembered aliases)."""
        if self._by_person is None:
            self._by_person = defaultdict(list)
            for places in self.by_name.values():
                for place in places:
                    self._by_person[place.person_id].append(place)
        return self._by_person

    def phones(self, people: set[int]) -> dict[int, str]:
        """Phones of `people`, fetched when a phone has to tell namesakes apart."""
        missing = people - self._phones.keys()
        if missing:
            self._phones.update(User.objects.filter(pk__in=missing).values_list("pk", "phone"))
        return self._phones

    def _place_of(self, person_id: int, under: str) -> Place | None:
        places = self.by_person.get(person_id, [])
        if len(places) == 1:
            return places[0]
        inside = [p for p in places if p.path.startswith(under)] or places
        inside.sort(key=lambda p: not p.primary)
        return inside[0] if inside else None

    def _matched(self, place: Place) -> Match:
        if not self.reachable(place.unit_id, place.path):
            return Match(
                ImportRow.Match.OUTSIDE, note=_("该人员所在单位不在您的导入范围内，不导入。")
            )
        return Match(ImportRow.Match.MATCHED, place.person_id, place.unit_id)

    def match(self, name: str, org_name: str, phone: str) -> Match:
        org = self.org_unit(org_name)
        if org is not None and not self.reachable(*org):
            return Match(
                ImportRow.Match.OUTSIDE,
                note=_("平台组织“%(org)s”对应的单位不在本次导入范围内，不导入。")
                % {"org": org_name},
            )
        under = org[1] if org is not None else self.unit.path
        alias = self.aliases.get((org_name, name)) or self.aliases.get(("", name))
        if alias is None and org is not None:
            # The usual case: one person of that name directly in the organisation's unit.
            direct = self.by_unit_name.get((org[0], name))
            if (
                direct is not None
                and len(direct) == 1
                and (org[1] not in self.parents or len(self.by_name[name]) == 1)
            ):
                return self._matched(direct[0])
        if alias is not None:
            place = self._place_of(alias, under)
            if place is None:
                return Match(ImportRow.Match.OUTSIDE, note=_("记住的对应人员不在本次导入范围内。"))
            return self._matched(place)
        places = self.by_name.get(name, [])
        pool = [p for p in places if p.path.startswith(under)]
        people = {p.person_id for p in pool}
        if len(people) > 1 and phone:
            known = self.phones(people)
            by_phone = {pk for pk in people if _same_phone(known.get(pk) or "", phone)}
            if len(by_phone) == 1:
                people = by_phone
        if len(people) == 1:
            person_id = next(iter(people))
            mine = [p for p in pool if p.person_id == person_id]
            mine.sort(key=lambda p: not p.primary)
            return self._matched(mine[0])
        if people:
            return Match(
                ImportRow.Match.AMBIGUOUS,
                candidates=tuple(sorted(people))[:MAX_CANDIDATES],
                note=_("有 %(n)d 位同名人员，请选择。") % {"n": len(people)},
            )
        elsewhere = tuple(sorted({p.person_id for p in places}))[:MAX_CANDIDATES]
        if org_name and org is None:
            note = _("平台组织“%(org)s”尚未对应到单位。") % {"org": org_name}
        elif elsewhere:
            note = _("对应单位中没有此人，其他单位有同名人员。")
        else:
            note = _("找不到此人。")
        return Match(ImportRow.Match.UNMATCHED, candidates=elsewhere, note=note)


def _match_rows(matcher: Matcher, rows: Iterable[tuple[int, str, str, str]]) -> dict[int, Match]:
    """{key: Match} for (key, name, org_name, phone) rows; a person matched twice is left for
    the liaison to decide on every row after the first."""
    result: dict[int, Match] = {}
    first_row: dict[int, int] = {}
    for key, name, org_name, phone in rows:
        found = matcher.match(name, org_name, phone)
        person_id = found.person_id
        if found.status == ImportRow.Match.MATCHED and person_id is not None:
            if person_id in first_row:
                found = Match(
                    ImportRow.Match.AMBIGUOUS,
                    candidates=(person_id,),
                    note=_("与第 %(row)d 行匹配到同一人，请确认或跳过。")
                    % {"row": first_row[person_id]},
                )
            else:
                first_row[person_id] = key
        result[key] = found
    return result


def import_units_for_suggestion(user: User, unit: Unit) -> list[Unit]:
    """Units under `unit` that `user` may import for, as candidates for an organisation name
    (capped: a province's 5,000 units are matched by their aliases, not suggested)."""
    scope = scope_for(user, "learning.import")
    return list(
        Unit.objects.alive()
        .filter(scope.units_q(), path__startswith=unit.path)
        .only("id", "name", "short_name", "path")[:SUGGEST_LIMIT]
    )


def suggest_unit(org_name: str, units: list[Unit]) -> Unit | None:
    """The unit a platform organisation name most likely means: the longest unit name inside it
    (中共茫崖市委宣传部支部 → 市委宣传部), else the closest name by similarity."""
    text = normalise(org_name)
    inside = [
        unit for unit in units if len(normalise(unit.name)) >= 2 and normalise(unit.name) in text
    ]
    if inside:
        return max(inside, key=lambda unit: len(unit.name))
    best, score = None, 0.5
    for unit in units:
        ratio = difflib.SequenceMatcher(None, text, normalise(unit.name)).ratio()
        if ratio > score:
            best, score = unit, ratio
    return best


# --- Staging -------------------------------------------------------------------------------------

_VALUE_FIELDS = (Field.MONTH, Field.HOURS)


def _cumulative_source(fields: set[str]) -> str:
    """The column a derived value is computed from when no period column is mapped."""
    if fields & set(_VALUE_FIELDS):
        return ""
    if Field.TOTAL in fields:
        return "total"
    if Field.YEAR in fields:
        return "year_value"
    return ""


def _stage(point_import: PointImport, rows: list[ExportRow], matcher: Matcher) -> None:
    """Insert the preview rows with their matches: executemany on the table, because model
    instances for 200,000 rows cost seconds and nothing here needs them."""
    matches = _match_rows(matcher, ((r.row_number, r.name, r.org_name, r.phone) for r in rows))
    meta = ImportRow._meta
    columns = [
        "point_import",
        "row_number",
        "name",
        "org_name",
        "phone",
        "values",
        "value",
        "total",
        "year_value",
        "daily_average",
        "match",
        "person",
        "unit",
        "candidates",
        "note",
    ]
    db_columns = [meta.get_field(name).column for name in columns]  # type: ignore[union-attr]
    json_field = meta.get_field("values")
    empty_values = json_field.get_db_prep_save({}, connection)
    empty_list = json_field.get_db_prep_save([], connection)
    quote = connection.ops.quote_name
    # The import's id and the empty raw values are written as literals: two parameters fewer
    # on each of 200,000 rows.
    literals = {"point_import": str(int(point_import.pk)), "values": "%s"}
    placeholders = [literals.get(name, "%s") for name in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(str(c)) for c in db_columns),
        ", ".join(placeholders),
    )

    def params():
        for row in rows:
            found = matches[row.row_number]
            numbers = row.numbers
            value = numbers.get(Field.MONTH)
            if value is None:
                value = numbers.get(Field.HOURS)
            yield (
                row.row_number,
                row.name[:100],
                row.org_name,
                row.phone,
                empty_values,
                value,
                numbers.get(Field.TOTAL),
                numbers.get(Field.YEAR),
                numbers.get(Field.DAILY_AVERAGE),
                found.status,
                found.person_id,
                found.unit_id,
                json_field.get_db_prep_save(list(found.candidates), connection)
                if found.candidates
                else empty_list,
                found.note[:200],
            )

    with connection.cursor() as cursor:
        batch: list[tuple] = []
        for item in params():
            batch.append(item)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _recount(point_import: PointImport) -> None:
    counts = dict(
        point_import.rows.values_list("match").annotate(n=Count("id")).values_list("match", "n")
    )
    point_import.row_count = sum(counts.values())
    point_import.matched_count = counts.get(ImportRow.Match.MATCHED, 0)
    point_import.unmatched_count = counts.get(ImportRow.Match.UNMATCHED, 0) + counts.get(
        ImportRow.Match.AMBIGUOUS, 0
    )
    point_import.skipped_count = counts.get(ImportRow.Match.SKIPPED, 0)
    point_import.outside_count = counts.get(ImportRow.Match.OUTSIDE, 0)
    point_import.save(
        update_fields=[
            "row_count",
            "matched_count",
            "unmatched_count",
            "skipped_count",
            "outside_count",
        ]
    )


def _parse(data: bytes, filename: str, mapping: dict[str, str] | None, override: bool):
    try:
        parsed = parse_export(data, filename, mapping=mapping, override=override)
    except ExportError as error:
        raise ImportRejected([RowError(0, "", error.message)]) from error
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    return parsed


@transaction.atomic
def start_import(
    *,
    actor: User,
    platform: str,
    unit: Unit,
    upload: UploadedFile,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
) -> PointImport:
    """Parse an uploaded export and stage its rows for preview (nothing counted yet).

    The period is the one entered, else the one the file names. Raises ImportRejected with the
    row errors (nothing saved) when any figure is not a number or the file cannot be read.
    """
    require_perm(actor, "learning.import", unit)
    if platform not in Platform.values:
        raise ValidationError({"platform": _("请选择平台。")})
    if (period_start is None) != (period_end is None):
        raise ValidationError({"period_end": _("请同时填写起始日期和截止日期。")})
    if period_start and period_end and period_start > period_end:
        raise ValidationError({"period_end": _("截止日期不能早于起始日期。")})
    data = upload.read()
    filename = upload.name or "export"
    remembered = ColumnMapping.objects.filter(platform=platform).first()
    parsed = _parse(data, filename, remembered.mapping if remembered else None, False)
    period = (period_start, period_end) if period_start and period_end else parsed.period
    if period is None:
        raise ImportRejected(
            [RowError(0, "", _("未能从文件标题或文件名中识别统计期间，请填写统计月份或起止日期。"))]
        )
    upload.seek(0)
    attachment = store_upload(actor=actor, upload=upload)
    point_import = PointImport.objects.create(
        platform=platform,
        unit=unit,
        period_start=period[0],
        period_end=period[1],
        period_from_file=not (period_start and period_end),
        file_name=filename[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        attachment=attachment,
        title=parsed.title,
        header_row=parsed.header_row,
        mapping=parsed.mapping,
        is_cumulative=bool(_cumulative_source(parsed.fields)),
        ignored_count=parsed.ignored,
        created_by=actor,
    )
    attachment.owner = point_import
    attachment.save(update_fields=["owner_type", "owner_id"])
    matcher = Matcher(actor=actor, platform=platform, unit=unit)
    _stage(point_import, parsed.rows, matcher)
    _recount(point_import)
    record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        obj=point_import,
        verb=_("上传平台数据"),
        note=_(
            "%(file)s：%(rows)d 行，已匹配 %(matched)d，未匹配 %(unmatched)d，范围外 %(outside)d"
        )
        % {
            "file": filename,
            "rows": point_import.row_count,
            "matched": point_import.matched_count,
            "unmatched": point_import.unmatched_count,
            "outside": point_import.outside_count,
        },
    )
    return point_import


def _require_preview(point_import: PointImport) -> None:
    if point_import.status != PointImport.Status.PREVIEW:
        raise ValidationError(
            _("该导入已%(status)s，不能再修改。") % {"status": point_import.get_status_display()}
        )


@transaction.atomic
def remap_import(*, actor: User, point_import: PointImport, mapping: dict[str, str]) -> PointImport:
    """Read the stored file again with the columns mapped as the user set them in the preview.
    On row errors nothing changes (ImportRejected)."""
    require_perm(actor, "learning.import", point_import.unit)
    _require_preview(point_import)
    if point_import.attachment is None:
        raise ValidationError(_("原文件已不存在，请重新上传。"))
    with point_import.attachment.file.open("rb") as handle:
        data = handle.read()
    parsed = _parse(data, point_import.file_name, mapping, True)
    before = point_import.mapping
    point_import.rows.all().delete()
    point_import.mapping = parsed.mapping
    point_import.header_row = parsed.header_row
    point_import.is_cumulative = bool(_cumulative_source(parsed.fields))
    point_import.ignored_count = parsed.ignored
    point_import.save(update_fields=["mapping", "header_row", "is_cumulative", "ignored_count"])
    _stage(
        point_import,
        parsed.rows,
        Matcher(actor=actor, platform=point_import.platform, unit=point_import.unit),
    )
    _recount(point_import)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=point_import,
        verb=_("修改列对应"),
        changes={"mapping": [before, parsed.mapping]},
    )
    return point_import


@transaction.atomic
def map_organisation(
    *, actor: User, point_import: PointImport, org_name: str, unit: Unit
) -> OrgAlias:
    """Map a platform organisation name to a unit (remembered for the platform) and match the
    import's rows under that organisation again."""
    require_perm(actor, "learning.import", point_import.unit)
    require_perm(actor, "learning.import", unit)
    _require_preview(point_import)
    if not unit.path.startswith(point_import.unit.path):
        raise ValidationError({"unit": _("请选择本次导入范围内的单位。")})
    alias = OrgAlias.objects.filter(platform=point_import.platform, name=org_name).first()
    before = alias.unit_id if alias else None
    if alias is None:
        alias = OrgAlias.objects.create(
            platform=point_import.platform, name=org_name, unit=unit, created_by=actor
        )
    else:
        alias.unit = unit
        alias.created_by = actor
        alias.created_at = timezone.now()
        alias.save(update_fields=["unit", "created_by", "created_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
        obj=alias,
        verb=_("平台组织对应单位"),
        changes={"unit": [before, unit.pk]},
    )
    _rematch(actor, point_import, point_import.rows.filter(org_name=org_name))
    return alias


def _rematch(actor: User, point_import: PointImport, rows) -> None:
    """Match again rows not decided by hand (skipped rows stay skipped)."""
    targets = list(
        rows.exclude(match=ImportRow.Match.SKIPPED).only("id", "name", "org_name", "phone")
    )
    if not targets:
        return
    matcher = Matcher(actor=actor, platform=point_import.platform, unit=point_import.unit)
    taken_people = set(
        point_import.rows.filter(match=ImportRow.Match.MATCHED)
        .exclude(pk__in=[row.pk for row in targets])
        .values_list("person_id", flat=True)
    )
    matches = _match_rows(matcher, ((row.pk, row.name, row.org_name, row.phone) for row in targets))
    for row in targets:
        found = matches[row.pk]
        if found.status == ImportRow.Match.MATCHED and found.person_id in taken_people:
            found = Match(
                ImportRow.Match.AMBIGUOUS,
                candidates=(found.person_id,),
                note=_("与另一行匹配到同一人，请确认或跳过。"),
            )
        row.match, row.person_id, row.unit_id = found.status, found.person_id, found.unit_id
        row.candidates, row.note = list(found.candidates), found.note[:200]
    ImportRow.objects.bulk_update(
        targets, ["match", "person", "unit", "candidates", "note"], batch_size=2000
    )
    _recount(point_import)


def _place_for(actor: User, point_import: PointImport, person: User) -> Place | None:
    """Where `person` counts in this import: their membership under its unit and in the
    importer's scope (the primary one first), without loading a province for one row."""
    scope = scope_for(actor, "learning.import")
    places = [
        Place(person.pk, unit_id, path, primary)
        for unit_id, path, primary in Membership.objects.filter(
            person=person,
            unit__path__startswith=point_import.unit.path,
            unit__deleted_at__isnull=True,
        )
        .order_by("-is_primary", "unit__path")
        .values_list("unit_id", "unit__path", "is_primary")
    ]
    for place in places:
        if scope.everything or place.unit_id in scope.unit_ids:
            return place
        if any(place.path.startswith(p) for p in scope.subtree_paths):
            return place
    return None


@transaction.atomic
def resolve_row(
    *, actor: User, row: ImportRow, person: User | None = None, skip: bool = False
) -> ImportRow:
    """Match a row to `person` by hand (remembered as an alias for the platform organisation and
    name), or skip it (not imported)."""
    point_import = row.point_import
    require_perm(actor, "learning.import", point_import.unit)
    _require_preview(point_import)
    before = {"match": row.match, "person": row.person_id}
    if skip or person is None:
        row.match, row.person, row.unit = ImportRow.Match.SKIPPED, None, None
        row.note = _("已跳过，不导入。")
    else:
        place = _place_for(actor, point_import, person)
        if place is None:
            raise ValidationError({"person": _("请选择本次导入范围内的人员。")})
        other = (
            point_import.rows.filter(match=ImportRow.Match.MATCHED, person=person)
            .exclude(pk=row.pk)
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "person": _("%(name)s 已与第 %(row)d 行匹配，同一人不能导入两次。")
                    % {"name": person.name, "row": other.row_number}
                }
            )
        PersonAlias.objects.update_or_create(
            platform=point_import.platform,
            org_name=row.org_name,
            name=row.name,
            defaults={"person": person, "created_by": actor, "created_at": timezone.now()},
        )
        row.match, row.person, row.unit_id = ImportRow.Match.MATCHED, person, place.unit_id
        row.note = _("已手工匹配，以后自动对应。")
    row.save(update_fields=["match", "person", "unit", "note"])
    _recount(point_import)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=point_import,
        verb=_("手工匹配") if row.match == ImportRow.Match.MATCHED else _("跳过数据行"),
        changes={
            "match": [before["match"], row.match],
            "person": [before["person"], row.person_id],
        },
        note=_("第 %(row)d 行 %(name)s") % {"row": row.row_number, "name": row.name},
    )
    return row


# --- Confirm, undo, discard ----------------------------------------------------------------------


def _confirmed_same_period(point_import: PointImport) -> PointImport | None:
    return (
        PointImport.objects.select_for_update()
        .filter(
            platform=point_import.platform,
            unit=point_import.unit,
            period_start=point_import.period_start,
            period_end=point_import.period_end,
            status=PointImport.Status.CONFIRMED,
        )
        .exclude(pk=point_import.pk)
        .select_related("unit")
        .first()
    )


def _insert_records(point_import: PointImport, *, only_missing: bool = False) -> None:
    """Copy the matched rows into PointRecord in one statement, then derive the period's value
    from each person's previous confirmed cumulative figure where the export gave none.

    `only_missing`: skip people who already have figures for the platform and period (when an
    import is restored, another may have counted some of them since)."""
    quote = connection.ops.quote_name
    record_table, row_table = quote(PointRecord._meta.db_table), quote(ImportRow._meta.db_table)
    missing = (
        f"""AND NOT EXISTS (SELECT 1 FROM {record_table} r
            WHERE r.person_id = {row_table}.person_id AND r.platform = %s
              AND r.period_start = %s AND r.period_end = %s)"""
        if only_missing
        else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {record_table} (point_import_id, platform, period_start, period_end,
                person_id, unit_id, value, total, year_value, daily_average, is_derived)
            SELECT point_import_id, %s, %s, %s, person_id, unit_id, value, total, year_value,
                daily_average, %s
            FROM {row_table}
            WHERE point_import_id = %s AND {quote("match")} = %s {missing}
            """,
            [
                point_import.platform,
                point_import.period_start,
                point_import.period_end,
                False,
                point_import.pk,
                ImportRow.Match.MATCHED,
                *(
                    (point_import.platform, point_import.period_start, point_import.period_end)
                    if only_missing
                    else ()
                ),
            ],
        )
        column = _cumulative_source(set(point_import.mapping.values()))
        if not column:
            return
        # The person's latest earlier figure on this platform (index person, platform, start).
        previous = f"""
            SELECT p.{column} FROM {record_table} p
            WHERE p.person_id = {record_table}.person_id AND p.platform = %s
              AND p.period_start < %s AND p.{column} IS NOT NULL
              {"AND p.period_start >= %s" if column == "year_value" else ""}
            ORDER BY p.period_start DESC LIMIT 1
        """
        args: list = [point_import.platform, point_import.period_start]
        if column == "year_value":
            args.append(point_import.period_start.replace(month=1, day=1))
        cursor.execute(
            f"""
            UPDATE {record_table} SET value = {column} - ({previous}), is_derived = %s
            WHERE point_import_id = %s AND {column} IS NOT NULL AND EXISTS ({previous})
            """,
            [*args, True, point_import.pk, *args],
        )
        if column == "year_value" and point_import.period_start.month == 1:
            # January's gain is the year's figure so far.
            cursor.execute(
                f"""
                UPDATE {record_table} SET value = year_value, is_derived = %s
                WHERE point_import_id = %s AND value IS NULL AND year_value IS NOT NULL
                """,
                [True, point_import.pk],
            )


@transaction.atomic
def confirm_import(
    *,
    actor: User,
    point_import: PointImport,
    replace: bool = False,
    skip_pending: bool = False,
) -> PointImport:
    """Save the matched rows as the period's figures.

    Rows still unmatched or ambiguous must be resolved, or skipped all at once with
    `skip_pending`. A confirmed import of the same platform, unit and period is replaced only
    with `replace` (ReplaceNeeded otherwise); figures of the same people and period from other
    imports (an office's import over a liaison's) are superseded, so nothing is counted twice.
    """
    point_import = (
        PointImport.objects.select_for_update().select_related("unit").get(pk=point_import.pk)
    )
    require_perm(actor, "learning.import", point_import.unit)
    _require_preview(point_import)
    pending = point_import.rows.filter(match__in=PENDING)
    if pending.exists():
        if not skip_pending:
            raise ValidationError(
                _("还有 %(n)d 行未匹配或同名待选，请逐行处理，或选择跳过这些行后确认。")
                % {"n": pending.count()},
                code="pending",
            )
        pending.update(match=ImportRow.Match.SKIPPED, person=None, unit=None)
    if not point_import.rows.filter(match=ImportRow.Match.MATCHED).exists():
        raise ValidationError(_("没有已匹配的数据行，无法导入。"))
    previous = _confirmed_same_period(point_import)
    if previous is not None and not replace:
        raise ReplaceNeeded(previous)
    now = timezone.now()
    if previous is not None:
        previous.records.all().delete()
        previous.status = PointImport.Status.REPLACED
        previous.save(update_fields=["status"])
        point_import.replaces = previous
        record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=previous,
            verb=_("被替换"),
            changes={"status": [PointImport.Status.CONFIRMED, PointImport.Status.REPLACED]},
            note=_("由导入 #%(pk)d 替换") % {"pk": point_import.pk},
        )
    superseded, _detail = PointRecord.objects.filter(
        platform=point_import.platform,
        period_start=point_import.period_start,
        period_end=point_import.period_end,
        person__in=point_import.rows.filter(match=ImportRow.Match.MATCHED).values("person"),
    ).delete()
    _insert_records(point_import)
    point_import.status = PointImport.Status.CONFIRMED
    point_import.confirmed_by = actor
    point_import.confirmed_at = now
    point_import.record_count = point_import.records.count()
    point_import.derived_count = point_import.records.filter(is_derived=True).count()
    point_import.save(
        update_fields=[
            "status",
            "confirmed_by",
            "confirmed_at",
            "replaces",
            "record_count",
            "derived_count",
        ]
    )
    _recount(point_import)
    ColumnMapping.objects.update_or_create(
        platform=point_import.platform,
        defaults={"mapping": point_import.mapping, "updated_by": actor, "updated_at": now},
    )
    note = _("入库 %(n)d 条（推算 %(d)d 条）") % {
        "n": point_import.record_count,
        "d": point_import.derived_count,
    }
    if superseded:
        note += _("；替换其他导入中同期数据 %(s)d 条") % {"s": superseded}
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=point_import,
        verb=_("确认导入"),
        changes={"status": [PointImport.Status.PREVIEW, PointImport.Status.CONFIRMED]},
        note=note,
    )
    _store_summaries_later(point_import)
    return point_import


@transaction.atomic
def undo_import(*, actor: User, point_import: PointImport, reason: str = "") -> PointImport:
    """Take a confirmed import's figures out again (the import stays in the history, undone);
    an import that replaced another gives that one back."""
    point_import = (
        PointImport.objects.select_for_update().select_related("unit").get(pk=point_import.pk)
    )
    require_perm(actor, "learning.import", point_import.unit)
    if point_import.status != PointImport.Status.CONFIRMED:
        raise ValidationError(_("只能撤销已导入的数据。"))
    removed, _detail = point_import.records.all().delete()
    point_import.status = PointImport.Status.UNDONE
    point_import.undone_by = actor
    point_import.undone_at = timezone.now()
    point_import.save(update_fields=["status", "undone_by", "undone_at"])
    note = _("删除 %(n)d 条数据") % {"n": removed}
    previous = point_import.replaces
    if previous is not None and previous.status == PointImport.Status.REPLACED:
        # Undoing a re-import gives the period back the figures it replaced, from the rows that
        # import kept, rather than leaving the month empty.
        _insert_records(previous, only_missing=True)
        previous.status = PointImport.Status.CONFIRMED
        previous.record_count = previous.records.count()
        previous.derived_count = previous.records.filter(is_derived=True).count()
        previous.save(update_fields=["status", "record_count", "derived_count"])
        note += _("；恢复被替换的导入 #%(pk)d") % {"pk": previous.pk}
        record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=previous,
            verb=_("恢复导入"),
            changes={"status": [PointImport.Status.REPLACED, PointImport.Status.CONFIRMED]},
            note=_("导入 #%(pk)d 撤销后恢复") % {"pk": point_import.pk},
        )
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=point_import,
        verb=_("撤销导入"),
        changes={"status": [PointImport.Status.CONFIRMED, PointImport.Status.UNDONE]},
        note=note + (f"；{reason}" if reason else ""),
    )
    _store_summaries_later(point_import)
    return point_import


def _store_summaries_later(point_import: PointImport) -> None:
    """Once committed, have the worker store the month's summaries again (一月一汇总): until
    then the pages count live, which is slower at provincial scale."""
    from .tasks import refresh_summaries

    platform, start = point_import.platform, point_import.period_start.isoformat()
    transaction.on_commit(lambda: refresh_summaries.enqueue(platform, start))


@transaction.atomic
def discard_import(*, actor: User, point_import: PointImport) -> PointImport:
    """Give up a preview: its staged rows are dropped, the import stays in the history."""
    require_perm(actor, "learning.import", point_import.unit)
    _require_preview(point_import)
    point_import.rows.all().delete()
    point_import.status = PointImport.Status.DISCARDED
    point_import.save(update_fields=["status"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=point_import,
        verb=_("放弃导入"),
        changes={"status": [PointImport.Status.PREVIEW, PointImport.Status.DISCARDED]},
    )
    return point_import
