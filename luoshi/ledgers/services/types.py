"""Activity types (the office, `ledger.configure`): their fields, and the cleaning of the extra
field values an activity gives for them."""

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.campaigns.models import Campaign, Track
from luoshi.org.access import require_perm, units_for_picker, visible_people

from ..access import recording_units
from ..models import ActivityType, Category, FieldKind

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
TYPE_FIELDS = (
    "name",
    "category",
    "campaign",
    "track",
    "takes_attendance",
    "takes_checkin",
    "records_hours",
    "has_venue_category",
    "has_audience",
    "is_personal",
    "fields",
    "description",
    "sort_order",
    "is_active",
)


# --- Activity types -----------------------------------------------------------------------------


def clean_field_definitions(fields: Any) -> list[dict[str, Any]]:
    """The type's extra field definitions, normalised; ValidationError (Chinese) when malformed."""
    if fields in (None, ""):
        return []
    if not isinstance(fields, list):
        raise ValidationError({"fields": _("自定义字段须是字段定义的列表。")})
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    kinds = set(FieldKind.values)
    for number, item in enumerate(fields, start=1):
        if not isinstance(item, dict):
            errors.append(_("第 %(n)d 个字段的定义格式不正确。") % {"n": number})
            continue
        key = str(item.get("key") or "").strip()
        label = str(item.get("label") or "").strip()
        kind = str(item.get("kind") or "").strip()
        kind = _kind_code(kind)
        if not KEY_RE.match(key):
            errors.append(
                _(
                    "第 %(n)d 个字段的标识“%(key)s”无效：须以小写字母开头，只含小写字母、数字和下划线。"
                )
                % {"n": number, "key": key}
            )
        elif key in seen:
            errors.append(_("字段标识“%(key)s”重复。") % {"key": key})
        seen.add(key)
        if not label:
            errors.append(_("第 %(n)d 个字段缺少名称。") % {"n": number})
        if kind not in kinds:
            errors.append(
                _("第 %(n)d 个字段的类型“%(kind)s”无效，可选：%(kinds)s。")
                % {"n": number, "kind": kind, "kinds": kind_labels()}
            )
        choices: list[str] = []
        if kind == FieldKind.CHOICE:
            raw = item.get("choices") or []
            if isinstance(raw, str):
                raw = re.split(r"[,，、\n]", raw)
            choices = [str(choice).strip() for choice in raw if str(choice).strip()]
            if not choices:
                errors.append(_("选项字段“%(label)s”至少需要一个选项。") % {"label": label or key})
            elif len(set(choices)) != len(choices):
                errors.append(_("选项字段“%(label)s”的选项有重复。") % {"label": label or key})
        cleaned.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "required": bool(item.get("required")),
                "choices": choices,
            }
        )
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


def kinds_sorted() -> list[str]:
    return [str(value) for value in FieldKind.values]


def _kind_code(kind: str) -> str:
    """A field kind given by its code or by its name (in Chinese or the reader's language)."""
    names = {str(label): value for value, label in FieldKind.choices}
    with translation.override("zh-hans"):
        names |= {str(label): value for value, label in FieldKind.choices}
    return names.get(kind, kind)


def kind_labels() -> str:
    """The field kinds as the reader names them (文本、数字、… or "Text, Number, …")."""
    return str(_("、")).join(str(label) for label in FieldKind.labels)


def _check_type(activity_type: ActivityType) -> None:
    errors: dict[str, str] = {}
    if not activity_type.name:
        errors["name"] = _("请填写活动类型名称。")
    elif ActivityType.objects.filter(name=activity_type.name).exclude(pk=activity_type.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的活动类型。") % {"name": activity_type.name}
    if activity_type.category not in Category.values:
        errors["category"] = _("请选择活动类别。")
    track = activity_type.track
    if track is not None:
        if activity_type.campaign_id is None:
            activity_type.campaign_id = track.campaign_id
        elif track.campaign_id != activity_type.campaign_id:
            errors["track"] = _("所选方向不属于所选专项行动。")
    if activity_type.takes_checkin and not activity_type.takes_attendance:
        errors["takes_checkin"] = _("扫码签到须同时记录参加人员。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_activity_type(
    *,
    actor: User,
    name: str,
    category: str = Category.OTHER,
    campaign: Campaign | None = None,
    track: Track | None = None,
    takes_attendance: bool = True,
    takes_checkin: bool = False,
    records_hours: bool = False,
    has_venue_category: bool = False,
    has_audience: bool = False,
    is_personal: bool = False,
    fields: Any = None,
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> ActivityType:
    """The office configures a new activity type."""
    require_perm(actor, "ledger.configure")
    activity_type = ActivityType(
        name=(name or "").strip(),
        category=category,
        campaign=campaign,
        track=track,
        takes_attendance=takes_attendance,
        takes_checkin=takes_checkin,
        records_hours=records_hours,
        has_venue_category=has_venue_category,
        has_audience=has_audience,
        is_personal=is_personal,
        fields=clean_field_definitions(fields),
        description=description,
        sort_order=sort_order,
        is_active=is_active,
    )
    _check_type(activity_type)
    activity_type.save()
    record_created(actor=actor, obj=activity_type)
    return activity_type


@transaction.atomic
def update_activity_type(
    *, actor: User, activity_type: ActivityType, **values: Any
) -> ActivityType:
    """Change a type. Existing records keep their values; a removed field is no longer shown."""
    require_perm(actor, "ledger.configure")
    unknown = set(values) - set(TYPE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    if "fields" in values:
        values["fields"] = clean_field_definitions(values["fields"])
    names = [f"{key}_id" if key in ("campaign", "track") else key for key in values]
    before = snapshot(activity_type, names)
    for key, value in values.items():
        setattr(activity_type, key, value)
    _check_type(activity_type)
    changes = diff(before, snapshot(activity_type, names))
    if changes:
        activity_type.save()
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=activity_type, changes=changes)
    return activity_type


# --- Extra field values ---------------------------------------------------------------------------


class RecordingLookups:
    """What checking a record looks up about its recorder, loaded once and reused for every row
    of an import (prepare_activity and clean_values take it as `lookups`): the same scopes as
    the one-by-one queries, read as sets of ids. Each set is loaded the first time it is asked
    for, so a type without person fields never loads the people it could name."""

    def __init__(self, actor: User):
        self.actor = actor
        self.checkin_codes_taken: set[str] | None = None  # loaded by records._new_checkin_code

    @cached_property
    def recording_unit_ids(self) -> set[int]:
        return set(recording_units(self.actor).values_list("pk", flat=True))

    @cached_property
    def recordable_people_ids(self) -> set[int]:
        return set(visible_people(self.actor, "ledger.record").values_list("pk", flat=True))

    @cached_property
    def visible_people_ids(self) -> set[int]:
        return set(visible_people(self.actor).values_list("pk", flat=True))

    @cached_property
    def picker_unit_ids(self) -> set[int]:
        return set(units_for_picker(self.actor, "unit.view").values_list("pk", flat=True))


def clean_values(
    *,
    actor: User,
    activity_type: ActivityType,
    values: Mapping[str, Any],
    uploads: Mapping[str, UploadedFile],
    previous: Mapping[str, Any],
    lookups: RecordingLookups | None = None,
) -> tuple[dict[str, Any], dict[str, str], dict[str, UploadedFile]]:
    """(cleaned values, errors by "x_<key>", files still to store) for the type's extra fields.
    With `lookups` (an import's many rows) the scopes are read from its sets, not queried."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    pending: dict[str, UploadedFile] = {}
    for definition in activity_type.fields:
        key, label, kind = definition["key"], definition["label"], definition["kind"]
        name = f"x_{key}"
        if kind == FieldKind.FILE:
            upload = uploads.get(key)
            if upload is not None:
                pending[key] = upload
            elif previous.get(key):
                cleaned[key] = previous[key]
            elif definition.get("required"):
                errors[name] = _("请上传“%(label)s”。") % {"label": label}
            continue
        raw = values.get(key)
        text = "" if raw is None else str(raw).strip()
        if not text:
            if definition.get("required"):
                errors[name] = _("请填写“%(label)s”。") % {"label": label}
            continue
        match kind:
            case FieldKind.TEXT:
                cleaned[key] = text[:2000]
            case FieldKind.NUMBER:
                try:
                    number = Decimal(text)
                    if not number.is_finite():
                        raise InvalidOperation
                except InvalidOperation:
                    errors[name] = _("“%(label)s”须填写数字。") % {"label": label}
                    continue
                cleaned[key] = (
                    int(number) if number == number.to_integral_value() else float(number)
                )
            case FieldKind.DATE:
                try:
                    cleaned[key] = datetime.date.fromisoformat(text).isoformat()
                except ValueError:
                    errors[name] = _("“%(label)s”须填写日期，格式如 2026-03-15。") % {
                        "label": label
                    }
            case FieldKind.CHOICE:
                if text not in definition.get("choices", []):
                    errors[name] = _("“%(label)s”须从选项中选择：%(choices)s。") % {
                        "label": label,
                        "choices": "、".join(definition.get("choices", [])),
                    }
                else:
                    cleaned[key] = text
            case FieldKind.PERSON:
                if not text.isdigit():
                    person_id = None
                elif lookups is not None:
                    person_id = int(text) if int(text) in lookups.visible_people_ids else None
                else:
                    person_id = (
                        visible_people(actor).filter(pk=int(text)).values_list("pk", flat=True)
                    ).first()
                if person_id is None:
                    errors[name] = _("“%(label)s”所选人员不在您的数据范围内。") % {"label": label}
                else:
                    cleaned[key] = person_id
            case FieldKind.UNIT:
                if not text.isdigit():
                    unit_id = None
                elif lookups is not None:
                    unit_id = int(text) if int(text) in lookups.picker_unit_ids else None
                else:
                    unit_id = (
                        units_for_picker(actor, "unit.view")
                        .filter(pk=int(text))
                        .values_list("pk", flat=True)
                        .first()
                    )
                if unit_id is None:
                    errors[name] = _("“%(label)s”所选单位不在您的数据范围内。") % {"label": label}
                else:
                    cleaned[key] = unit_id
    return cleaned, errors, pending
