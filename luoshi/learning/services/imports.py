"""Importing platform exports: upload → preview (rows matched to people) → confirm, and undo.

`start_import` reads the file (`parsing.parse_export`), matches every row to a person
(`matching.Matcher`) and stages the rows as `ImportRow`s — nothing reaches `PointRecord` until
`confirm_import`. Reading and matching run outside any transaction (reads only); the write that
follows is one short atomic step, so a large file never holds SQLite's write lock while it is
parsed. Confirming, undoing and discarding work on staged rows only (statements in the
database, no file). In the preview the liaison changes the column mapping, maps platform
organisations to units and matches rows by hand (remembered as aliases for the next import).

Confirming is one INSERT … SELECT; where the export gives only cumulative totals, the period's
value is derived from the person's previous confirmed total (`is_derived`). Re-importing the
same platform, unit and period replaces the confirmed import after an explicit confirmation; an
import can be undone, a preview discarded. Every step is audited.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.files.models import Attachment
from luoshi.files.services import store_upload
from luoshi.org.access import has_perm, require_perm, scope_for
from luoshi.org.imports import RowError
from luoshi.org.models import Membership, Unit

from ..models import (
    AbsentPolicy,
    ColumnMapping,
    Field,
    ImportRow,
    Platform,
    PointImport,
    PointRecord,
)
from .matching import (
    Match,
    Matcher,
    alias_scope,
    match_rows,
    place_for,
    remember_organisation,
    remember_person,
)
from .parsing import ExportError, ExportRow, ParsedExport, parse_export

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
                # Counted, not the stored count: records another import superseded since
                # have gone, and imports loaded in bulk never stored one.
                "n": previous.records.count(),
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


_STAGED_COLUMNS = [
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


def _staged_rows(rows: list[ExportRow], matcher: Matcher) -> list[tuple]:
    """Every preview row matched and turned into the INSERT's parameters — reads only, done
    before the write transaction begins, so its cost (seconds for 200,000 rows) never holds
    the database's write lock."""
    matches = match_rows(matcher, ((r.row_number, r.name, r.org_name, r.phone) for r in rows))
    json_field = ImportRow._meta.get_field("values")
    empty_values = json_field.get_db_prep_save({}, connection)
    empty_list = json_field.get_db_prep_save([], connection)
    staged = []
    for row in rows:
        found = matches[row.row_number]
        numbers = row.numbers
        value = numbers.get(Field.MONTH)
        if value is None:
            value = numbers.get(Field.HOURS)
        staged.append(
            (
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
        )
    return staged


def _stage(point_import: PointImport, staged: list[tuple]) -> None:
    """Insert the prepared preview rows: executemany on the table, because model instances for
    200,000 rows cost seconds and nothing here needs them."""
    meta = ImportRow._meta
    db_columns = [meta.get_field(name).column for name in _STAGED_COLUMNS]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    # The import's id is written as a literal: one parameter fewer on each of 200,000 rows.
    placeholders = [
        str(int(point_import.pk)) if name == "point_import" else "%s" for name in _STAGED_COLUMNS
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(str(c)) for c in db_columns),
        ", ".join(placeholders),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(staged), 5000):
            cursor.executemany(sql, staged[start : start + 5000])


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
    """The parsed export. A file refused before reading (zip bomb, too many rows, not a
    workbook) is a ValidationError on the file field (a 422 on the API); a file that reads but
    is wrong is an ImportRejected with its row errors."""
    try:
        parsed = parse_export(data, filename, mapping=mapping, override=override)
    except ExportError as error:
        raise ImportRejected([RowError(0, "", error.message)]) from error
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from error
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    return parsed


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
    row errors (nothing saved) when any figure is not a number or the file cannot be read, and
    ValidationError on the file when it is refused before reading (lib.office).

    Not one transaction: reading, checking and matching the file (seconds for a large one) only
    read the database, then the file is stored and the rows are written in one short atomic
    step — a large or slow file never holds the write lock while it is parsed.
    """
    require_perm(actor, "learning.import", unit)
    if platform not in Platform.values:
        raise ValidationError({"platform": _("请选择平台。")})
    if (period_start is None) != (period_end is None):
        raise ValidationError({"period_end": _("请同时填写起始日期和截止日期。")})
    if period_start and period_end and period_start > period_end:
        raise ValidationError({"period_end": _("截止日期不能早于起始日期。")})
    if upload.size is None or upload.size > settings.UPLOAD_MAX_BYTES:
        # Checked before the file is read: the upload limit is what bounds the parse.
        raise ValidationError(
            {
                "file": _("文件“%(name)s”超过 %(mb)d MB 的大小限制，未导入。")
                % {"name": upload.name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            }
        )
    data = upload.read()
    filename = upload.name or "export"
    remembered = ColumnMapping.objects.filter(platform=platform).first()
    parsed = _parse(data, filename, remembered.mapping if remembered else None, False)
    period = (period_start, period_end) if period_start and period_end else parsed.period
    if period is None:
        raise ImportRejected(
            [RowError(0, "", _("未能从文件标题或文件名中识别统计期间，请填写统计月份或起止日期。"))]
        )
    staged = _staged_rows(parsed.rows, Matcher(actor=actor, platform=platform, unit=unit))
    upload.seek(0)
    # Checked and written to disk before the write transaction too (a row of its own, no
    # owner yet); removed again if the import's write fails.
    attachment = store_upload(actor=actor, upload=upload)
    try:
        point_import = _create_import(
            actor=actor,
            platform=platform,
            unit=unit,
            period=period,
            period_from_file=not (period_start and period_end),
            filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            attachment=attachment,
            parsed=parsed,
            staged=staged,
        )
    except BaseException:
        _remove_attachment(attachment)
        raise
    return point_import


def _remove_attachment(attachment: Attachment) -> None:
    """The stored file of an import whose write failed (a busy database, a crash in between
    leaves it for the orphan sweep)."""
    try:
        Attachment.objects.filter(pk=attachment.pk, owner_id__isnull=True).delete()
        attachment.file.delete(save=False)
    except (DatabaseError, OSError):
        pass


@transaction.atomic
def _create_import(
    *,
    actor: User,
    platform: str,
    unit: Unit,
    period: tuple[datetime.date, datetime.date],
    period_from_file: bool,
    filename: str,
    sha256: str,
    attachment: Attachment,
    parsed: ParsedExport,
    staged: list[tuple],
) -> PointImport:
    """The short write of `start_import`: the import, its staged rows and the audit event."""
    point_import = PointImport.objects.create(
        platform=platform,
        unit=unit,
        period_start=period[0],
        period_end=period[1],
        period_from_file=period_from_file,
        file_name=filename[:200],
        file_sha256=sha256,
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
    _stage(point_import, staged)
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


def remap_import(*, actor: User, point_import: PointImport, mapping: dict[str, str]) -> PointImport:
    """Read the stored file again with the columns mapped as the user set them in the preview.
    On row errors nothing changes (ImportRejected).

    As in `start_import`, the file is read and matched before the write transaction; inside
    it the import is locked and checked to be still a preview before its rows are replaced."""
    require_perm(actor, "learning.import", point_import.unit)
    _require_preview(point_import)
    if point_import.attachment is None:
        raise ValidationError(_("原文件已不存在，请重新上传。"))
    with point_import.attachment.file.open("rb") as handle:
        data = handle.read()
    parsed = _parse(data, point_import.file_name, mapping, True)
    staged = _staged_rows(
        parsed.rows,
        Matcher(
            actor=actor,
            platform=point_import.platform,
            unit=point_import.unit,
            staged=point_import.staged,
        ),
    )
    with transaction.atomic():
        point_import = PointImport.objects.select_for_update().get(pk=point_import.pk)
        _require_preview(point_import)
        before = point_import.mapping
        point_import.rows.all().delete()
        point_import.mapping = parsed.mapping
        point_import.header_row = parsed.header_row
        point_import.is_cumulative = bool(_cumulative_source(parsed.fields))
        point_import.ignored_count = parsed.ignored
        point_import.save(update_fields=["mapping", "header_row", "is_cumulative", "ignored_count"])
        _stage(point_import, staged)
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
) -> PointImport:
    """Map a platform organisation name to a unit for this import and match its rows under that
    organisation again. The mapping is kept on the import (`staged`) and saved — within the
    importer's scope — only when the import is confirmed; a discarded preview changes nothing."""
    require_perm(actor, "learning.import", point_import.unit)
    require_perm(actor, "learning.import", unit)
    _require_preview(point_import)
    if not unit.path.startswith(point_import.unit.path):
        raise ValidationError({"unit": _("请选择本次导入范围内的单位。")})
    point_import = PointImport.objects.select_for_update().get(pk=point_import.pk)
    _require_preview(point_import)
    staged = dict(point_import.staged or {})
    orgs = dict(staged.get("orgs") or {})
    before = orgs.get(org_name)
    orgs[org_name] = unit.pk
    staged["orgs"] = orgs
    point_import.staged = staged
    point_import.save(update_fields=["staged"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=point_import,
        verb=_("平台组织对应单位（确认导入时保存）"),
        changes={"org": [before, unit.pk]},
        note=f"{org_name} → {unit.name}",
    )
    _rematch(actor, point_import, point_import.rows.filter(org_name=org_name))
    return point_import


def _rematch(actor: User, point_import: PointImport, rows) -> None:
    """Match again rows not decided by hand (skipped rows stay skipped)."""
    targets = list(
        rows.exclude(match=ImportRow.Match.SKIPPED).only("id", "name", "org_name", "phone")
    )
    if not targets:
        return
    matcher = Matcher(
        actor=actor,
        platform=point_import.platform,
        unit=point_import.unit,
        staged=point_import.staged,
    )
    taken_people = set(
        point_import.rows.filter(match=ImportRow.Match.MATCHED)
        .exclude(pk__in=[row.pk for row in targets])
        .values_list("person_id", flat=True)
    )
    matches = match_rows(matcher, ((row.pk, row.name, row.org_name, row.phone) for row in targets))
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
        place = place_for(actor, point_import.unit, person)
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
        # Remembered for later imports when this one is confirmed (kept on it until then).
        point_import = PointImport.objects.select_for_update().get(pk=point_import.pk)
        staged = dict(point_import.staged or {})
        people = [
            entry
            for entry in staged.get("people") or []
            if (entry[0], entry[1]) != (row.org_name, row.name)
        ]
        staged["people"] = [*people, [row.org_name, row.name, person.pk]]
        point_import.staged = staged
        point_import.save(update_fields=["staged"])
        row.match, row.person, row.unit_id = ImportRow.Match.MATCHED, person, place.unit_id
        row.note = _("已手工匹配，确认导入后以后自动对应。")
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


def _insert_records(
    point_import: PointImport, *, only_missing: bool = False, people: list[int] | None = None
) -> None:
    """Copy the matched rows into PointRecord in one statement, then derive the period's value
    from each person's previous confirmed cumulative figure where the export gave none.

    `only_missing`: skip people who already have figures for the platform and period (when an
    import is restored, another may have counted some of them since). `people`: only these
    (in batches, within the database's limit of parameters)."""
    if people is not None:
        for start in range(0, len(people), 500):
            _insert_records_of(point_import, only_missing, people[start : start + 500])
        return
    _insert_records_of(point_import, only_missing, None)


def _insert_records_of(
    point_import: PointImport, only_missing: bool, people: list[int] | None
) -> None:
    quote = connection.ops.quote_name
    record_table, row_table = quote(PointRecord._meta.db_table), quote(ImportRow._meta.db_table)
    missing = (
        f"""AND NOT EXISTS (SELECT 1 FROM {record_table} r
            WHERE r.person_id = {row_table}.person_id AND r.platform = %s
              AND r.period_start = %s AND r.period_end = %s)"""
        if only_missing
        else ""
    )
    if people is not None:
        missing += " AND person_id IN ({})".format(", ".join(str(int(pk)) for pk in people) or "0")
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


def covered_units(actor: User, point_import: PointImport) -> list[int]:
    """The units an import speaks for: those under its unit that `actor` may import for."""
    scope = scope_for(actor, "learning.import")
    if not scope.covers_units():
        return []
    return list(
        Unit.objects.alive()
        .filter(scope.units_q(), path__startswith=point_import.unit.path)
        .values_list("id", flat=True)
    )


def _absent(actor: User, point_import: PointImport):
    """The memberships in the import's covered units of people no row is matched to."""
    return (
        Membership.objects.filter(
            unit_id__in=covered_units(actor, point_import),
            person__deleted_at__isnull=True,
            person__is_active=True,
        )
        .exclude(
            person_id__in=point_import.rows.filter(match=ImportRow.Match.MATCHED).values(
                "person_id"
            )
        )
        .values_list("person_id", flat=True)
        .order_by("person_id")
        .distinct()
    )


def absent_people(actor: User, point_import: PointImport) -> list[int]:
    """People of the import's scope (members of its covered units) no row is matched to: what
    confirming records as 未在导出中."""
    return list(_absent(actor, point_import))


def absent_count(actor: User, point_import: PointImport) -> int:
    """How many `absent_people` there are, counted in the database (the preview page)."""
    return _absent(actor, point_import).count()


def may_keep_absent(actor: User, point_import: PointImport) -> bool:
    """Only the office (who configures learning figures) may keep earlier values of people
    absent from a file."""
    return has_perm(actor, "learning.configure", point_import.unit)


def _save_staged_aliases(actor: User, point_import: PointImport) -> None:
    """The organisation mappings and hand matches of a confirmed import, remembered: mappings
    within the confirming importer's scope (alias_scope), each change audited."""
    staged = point_import.staged or {}
    orgs = staged.get("orgs") or {}
    scope_unit = alias_scope(actor, point_import.unit)
    targets = Unit.objects.in_bulk(set(orgs.values()))
    for org_name, unit_id in orgs.items():
        unit = targets.get(unit_id)
        if unit is None or not unit.path.startswith(scope_unit.path):
            continue
        alias, before = remember_organisation(
            actor=actor,
            platform=point_import.platform,
            name=org_name,
            unit=unit,
            scope_unit=scope_unit,
        )
        if before == unit.pk:
            continue
        record(
            actor=actor,
            action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
            obj=alias,
            verb=_("平台组织对应单位"),
            changes={"unit": [before, unit.pk], "scope_unit": [None, scope_unit.pk]},
            note=_("%(org)s → %(unit)s（适用于%(scope)s，导入 #%(pk)d）")
            % {"org": org_name, "unit": unit.name, "scope": scope_unit.name, "pk": point_import.pk},
        )
    people = User.objects.in_bulk({entry[2] for entry in staged.get("people") or []})
    for org_name, name, person_id in staged.get("people") or []:
        if person_id in people:
            remember_person(
                actor=actor,
                platform=point_import.platform,
                org_name=org_name,
                name=name,
                person=people[person_id],
            )


@transaction.atomic
def confirm_import(
    *,
    actor: User,
    point_import: PointImport,
    replace: bool = False,
    skip_pending: bool = False,
    absent_policy: str = AbsentPolicy.NOT_EXPORTED,
) -> PointImport:
    """Save the matched rows as the period's figures.

    Rows still unmatched or ambiguous must be resolved, or skipped all at once with
    `skip_pending`. A confirmed import of the same platform, unit and period is replaced only
    with `replace` (ReplaceNeeded otherwise); figures of the same people and period from other
    imports (an office's import over a liaison's) are superseded, so nothing is counted twice.

    People of the import's scope absent from the file are 未在导出中 by default: their figures
    of the period from any import go (not registered, 0), so each covered unit's figures are
    exactly the file's — a partial import replaces exactly its unit's people. The office may
    keep their earlier values instead (`AbsentPolicy.KEEP`), recorded on the import.
    """
    point_import = (
        PointImport.objects.select_for_update().select_related("unit").get(pk=point_import.pk)
    )
    require_perm(actor, "learning.import", point_import.unit)
    _require_preview(point_import)
    if absent_policy not in AbsentPolicy.values:
        raise ValidationError({"absent_policy": _("请选择文件中没有的人员如何处理。")})
    if absent_policy == AbsentPolicy.KEEP and not may_keep_absent(actor, point_import):
        raise PermissionDenied(_("只有行动办可以保留文件中没有的人员此前的数据。"))
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
        if absent_policy == AbsentPolicy.KEEP:
            # The earlier values of people absent from this file stay, now as this import's.
            previous.records.exclude(
                person__in=point_import.rows.filter(match=ImportRow.Match.MATCHED).values("person")
            ).update(point_import=point_import)
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
    same_period = PointRecord.objects.filter(
        platform=point_import.platform,
        period_start=point_import.period_start,
        period_end=point_import.period_end,
    )
    superseded, _detail = same_period.filter(
        person__in=point_import.rows.filter(match=ImportRow.Match.MATCHED).values("person"),
    ).delete()
    absent = absent_people(actor, point_import)
    cleared = 0
    if absent_policy == AbsentPolicy.NOT_EXPORTED:
        cleared, _detail = same_period.filter(
            unit_id__in=covered_units(actor, point_import)
        ).delete()
    _insert_records(point_import)
    _save_staged_aliases(actor, point_import)
    point_import.absent_policy = absent_policy
    point_import.absent_people = absent
    point_import.absent_count = len(absent)
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
            "absent_policy",
            "absent_people",
            "absent_count",
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
    if absent_policy == AbsentPolicy.NOT_EXPORTED:
        note += _("；范围内 %(n)d 人未在导出中，记为未注册（删除其同期数据 %(c)d 条）") % {
            "n": len(absent),
            "c": cleared,
        }
    else:
        note += _("；范围内 %(n)d 人未在导出中，保留其此前数据") % {"n": len(absent)}
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
    # The people this import superseded or recorded as 未在导出中 get back the figures other
    # confirmed imports of the period hold for them.
    people = sorted(
        set(point_import.absent_people or [])
        | set(
            point_import.rows.filter(match=ImportRow.Match.MATCHED).values_list(
                "person_id", flat=True
            )
        )
    )
    others = PointImport.objects.filter(
        platform=point_import.platform,
        period_start=point_import.period_start,
        period_end=point_import.period_end,
        status=PointImport.Status.CONFIRMED,
    ).exclude(pk=point_import.pk)
    for other in others.order_by("-confirmed_at", "-pk"):
        _insert_records(other, only_missing=True, people=people)
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
    from ..tasks import refresh_summaries

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


STALE_PREVIEW_DAYS = 7  # a month's export is confirmed within days of its upload, or never


def discard_stale_previews(
    *, older_than: datetime.timedelta = datetime.timedelta(days=STALE_PREVIEW_DAYS)
) -> list[int]:
    """Discard the previews uploaded more than `older_than` ago and neither confirmed nor
    discarded since: their staged rows (200,000 for a province's export) go, the import stays in
    the history as discarded, audited as the system's. Each in its own short transaction,
    re-checked under the lock, so a preview confirmed meanwhile is left alone. Run every night
    by `learning.tasks.discard_stale_previews`; returns the ids discarded."""
    cutoff = timezone.now() - older_than
    stale = PointImport.objects.filter(status=PointImport.Status.PREVIEW, created_at__lt=cutoff)
    discarded = []
    for pk in stale.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            point_import = (
                PointImport.objects.select_for_update()
                .filter(pk=pk, status=PointImport.Status.PREVIEW)
                .first()
            )
            if point_import is None:
                continue
            removed, _detail = point_import.rows.all().delete()
            point_import.status = PointImport.Status.DISCARDED
            point_import.save(update_fields=["status"])
            record(
                actor=None,
                action=AuditEvent.Action.TRANSITION,
                obj=point_import,
                verb=_("逾期未确认，自动放弃"),
                changes={"status": [PointImport.Status.PREVIEW, PointImport.Status.DISCARDED]},
                note=_("上传 %(days)d 天后仍未确认，删除预览数据 %(n)d 行")
                % {"days": older_than.days, "n": removed},
            )
            discarded.append(pk)
    return discarded
