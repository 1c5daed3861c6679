"""Importing activities of one type from Excel: a template generated from the type's fields, every
row validated (row-level errors in Chinese), all rows saved or none, idempotent.

The file is inspected first (luoshi.lib.office: no zip bombs, no sheet declaring more rows than
an import takes), then every row is parsed and checked by services.prepare_activity (so scope
rules and validation are the record form's) outside any transaction; only when no row has an
error are the staged rows written, in one short transaction through services.save_activity (the
audit log as on the form). A row's fingerprint (`Activity.import_key`) is computed from its
content: uploading the same file again skips the rows already in the ledger.
"""

import datetime
import hashlib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.office import inspect_office_file
from luoshi.lib.text import clean_text
from luoshi.lib.xlsx import is_example_row, read_rows, template_workbook
from luoshi.org.access import require_perm, visible_people
from luoshi.org.imports import RowError
from luoshi.org.models import Unit

from . import services
from .access import recording_units
from .models import Activity, ActivityType, FieldKind, Participation, VenueCategory

MAX_ROWS = 50_000


@dataclass
class ImportResult:
    """Either row errors (nothing saved) or the activities created and the rows skipped."""

    errors: list[RowError] = field(default_factory=list)
    created: list[Activity] = field(default_factory=list)
    skipped: int = 0
    examples: list[int] = field(default_factory=list)  # rows skipped as the template's example

    @property
    def ok(self) -> bool:
        return not self.errors


NAME_SPLIT = re.compile(r"[、,，;；\s]+")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d")

TITLE, UNIT, STARTS, ENDS, PLACE = "活动名称", "组织单位", "开始时间", "结束时间", "地点"
VENUE, AUDIENCE, HOURS, PEOPLE, NOTES = (
    "场所类别",
    "受众人数",
    "时长（小时）",
    "参加人员",
    "内容摘要",
)


def headers_for(activity_type: ActivityType) -> list[str]:
    """The template's columns for `activity_type` (file fields cannot be imported)."""
    headers = [TITLE, UNIT, STARTS, ENDS, PLACE]
    if activity_type.has_venue_category:
        headers.append(VENUE)
    if activity_type.has_audience:
        headers.append(AUDIENCE)
    if activity_type.records_hours:
        headers.append(HOURS)
    if activity_type.takes_attendance:
        headers.append(PEOPLE)
    headers += [d["label"] for d in activity_type.fields if d["kind"] != FieldKind.FILE]
    headers.append(NOTES)
    return headers


def example_row(activity_type: ActivityType) -> dict[str, Any]:
    """The template's example row of `activity_type`, by column: an import skips a row that
    is this one unchanged (lib.xlsx.is_example_row)."""
    headers = headers_for(activity_type)
    example = {
        TITLE: activity_type.name,
        UNIT: _("（本单位名称）"),
        STARTS: "2026-03-02 09:00",
        ENDS: "2026-03-02 10:30",
        PLACE: _("单位会议室"),
        VENUE: str(VenueCategory.COMMUNITY.label),
        AUDIENCE: 30,
        HOURS: 1.5,
        PEOPLE: _("张三、李四"),
        NOTES: "",
    }
    for definition in activity_type.fields:
        example[definition["label"]] = {
            FieldKind.NUMBER: 1,
            FieldKind.DATE: "2026-03-02",
            FieldKind.CHOICE: (definition.get("choices") or [""])[0],
        }.get(definition["kind"], "")
    return {header: example.get(header, "") for header in headers}


def template(activity_type: ActivityType) -> bytes:
    example = example_row(activity_type)
    venues = "、".join(str(label) for label in VenueCategory.labels)
    help_lines = [
        _("活动类型：%(name)s。每行一次活动；第一行为列名，请勿修改。")
        % {"name": activity_type.name},
        _("组织单位填写单位全称或简称，须是您可以登记台账的单位。"),
        _("开始时间、结束时间格式如 2026-03-02 09:00；结束时间可不填。"),
        _("参加人员填写姓名，多人用顿号分隔；重名时填写登录账号。"),
        _("场所类别可填：%(venues)s。") % {"venues": venues},
        _("同一文件重复导入时，已导入的行不会重复登记；任何一行有错误时整个文件都不导入。"),
        _("第二行是示例（灰色斜体），原样保留时不导入，可改写为实际数据或删除。"),
    ]
    for definition in activity_type.fields:
        if definition["kind"] == FieldKind.FILE:
            continue
        line = _("“%(label)s”：%(kind)s%(required)s") % {
            "label": definition["label"],
            "kind": FieldKind(definition["kind"]).label,
            "required": _("，必填") if definition.get("required") else "",
        }
        if definition.get("choices"):
            line += _("，可选：%(choices)s") % {"choices": "、".join(definition["choices"])}
        help_lines.append(line)
    return template_workbook(
        title=activity_type.name[:31],
        headers=list(example),
        example=list(example.values()),
        help_lines=help_lines,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _moment(text: str) -> datetime.datetime | None:
    for fmt in DATETIME_FORMATS:
        try:
            naive = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        return timezone.make_aware(naive)
    return None


class _People:
    """Names (or usernames) to the people in the importer's reach, loaded once."""

    def __init__(self, actor: User):
        self.by_name: dict[str, list[User]] = defaultdict(list)
        self.by_username: dict[str, User] = {}
        for person in visible_people(actor, "ledger.record").filter(is_active=True):
            self.by_name[person.name].append(person)
            self.by_username[person.username.lower()] = person

    def resolve(self, text: str) -> tuple[list[User], list[str]]:
        people, problems = [], []
        for name in [n for n in NAME_SPLIT.split(text) if n]:
            matches = self.by_name.get(name, [])
            if len(matches) == 1:
                people.append(matches[0])
            elif len(matches) > 1:
                problems.append(_("“%(name)s”有重名，请改填登录账号") % {"name": name})
            elif name.lower() in self.by_username:
                people.append(self.by_username[name.lower()])
            else:
                problems.append(_("找不到“%(name)s”或不在您的数据范围内") % {"name": name})
        return people, problems


class _Units:
    def __init__(self, actor: User):
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in recording_units(actor):
            self.by_name[unit.name].append(unit)
            if unit.short_name and unit.short_name != unit.name:
                self.by_name[unit.short_name].append(unit)

    def resolve(self, text: str) -> tuple[Unit | None, str]:
        matches = self.by_name.get(text, [])
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, _("单位“%(name)s”有重名，请联系行动办。") % {"name": text}
        return None, _("找不到单位“%(name)s”，或您不能为该单位登记台账。") % {"name": text}


def _key(activity_type: ActivityType, unit: Unit, row: dict[str, str]) -> str:
    payload = json.dumps(
        [activity_type.pk, unit.pk, sorted(row.items())], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


FIELD_COLUMNS = {
    "title": TITLE,
    "unit": UNIT,
    "starts_at": STARTS,
    "ends_at": ENDS,
    "place": PLACE,
    "venue_category": VENUE,
    "audience": AUDIENCE,
    "hours": HOURS,
    "participants": PEOPLE,
}


def import_activities(
    *, actor: User, activity_type: ActivityType, data: bytes, filename: str = ""
) -> ImportResult:
    """Import the rows of `data` as activities of `activity_type`, all or none.

    Returns the row errors (nothing saved) or the activities created; rows already imported
    (same fingerprint, still in the ledger) are skipped.
    """
    require_perm(actor, "ledger.record")
    try:
        inspect_office_file(data)
    except ValidationError as refused:
        return ImportResult(errors=[RowError(0, "", message) for message in refused.messages])
    try:
        found, rows = read_rows(data)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not .xlsx
        message = _("无法读取文件，请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")
        return ImportResult(errors=[RowError(0, "", message)])
    headers = headers_for(activity_type)
    missing = [h for h in headers if h not in found and h not in (ENDS, NOTES)]
    if missing:
        return ImportResult(
            errors=[
                RowError(1, h, _("缺少“%(header)s”列，请使用导入模板。") % {"header": h})
                for h in missing
            ]
        )
    example = example_row(activity_type)
    examples = [number for number, values in rows if is_example_row(values, example)]
    rows = [(number, values) for number, values in rows if number not in examples]
    if not rows and examples:
        return ImportResult(examples=examples)
    if not rows:
        return ImportResult(errors=[RowError(0, "", _("文件中没有数据行。"))])
    if len(rows) > MAX_ROWS:
        message = _("一次最多导入 %(max)d 行，请分批导入。") % {"max": MAX_ROWS}
        return ImportResult(errors=[RowError(0, "", message)], examples=examples)
    people_index, units_index = _People(actor), _Units(actor)
    lookups = services.RecordingLookups(actor)
    # The units and people the indexes resolve to are exactly the recorder's reach, so the checks
    # of prepare_activity find them in these sets without a query per row.
    lookups.recording_unit_ids = {u.pk for units in units_index.by_name.values() for u in units}
    lookups.recordable_people_ids = {p.pk for p in people_index.by_username.values()}
    labels = {d["label"]: d for d in activity_type.fields if d["kind"] != FieldKind.FILE}
    column_of = {**FIELD_COLUMNS, **{f"x_{d['key']}": label for label, d in labels.items()}}
    venue_by_label = {str(label): value for value, label in VenueCategory.choices}
    errors: list[RowError] = []
    staged: list[tuple[str, services.PreparedActivity]] = []
    seen: set[str] = set()
    skipped = 0
    for number, raw in rows:
        row = {header: _text(raw.get(header)) for header in headers}
        row_errors: list[RowError] = []
        for header, value in row.items():  # as a form field would take it (lib.text)
            try:
                row[header] = clean_text(value, multiline=True)
            except ValidationError as exc:
                row_errors.extend(RowError(number, header, message) for message in exc.messages)
                row[header] = ""
        unit, problem = units_index.resolve(row[UNIT])
        if problem:
            row_errors.append(RowError(number, UNIT, problem))
        starts_at = _moment(row[STARTS])
        if starts_at is None:
            row_errors.append(
                RowError(number, STARTS, _("请填写开始时间，格式如 2026-03-02 09:00。"))
            )
        ends_at = _moment(row[ENDS]) if row.get(ENDS) else None
        if row.get(ENDS) and ends_at is None:
            row_errors.append(RowError(number, ENDS, _("结束时间格式应如 2026-03-02 10:30。")))
        venue = ""
        if activity_type.has_venue_category and row[VENUE]:
            venue = venue_by_label.get(row[VENUE], "")
            if not venue:
                row_errors.append(
                    RowError(number, VENUE, _("场所类别“%(v)s”无效。") % {"v": row[VENUE]})
                )
        numbers: dict[str, Any] = {}
        for header, kind in ((AUDIENCE, int), (HOURS, Decimal)):
            if row.get(header):
                try:
                    numbers[header] = kind(row[header])
                except (ValueError, InvalidOperation):
                    row_errors.append(RowError(number, header, _("请填写数字。")))
        people: list[User] = []
        if activity_type.takes_attendance and row.get(PEOPLE):
            people, problems = people_index.resolve(row[PEOPLE])
            row_errors += [RowError(number, PEOPLE, p) for p in problems]
        if row_errors or unit is None:
            errors += row_errors
            continue
        key = _key(activity_type, unit, row)
        if key in seen:
            skipped += 1  # the same row twice in this file
            continue
        seen.add(key)
        values: dict[str, Any] = {}
        for label, definition in labels.items():
            value = row.get(label, "")
            if definition["kind"] == FieldKind.PERSON and value:
                found_people, _problems = people_index.resolve(value)
                value = str(found_people[0].pk) if len(found_people) == 1 else "x"
            values[definition["key"]] = value
        try:
            prepared = services.prepare_activity(
                actor=actor,
                activity_type=activity_type,
                unit=unit,
                title=row[TITLE],
                starts_at=starts_at,
                ends_at=ends_at,
                place=row[PLACE],
                venue_category=venue,
                audience=numbers.get(AUDIENCE),
                hours=numbers.get(HOURS),
                values=values,
                notes=row.get(NOTES, ""),
                participants=people,
                lookups=lookups,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = column_of.get(name, "")
                errors += [RowError(number, column, message) for message in messages]
            continue
        except PermissionDenied as error:
            errors.append(RowError(number, "", str(error)))
            continue
        prepared.activity.import_key = key
        staged.append((key, prepared))
    if errors:
        return ImportResult(errors=errors, examples=examples)
    imported = _imported(key for key, _prepared in staged)
    skipped += sum(1 for key, _prepared in staged if key in imported)  # in the ledger already
    staged = [(key, prepared) for key, prepared in staged if key not in imported]
    with transaction.atomic():  # the one write: every staged row and the audit event, or none
        created, skipped = _write(actor=actor, staged=staged, skipped=skipped)
        record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            object_type="ledgers.activity",
            object_repr=filename or activity_type.name,
            note=_("%(type)s：新增 %(n)d 条，跳过已导入 %(s)d 条")
            % {"type": activity_type.name, "n": len(created), "s": skipped},
        )
    return ImportResult(created=created, skipped=skipped, examples=examples)


def _imported(keys: Iterable[str]) -> set[str]:
    """The fingerprints among `keys` of rows in the ledger (live), a few hundred per query."""
    found: set[str] = set()
    for batch in itertools.batched(keys, 500):
        found.update(
            Activity.objects.alive()
            .filter(import_key__in=batch)
            .values_list("import_key", flat=True)
        )
    return found


def _write(
    *, actor: User, staged: list[tuple[str, services.PreparedActivity]], skipped: int
) -> tuple[list[Activity], int]:
    """Write the staged rows in bulk (in the caller's transaction); a row another import wrote
    since it was checked (same fingerprint) is skipped."""
    taken = _imported(key for key, _prepared in staged)
    fresh = [prepared for key, prepared in staged if key not in taken]
    created = services.save_activities(fresh, actor=actor, source=Participation.Source.IMPORT)
    return created, skipped + len(staged) - len(fresh)
