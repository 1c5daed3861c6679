"""Importing units and people from Excel: parse → validate every row → apply all or nothing.

`import_units` and `import_people` return an `ImportResult`: either the row-level errors (row
number as Excel shows it, the column, the reason in Chinese) with nothing saved, or the objects
created, all or nothing. Units are saved in one transaction through `services.create_unit` (so
each one is audited) plus one audit event of action "import". People are prepared row by row
outside any transaction (pinyin, normalised phone, unusable password) and then saved in one short
write of bulk inserts with one audit event of action "import" (`services.create_people`): a
5,000-row file does not hold the database's write lock while it is worked through.

A parent unit (上级单位) or a person's unit (所在单位) is given by name, which must be unique among
the units the importer manages, or by a path such as "茫崖市/市文体旅游广电局" (any tail of the
full path). In a unit import, later rows may hang under units that earlier or later rows create;
rows are saved parents first.

Before openpyxl reads a file, `lib.office.inspect_office_file` refuses zip bombs, sheets whose
row numbers run far past the row limit and Office files that are not workbooks (a row error
of row 0, nothing saved). Parsing and validation only read; the one transaction is the save.
"""

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.office import Limits, inspect_office_file
from luoshi.lib.text import clean_text, name_key
from luoshi.lib.xlsx import build_workbook, is_example_row, read_rows, template_workbook

from . import services
from .access import has_perm, scope_for
from .models import Unit, UnitKind

UNIT_HEADERS = ("单位名称", "上级单位", "单位类型", "简称", "排序")
PERSON_HEADERS = ("姓名", "登录账号", "所在单位", "职务", "手机号", "电子邮箱")
# Optional columns: a file without them imports as before.
PERSON_OPTIONAL_HEADERS = ("身份证号",)
# The templates' example rows: a row identical to one is skipped (lib.xlsx.is_example_row).
UNIT_EXAMPLE = dict(
    zip(UNIT_HEADERS, ("市文体旅游广电局", "茫崖市", "部门", "文体旅游广电局", 10), strict=True)
)
PERSON_EXAMPLE = dict(
    zip(
        PERSON_HEADERS + PERSON_OPTIONAL_HEADERS,
        ("张三", "zhangsan", "茫崖市/市文体旅游广电局", "科员", "13800001234", "", ""),
        strict=True,
    )
)
MAX_ROWS = 5000
PATH_SEPARATOR = re.compile(r"\s*[/／>＞]\s*")

KIND_ALIASES: dict[str, str] = {
    "市": UnitKind.CITY,
    "县": UnitKind.CITY,
    "市县": UnitKind.CITY,
    "乡": UnitKind.TOWN,
    "镇": UnitKind.TOWN,
    "社区": UnitKind.COMMUNITY,
    "村": UnitKind.COMMUNITY,
    "单位": UnitKind.DEPARTMENT,
    "部门单位": UnitKind.DEPARTMENT,
}


@dataclass(frozen=True)
class RowError:
    row: int  # the row number in Excel; 0 for the file as a whole
    column: str
    message: str


@dataclass
class ImportResult:
    """Errors (nothing saved), or warnings the importer has not confirmed yet (nothing saved),
    or the objects created; `examples` are the rows skipped as the template's example row."""

    errors: list[RowError] = field(default_factory=list)
    created: list[Any] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


@dataclass
class UnitRow:
    row: int
    name: str
    parent: str
    kind: str
    short_name: str
    sort_order: str


@dataclass
class PersonRow:
    row: int
    name: str
    username: str
    unit: str
    position: str
    phone: str
    email: str
    id_number: str = ""


# --- Templates and reports -------------------------------------------------------------------


def unit_template() -> bytes:
    kinds = "、".join(str(label) for label in UnitKind.labels)
    return template_workbook(
        title="单位导入",
        headers=UNIT_HEADERS,
        example=list(UNIT_EXAMPLE.values()),
        help_lines=[
            "单位导入模板填写说明",
            "1. 第一行为表头，请勿修改；从第二行起每行一个单位。第二行是示例（灰色斜体），"
            "原样保留时不导入，可改写为实际数据或删除。",
            "2. 单位名称：必填，不超过 100 字；同一上级单位下不得重名。",
            "3. 上级单位：填写已有单位的名称（须唯一），或用“/”分隔的路径，如“茫崖市/市文体旅游广电局”；"
            "也可以填写本表中其他行新增的单位。只能填写您有权管理的单位。",
            f"4. 单位类型：必填，可填 {kinds}。",
            "5. 简称：选填，不超过 50 字。排序：选填，整数，数字小的排在前面。",
            "6. 全部行校验通过才会导入；有任何错误时不保存任何数据，并列出错误所在的行和列。",
        ],
    )


def person_template() -> bytes:
    return template_workbook(
        title="人员导入",
        headers=PERSON_HEADERS + PERSON_OPTIONAL_HEADERS,
        example=list(PERSON_EXAMPLE.values()),
        help_lines=[
            "人员导入模板填写说明",
            "1. 第一行为表头，请勿修改；从第二行起每行一人。第二行是示例（灰色斜体），"
            "原样保留时不导入，可改写为实际数据或删除。",
            "2. 姓名、登录账号、所在单位：必填。登录账号只能包含字母、数字和 @ . + - _，且不得与已有账号重复。",
            "3. 所在单位：填写已有单位的名称（须唯一），或用“/”分隔的路径，如“茫崖市/市文体旅游广电局”。",
            "4. 手机号：选填，11 位数字，以 1 开头。电子邮箱：选填。"
            "身份证号：选填，18 位，只用于核对同一证件号不重复登记，系统不保存号码本身。",
            "   同一手机号或身份证号在文件中出现两次，或已登记在其他人员名下，该行不能导入。",
            "5. 导入的账号没有密码，须由系统管理员在人员详情页“设置初始密码”，本人首次登录时修改。",
            "6. 全部行校验通过才会导入；有任何错误时不保存任何数据，并列出错误所在的行和列。",
        ],
    )


def examples_note(rows: Sequence[int], *, only: bool = False) -> str:
    """What an import says of the rows it skipped as the template's example (`only`: nothing
    else was in the file). Shared by every import whose template has an example row."""
    numbers = "、".join(str(row) for row in rows)
    if only:
        return _(
            "文件中只有模板的示例行（第 %(rows)s 行），已跳过，未导入任何数据。"
            "请把示例行改写为实际数据，或在其下方填写后再上传。"
        ) % {"rows": numbers}
    return _("模板的示例行（第 %(rows)s 行）已跳过，未导入。") % {"rows": numbers}


def error_report(errors: Sequence[RowError]) -> bytes:
    return build_workbook(
        title="导入错误报告",
        headers=["行号", "列", "错误原因"],
        rows=[(error.row or "", error.column, error.message) for error in errors],
    )


# --- Parsing ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _inspect(data: bytes) -> list[RowError]:
    """Refuse a hostile file before openpyxl sees it (lib.office): a zip bomb, a sheet whose row
    numbers run past twice the import's row limit (blank rows are allowed, fifty million are
    not), a Word file named .xlsx."""
    limits = dataclasses.replace(
        Limits.from_settings(), rows=min(settings.IMPORT_MAX_ROWS, 2 * MAX_ROWS)
    )
    try:
        kind = inspect_office_file(data, limits).kind
    except ValidationError as exc:
        return [RowError(0, "", message) for message in exc.messages]
    if kind not in (None, "xlsx", "xlsm"):
        return [
            RowError(
                0,
                "",
                _("文件的内容不是 Excel 工作簿，未导入。请上传 .xlsx 格式的文件（可先下载模板）。"),
            )
        ]
    return []


def _read(
    data: bytes, headers: Sequence[str], example: dict[str, Any]
) -> tuple[list[tuple[int, dict]], list[RowError], list[int]]:
    """The file's rows (cleaned), the errors that refuse it as a whole or cell by cell, and the
    numbers of the rows skipped as the template's example row (`example`: its cells by column,
    optional columns included)."""
    if refused := _inspect(data):
        return [], refused, []
    try:
        found, rows = read_rows(data)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not .xlsx
        message = _("无法读取文件，请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")
        return [], [RowError(0, "", message)], []
    missing = [header for header in headers if header not in found]
    if missing:
        return (
            [],
            [
                RowError(1, header, _("缺少“%(header)s”列，请使用导入模板。") % {"header": header})
                for header in missing
            ],
            [],
        )
    examples = [number for number, values in rows if is_example_row(values, example)]
    rows = [(number, values) for number, values in rows if number not in examples]
    if not rows:
        return [], [] if examples else [RowError(0, "", _("文件中没有数据行。"))], examples
    if len(rows) > MAX_ROWS:
        message = _("一次最多导入 %(max)d 行，请分批导入。") % {"max": MAX_ROWS}
        return [], [RowError(0, "", message)], examples
    # Every cell as a form field would take it (lib.text: NFC, trimmed; no control, bidi or
    # broken characters), each refusal a row error at its column.
    cleaned: list[tuple[int, dict]] = []
    refusals: list[RowError] = []
    for number, values in rows:
        row = {}
        for column, value in values.items():
            try:
                row[column] = clean_text(_text(value))
            except ValidationError as exc:
                refusals.extend(RowError(number, column, message) for message in exc.messages)
                row[column] = ""
        cleaned.append((number, row))
    return cleaned, refusals, examples


def parse_units(data: bytes) -> tuple[list[UnitRow], list[RowError], list[int]]:
    """The unit rows, the errors, and the rows skipped as the template's example."""
    rows, errors, examples = _read(data, UNIT_HEADERS, UNIT_EXAMPLE)
    return (
        [
            UnitRow(n, v["单位名称"], v["上级单位"], v["单位类型"], v["简称"], v["排序"])
            for n, v in rows
        ],
        errors,
        examples,
    )


def parse_people(data: bytes) -> tuple[list[PersonRow], list[RowError], list[int]]:
    """The person rows, the errors, and the rows skipped as the template's example."""
    rows, errors, examples = _read(data, PERSON_HEADERS, PERSON_EXAMPLE)
    return (
        [
            PersonRow(
                n,
                v["姓名"],
                v["登录账号"],
                v["所在单位"],
                v["职务"],
                v["手机号"],
                v["电子邮箱"],
                v.get("身份证号", ""),
            )
            for n, v in rows
        ],
        errors,
        examples,
    )


# --- Resolving units named in a file ---------------------------------------------------------


def split_path(ref: str) -> list[str]:
    return [part for part in PATH_SEPARATOR.split(ref.strip()) if part]


class UnitResolver:
    """Finds the unit a cell names, among units in `user`'s scope for `perm` and, for a unit
    import, the file's own rows. A node is a `Unit` or the index of a row."""

    def __init__(self, user, perm: str, refs: Sequence[str], rows: Sequence[UnitRow] = ()):
        self.rows = rows
        # Names are compared by lib.text.name_key: "市委宣传部(新闻办)" names 市委宣传部（新闻办）.
        self.rows_by_name: dict[str, list[int]] = {}
        for index, row in enumerate(rows):
            self.rows_by_name.setdefault(name_key(row.name), []).append(index)
        names = {name_key(part) for ref in refs for part in split_path(ref)}
        scope = scope_for(user, perm)
        units = (
            list(Unit.objects.alive().filter(scope.units_q(), name_key__in=names))
            if scope.covers_units() and names
            else []
        )
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_name.setdefault(unit.name_key, []).append(unit)
        ancestor_ids = {int(pk) for unit in units for pk in unit.path.strip("/").split("/")}
        self.names = dict(Unit.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
        self.parents: dict[int, Unit | int | None] = {}
        self.parent_errors: dict[int, str] = {}
        self._resolving: set[int] = set()

    def chain(self, unit: Unit) -> list[str]:
        return [self.names.get(int(pk), "") for pk in unit.path.strip("/").split("/")]

    def label(self, node: Unit | int) -> str:
        if isinstance(node, Unit):
            return "/".join(self.chain(node))
        return _("第 %(row)d 行") % {"row": self.rows[node].row}

    def _matches(self, node: Unit | int, parts: list[str]) -> bool:
        if isinstance(node, Unit):
            chain = [name_key(name) for name in self.chain(node)[-len(parts) :]]
            return chain == [name_key(part) for part in parts]
        if name_key(self.rows[node].name) != name_key(parts[-1]):
            return False
        if len(parts) == 1:
            return True
        parent = self.parent_of(node)
        return parent is not None and self._matches(parent, parts[:-1])

    def resolve(self, ref: str, *, exclude: int | None = None) -> tuple[Unit | int | None, str]:
        """(node, "") or (None, the reason in Chinese)."""
        parts = split_path(ref)
        key = name_key(parts[-1])
        candidates: list[Unit | int] = [
            unit for unit in self.by_name.get(key, []) if self._matches(unit, parts)
        ]
        candidates += [
            index
            for index in self.rows_by_name.get(key, [])
            if index != exclude and self._matches(index, parts)
        ]
        if not candidates:
            return None, _("找不到单位“%(ref)s”，或该单位不在您的管理范围内。") % {"ref": ref}
        if len(candidates) > 1:
            found = "、".join(self.label(node) for node in candidates[:3])
            return None, _("“%(ref)s”不唯一（%(found)s），请用路径写明，如“茫崖市/%(name)s”。") % {
                "ref": ref,
                "found": found,
                "name": parts[-1],
            }
        return candidates[0], ""

    def parent_of(self, index: int) -> Unit | int | None:
        """The resolved parent of the file's row `index` (None when it has none or it fails)."""
        if index in self.parents:
            return self.parents[index]
        if index in self._resolving:
            self.parent_errors[index] = _("上级单位的引用形成了循环。")
            return None
        ref = self.rows[index].parent
        if not ref:
            self.parents[index] = None
            return None
        self._resolving.add(index)
        node, error = self.resolve(ref, exclude=index)
        self._resolving.discard(index)
        if error:
            self.parent_errors.setdefault(index, error)
        if index in self.parent_errors:
            node = None
        self.parents[index] = node
        return node


# --- Units -----------------------------------------------------------------------------------


def _kind(value: str) -> str | None:
    if value in UnitKind.values:
        return value
    for kind, label in UnitKind.choices:
        if value == str(label) or value in str(label).split("/"):
            return kind
    return KIND_ALIASES.get(value)


def _int(value: str) -> int | None:
    try:
        return int(value) if value else 0
    except ValueError:
        return None


def validate_units(user, rows: Sequence[UnitRow]) -> tuple[list[RowError], UnitResolver]:
    """Check every row; return the errors and the resolver that knows each row's parent."""
    errors: list[RowError] = []
    resolver = UnitResolver(user, "unit.manage", [row.parent for row in rows], rows)
    may_add_root = scope_for(user, "unit.manage").everything
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        errors += _unit_field_errors(row)
        parent = resolver.parent_of(index)
        if index not in resolver.parent_errors and _in_cycle(resolver, index):
            resolver.parent_errors[index] = _("上级单位的引用形成了循环。")
        if index in resolver.parent_errors:
            errors.append(RowError(row.row, "上级单位", resolver.parent_errors[index]))
            continue
        if parent is None and not may_add_root:
            message = _("请填写上级单位；只有数据范围为“全部”的管理员可以新增顶级单位。")
            errors.append(RowError(row.row, "上级单位", message))
            continue
        key = (_node_key(parent), name_key(row.name))
        if row.name and key in seen:
            message = _("与第 %(row)d 行重复：同一上级单位下不能有两个“%(name)s”。") % {
                "row": rows[seen[key]].row,
                "name": row.name,
            }
            errors.append(RowError(row.row, "单位名称", message))
        seen.setdefault(key, index)
    errors += _existing_name_errors(rows, resolver)
    return _sorted(errors, UNIT_HEADERS), resolver


def unit_warnings(rows: Sequence[UnitRow], resolver: UnitResolver) -> list[RowError]:
    """Rows whose name differs from an existing sibling's only by bracket width, spaces or
    Chinese/English punctuation ("市委宣传部(新闻办)" beside 市委宣传部（新闻办）): most likely
    the same unit typed differently, so the importer must confirm before it is created."""
    wanted = {
        index: parent
        for index in range(len(rows))
        if index not in resolver.parent_errors
        and not isinstance(parent := resolver.parents.get(index), int)
    }
    if not wanted:
        return []
    parent_ids = {parent.pk for parent in wanted.values() if parent is not None}
    keys = {name_key(rows[index].name) for index in wanted}
    existing: dict[tuple[int | None, str], str] = {
        (parent_id, key): name
        for parent_id, key, name in Unit.objects.alive()
        .filter(Q(parent_id__in=parent_ids) | Q(parent__isnull=True), name_key__in=keys)
        .values_list("parent_id", "name_key", "name")
    }
    warnings = []
    for index, parent in wanted.items():
        row = rows[index]
        similar = existing.get((parent.pk if parent else None, name_key(row.name)))
        if similar is not None and similar != row.name:
            message = _(
                "上级单位下已有“%(existing)s”，与“%(name)s”只差括号、空格或标点，"
                "可能是同一单位。确认是另一个单位才导入。"
            ) % {"existing": similar, "name": row.name}
            warnings.append(RowError(row.row, "单位名称", message))
    return warnings


def _in_cycle(resolver: UnitResolver, index: int) -> bool:
    seen = {index}
    parent = resolver.parent_of(index)
    while isinstance(parent, int):
        if parent in seen:
            return True
        seen.add(parent)
        parent = resolver.parent_of(parent)
    return False


def _sorted(errors: list[RowError], headers: Sequence[str]) -> list[RowError]:
    def key(error: RowError) -> tuple[int, int]:
        return error.row, headers.index(error.column) if error.column in headers else -1

    return sorted(errors, key=key)


def _node_key(node: Unit | int | None) -> tuple:
    if isinstance(node, Unit):
        return ("unit", node.pk)
    return ("row", node)


def _unit_field_errors(row: UnitRow) -> list[RowError]:
    errors = []
    if not row.name:
        errors.append(RowError(row.row, "单位名称", _("请填写单位名称。")))
    elif len(row.name) > 100:
        errors.append(RowError(row.row, "单位名称", _("单位名称不能超过 100 字。")))
    if not row.kind:
        errors.append(RowError(row.row, "单位类型", _("请填写单位类型。")))
    elif _kind(row.kind) is None:
        kinds = "、".join(str(label) for label in UnitKind.labels)
        message = _("单位类型“%(kind)s”无效，可填：%(kinds)s。") % {
            "kind": row.kind,
            "kinds": kinds,
        }
        errors.append(RowError(row.row, "单位类型", message))
    if len(row.short_name) > 50:
        errors.append(RowError(row.row, "简称", _("简称不能超过 50 字。")))
    if _int(row.sort_order) is None:
        errors.append(RowError(row.row, "排序", _("排序应为整数。")))
    return errors


def _existing_name_errors(rows: Sequence[UnitRow], resolver: UnitResolver) -> list[RowError]:
    """Rows whose name is already taken under an existing parent (or at the top level)."""
    wanted: dict[int, Unit | None] = {}
    for index in range(len(rows)):
        parent = resolver.parents.get(index)
        if index not in resolver.parent_errors and not isinstance(parent, int):
            wanted[index] = parent
    if not wanted:
        return []
    parent_ids = {parent.pk for parent in wanted.values() if parent is not None}
    names = {rows[index].name for index in wanted}
    taken = set(
        Unit.objects.alive()
        .filter(Q(parent_id__in=parent_ids) | Q(parent__isnull=True), name__in=names)
        .values_list("parent_id", "name")
    )
    return [
        RowError(
            rows[index].row,
            "单位名称",
            _("上级单位下已有名为“%(name)s”的单位。") % {"name": rows[index].name},
        )
        for index, parent in wanted.items()
        if (parent.pk if parent is not None else None, rows[index].name) in taken
    ]


def _saving_order(resolver: UnitResolver) -> list[int]:
    """Row indexes with every row after the row that creates its parent."""
    order: list[int] = []
    placed: set[int] = set()

    def place(index: int) -> None:
        if index in placed:
            return
        placed.add(index)
        parent = resolver.parents.get(index)
        if isinstance(parent, int):
            place(parent)
        order.append(index)

    for index in range(len(resolver.rows)):
        place(index)
    return order


def apply_units(*, actor, rows: Sequence[UnitRow], resolver: UnitResolver, filename: str = ""):
    """Create the validated units, parents first, in one transaction; audit the import."""
    created: dict[int, Unit] = {}
    with transaction.atomic():
        for index in _saving_order(resolver):
            row, parent = rows[index], resolver.parents.get(index)
            try:
                created[index] = services.create_unit(
                    actor=actor,
                    name=row.name,
                    kind=_kind(row.kind) or UnitKind.DEPARTMENT,
                    parent=created[parent] if isinstance(parent, int) else parent,
                    short_name=row.short_name,
                    sort_order=_int(row.sort_order) or 0,
                )
            except ValidationError as exc:  # changed since validation: roll everything back
                raise RowFailed(RowError(row.row, "", " ".join(exc.messages))) from exc
        _record_import(actor, "org.unit", filename, _("导入单位 %(n)d 个") % {"n": len(rows)})
    return [created[index] for index in range(len(rows))]


class RowFailed(Exception):
    """A row that passed validation but failed on saving (a concurrent change)."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def import_units(
    *, actor, data: bytes, filename: str = "", confirm_warnings: bool = False
) -> ImportResult:
    """parse → validate every row → (warnings confirmed) → apply all units or none."""
    if not has_perm(actor, "unit.manage"):
        raise PermissionDenied
    rows, errors, examples = parse_units(data)
    if errors or not rows:
        return ImportResult(errors=errors, examples=examples)
    errors, resolver = validate_units(actor, rows)
    if errors:
        return ImportResult(errors=errors, examples=examples)
    if (warnings := unit_warnings(rows, resolver)) and not confirm_warnings:
        return ImportResult(warnings=warnings, examples=examples)
    try:
        created = apply_units(actor=actor, rows=rows, resolver=resolver, filename=filename)
    except RowFailed as exc:
        return ImportResult(errors=[exc.error], examples=examples)
    return ImportResult(created=created, examples=examples)


def _record_import(actor, object_type: str, filename: str, note: str) -> None:
    record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type=object_type,
        object_repr=filename,
        note=note,
    )


# --- People ----------------------------------------------------------------------------------


def validate_people(user, rows: Sequence[PersonRow]) -> tuple[list[RowError], dict[int, Unit]]:
    """Check every row; return the errors and each row's unit."""
    errors: list[RowError] = []
    resolver = UnitResolver(user, "person.manage", [row.unit for row in rows if row.unit])
    usernames = {row.username.lower() for row in rows if row.username}
    taken = set(
        User.objects.annotate(lower=Lower("username"))
        .filter(lower__in=usernames)
        .values_list("lower", flat=True)
    )
    first_row: dict[str, int] = {}
    units: dict[int, Unit] = {}
    errors += _phone_errors(rows)
    errors += _id_number_errors(rows)
    for index, row in enumerate(rows):
        errors += _person_field_errors(row)
        if row.username:
            key = row.username.lower()
            if key in taken:
                message = _("登录账号“%(username)s”已被使用。") % {"username": row.username}
                errors.append(RowError(row.row, "登录账号", message))
            elif key in first_row:
                message = _("与第 %(row)d 行的登录账号重复。") % {"row": first_row[key]}
                errors.append(RowError(row.row, "登录账号", message))
            first_row.setdefault(key, row.row)
        if not row.unit:
            errors.append(RowError(row.row, "所在单位", _("请填写所在单位。")))
            continue
        node, error = resolver.resolve(row.unit)
        if error:
            errors.append(RowError(row.row, "所在单位", error))
        else:
            # The people file has no unit rows to refer to, so a resolved node is a Unit.
            units[index] = cast(Unit, node)
    return _sorted(errors, PERSON_HEADERS + PERSON_OPTIONAL_HEADERS), units


def _phone_errors(rows: Sequence[PersonRow]) -> list[RowError]:
    """A phone given twice in the file, or already someone's: a phone identifies one person (it
    breaks ties between namesakes when learning platforms' exports are matched)."""
    phones: dict[int, str] = {}
    for index, row in enumerate(rows):
        try:
            if phone := services.normalise_phone(row.phone):
                phones[index] = phone
        except ValidationError:
            pass  # reported with the row's other field errors
    field = User._meta.get_field("phone_hash")
    hashes = {index: field.hash_of(phone) for index, phone in phones.items()}  # type: ignore[attr-defined]
    taken = set(
        User.objects.filter(
            phone_hash__in=set(hashes.values()), deleted_at__isnull=True
        ).values_list("phone_hash", flat=True)
    )
    errors = []
    first_row: dict[str, int] = {}
    for index, digest in hashes.items():
        row = rows[index]
        if digest in taken:
            message = _("手机号 %(phone)s 已登记在其他人员名下，同一手机号不能登记给两个人。")
            errors.append(RowError(row.row, "手机号", message % {"phone": phones[index]}))
        elif digest in first_row:
            message = _("与第 %(row)d 行的手机号重复。") % {"row": first_row[digest]}
            errors.append(RowError(row.row, "手机号", message))
        first_row.setdefault(digest, row.row)
    return errors


def _id_number_errors(rows: Sequence[PersonRow]) -> list[RowError]:
    """An ID number that is malformed, given twice in the file, or already someone's."""
    errors = []
    hashes: dict[int, str] = {}
    for index, row in enumerate(rows):
        try:
            if digest := services.id_number_hash(row.id_number):
                hashes[index] = digest
        except ValidationError as exc:
            errors.append(RowError(row.row, "身份证号", " ".join(exc.messages)))
    taken = set(
        User.objects.filter(
            id_number_hash__in=set(hashes.values()), deleted_at__isnull=True
        ).values_list("id_number_hash", flat=True)
    )
    first_row: dict[str, int] = {}
    for index, digest in hashes.items():
        row = rows[index]
        if digest in taken:
            message = _("该身份证号已登记在其他人员名下，同一证件号不能登记给两个人。")
            errors.append(RowError(row.row, "身份证号", message))
        elif digest in first_row:
            message = _("与第 %(row)d 行的身份证号重复。") % {"row": first_row[digest]}
            errors.append(RowError(row.row, "身份证号", message))
        first_row.setdefault(digest, row.row)
    return errors


def _person_field_errors(row: PersonRow) -> list[RowError]:
    errors = []
    if not row.name:
        errors.append(RowError(row.row, "姓名", _("请填写姓名。")))
    elif len(row.name) > 50:
        errors.append(RowError(row.row, "姓名", _("姓名不能超过 50 字。")))
    if not row.username:
        errors.append(RowError(row.row, "登录账号", _("请填写登录账号。")))
    else:
        try:
            UnicodeUsernameValidator()(row.username)
            if len(row.username) > 150:
                raise ValidationError("too long")
        except ValidationError:
            message = _("登录账号只能包含字母、数字和 @ . + - _，不超过 150 个字符。")
            errors.append(RowError(row.row, "登录账号", message))
    if len(row.position) > 100:
        errors.append(RowError(row.row, "职务", _("职务不能超过 100 字。")))
    try:
        services.normalise_phone(row.phone)
    except ValidationError as exc:
        errors.append(RowError(row.row, "手机号", " ".join(exc.messages)))
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            errors.append(RowError(row.row, "电子邮箱", _("电子邮箱格式不正确。")))
    return errors


def prepare_people(
    rows: Sequence[PersonRow], units: dict[int, Unit]
) -> list[tuple[User, Unit, str]]:
    """Each validated row as an unsaved account (pinyin, normalised phone, no usable password)
    with its unit and position: all the per-row work, done before the write begins."""
    return [
        (
            services.new_person(
                username=row.username,
                name=row.name,
                phone=row.phone,
                email=row.email,
                id_number=row.id_number,
            ),
            units[index],
            row.position,
        )
        for index, row in enumerate(rows)
    ]


def apply_people(
    *, actor, rows: Sequence[PersonRow], units: dict[int, Unit], filename: str = ""
) -> list[User]:
    """Prepare every account outside any transaction, then save them all in one short write
    (bulk inserts and one audit event: services.create_people); all or nothing."""
    posts = prepare_people(rows, units)
    try:
        return services.create_people(actor=actor, posts=posts, filename=filename)
    except services.UsernameTaken as exc:  # registered since validation: nothing was saved
        row = next(row for row in rows if row.username.lower() == exc.username.lower())
        raise RowFailed(RowError(row.row, "登录账号", " ".join(exc.messages))) from exc


def import_people(
    *, actor, data: bytes, filename: str = "", confirm_warnings: bool = False
) -> ImportResult:
    """parse → validate every row → apply all accounts or none."""
    if not has_perm(actor, "person.manage"):
        raise PermissionDenied
    rows, errors, examples = parse_people(data)
    if errors or not rows:
        return ImportResult(errors=errors, examples=examples)
    errors, units = validate_people(actor, rows)
    if errors:
        return ImportResult(errors=errors, examples=examples)
    try:
        created = apply_people(actor=actor, rows=rows, units=units, filename=filename)
    except RowFailed as exc:
        return ImportResult(errors=[exc.error], examples=examples)
    return ImportResult(created=created, examples=examples)
