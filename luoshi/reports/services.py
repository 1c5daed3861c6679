"""Configuring briefing templates (the campaign office, `ledger.configure`).

Every write checks the permission, validates everything (Chinese messages by field) before
saving anything, and writes the audit log in the same transaction.
"""

import datetime
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.ledgers.models import ActivityType, FieldKind
from luoshi.org.access import require_perm, scope_for
from luoshi.org.models import Unit

from .models import (
    ACTIVITY_METRICS,
    LISTING_METRICS,
    BriefingLine,
    BriefingSection,
    BriefingTemplate,
    IssuedBriefing,
    Metric,
    Rounding,
)

PERM = "ledger.configure"
BRACE_RE = re.compile(r"\{[^{}]*\}|[{}]")
ALLOWED = {"{n}", "{places}", "{unit}"}
NEEDS_TYPE = {Metric.ACTIVITIES, Metric.COMMENDED, Metric.DISTINCT, Metric.COVERAGE}
TEMPLATE_FIELDS = ("name", "kind", "title", "intro", "signature", "is_active")
SECTION_FIELDS = ("order", "level", "heading", "intro", "unit", "empty_text")
LINE_FIELDS = (
    "order",
    "metric",
    "activity_type",
    "field_key",
    "field_value",
    "distinct_key",
    "pattern",
    "rounding",
    "empty_text",
)


# --- Validation -----------------------------------------------------------------------------------


def pattern_errors(pattern: str, metric: str) -> list[str]:
    """What is wrong with a sentence pattern for `metric` (empty: nothing)."""
    pattern = pattern or ""
    if not pattern.strip():
        return [_("请填写句式。")]
    errors: list[str] = []
    unknown = [token for token in BRACE_RE.findall(pattern) if token not in ALLOWED]
    if unknown:
        errors.append(
            _(
                "句式中的“%(token)s”无法识别：只能使用 {n}（数字）、{places}（地点、名称）和 {unit}（单位名称）。"
            )
            % {"token": unknown[0]}
        )
    n, places = pattern.count("{n}"), pattern.count("{places}")
    if metric == Metric.COVERAGE:
        if places != 1:
            errors.append(_("宣讲覆盖的句式须包含一个 {places}，表示按场所类别列出的地点。"))
        if n > 1:
            errors.append(_("句式中 {n} 只能出现一次。"))
    elif metric in LISTING_METRICS:
        if n + places == 0:
            errors.append(_("句式须包含 {n}（数字）或 {places}（名称），或两者都有。"))
        if n > 1 or places > 1:
            errors.append(_("句式中 {n} 和 {places} 各只能出现一次。"))
    else:
        if n != 1:
            errors.append(_("句式须包含一个 {n}，表示数字的位置，例如“开展学习会{n}次”。"))
        if places:
            errors.append(
                _(
                    "只有列出名称的统计内容（宣讲覆盖、红色资源、线路、展览、发稿、志愿服务）可以使用 {places}。"
                )
            )
    return errors


def _field_of(activity_type: ActivityType, key: str) -> dict[str, Any] | None:
    return next((d for d in activity_type.fields if d["key"] == key), None)


def line_errors(line: BriefingLine) -> dict[str, list[str]]:
    """Every problem of a line, by form field (Chinese)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if line.metric not in Metric.values:
        add("metric", _("请选择统计内容。"))
    if line.rounding not in Rounding.values:
        add("rounding", _("请选择数字写法。"))
    if BRACE_RE.findall(line.empty_text or "") and set(BRACE_RE.findall(line.empty_text)) - {
        "{unit}"
    }:
        add("empty_text", _("为零时的写法只能使用 {unit}，不能含数字。"))
    for message in pattern_errors(line.pattern, line.metric):
        add("pattern", message)
    activity_type = line.activity_type if line.activity_type_id else None
    if line.metric in Metric.values and line.metric not in ACTIVITY_METRICS:
        if activity_type is not None or line.field_key or line.distinct_key:
            add(
                "activity_type",
                _("“%(metric)s”不按活动类型统计，请不要选择活动类型或筛选字段。")
                % {"metric": line.get_metric_display()},
            )
        return errors
    if activity_type is None:
        if line.metric in NEEDS_TYPE:
            add(
                "activity_type",
                _("“%(metric)s”须选择活动类型。") % {"metric": line.get_metric_display()},
            )
        if line.field_key or line.distinct_key:
            add("field_key", _("按字段筛选或计数须先选择活动类型。"))
        return errors
    if line.metric == Metric.COVERAGE and not activity_type.has_venue_category:
        add(
            "activity_type",
            _("活动类型“%(type)s”不区分场所类别，不能统计宣讲覆盖。")
            % {"type": activity_type.name},
        )
    if line.field_key:
        definition = _field_of(activity_type, line.field_key)
        if definition is None:
            add(
                "field_key",
                _("活动类型“%(type)s”没有标识为“%(key)s”的字段。")
                % {"type": activity_type.name, "key": line.field_key},
            )
        elif not line.field_value:
            add("field_value", _("请填写筛选取值。"))
        elif definition["kind"] == FieldKind.CHOICE and line.field_value not in definition.get(
            "choices", []
        ):
            add(
                "field_value",
                _("“%(label)s”的取值须是：%(choices)s。")
                % {"label": definition["label"], "choices": "、".join(definition["choices"])},
            )
    elif line.field_value:
        add("field_key", _("填写了筛选取值，请同时填写筛选字段。"))
    if line.metric == Metric.DISTINCT:
        if not line.distinct_key:
            add("distinct_key", _("请填写要统计不同取值的字段（如书名 book）。"))
        elif _field_of(activity_type, line.distinct_key) is None:
            add(
                "distinct_key",
                _("活动类型“%(type)s”没有标识为“%(key)s”的字段。")
                % {"type": activity_type.name, "key": line.distinct_key},
            )
    return errors


def _check_template(template: BriefingTemplate) -> None:
    errors: dict[str, str] = {}
    if not template.name:
        errors["name"] = _("请填写模板名称。")
    elif BriefingTemplate.objects.filter(name=template.name).exclude(pk=template.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的简报模板。") % {"name": template.name}
    if not template.title:
        errors["title"] = _("请填写标题。")
    if template.kind not in BriefingTemplate.Kind.values:
        errors["kind"] = _("请选择简报类别。")
    for name in ("title", "intro"):
        unknown = [t for t in BRACE_RE.findall(getattr(template, name)) if t != "{unit}"]
        if unknown and name not in errors:
            errors[name] = _("“%(token)s”无法识别：这里只能使用 {unit}。") % {"token": unknown[0]}
    if errors:
        raise ValidationError(errors)


def _check_section(actor: User, section: BriefingSection) -> None:
    errors: dict[str, str] = {}
    if section.level not in BriefingSection.Level.values:
        errors["level"] = _("请选择层级。")
    if not section.heading and not section.intro and section.level == 1:
        errors["heading"] = _("一级部分须填写标题。")
    for name in ("heading", "intro", "empty_text"):
        unknown = [t for t in BRACE_RE.findall(getattr(section, name)) if t != "{unit}"]
        if unknown:
            errors[name] = _("“%(token)s”无法识别：这里只能使用 {unit}。") % {"token": unknown[0]}
    if section.unit_id and not scope_for(actor, PERM).contains(section.unit):
        errors["unit"] = _("所选单位不在您的数据范围内。")
    office = section.template.kind == BriefingTemplate.Kind.OFFICE
    if office and section.level == BriefingSection.Level.FIRST and not section.unit_id:
        errors["unit"] = _("汇总简报的每个一级部分写一个单位，请选择本部分的单位。")
    if errors:
        raise ValidationError(errors)


def _audit_update(actor: User, obj, before: dict, names: list[str]) -> None:
    changes = diff(before, snapshot(obj, names))
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=obj, changes=changes)


def _touch(template: BriefingTemplate) -> None:
    template.updated_at = timezone.now()
    template.save(update_fields=["updated_at"])


# --- Templates ------------------------------------------------------------------------------------


@transaction.atomic
def create_template(
    *,
    actor: User,
    name: str,
    title: str,
    kind: str = BriefingTemplate.Kind.UNIT,
    intro: str = "",
    signature: str = "",
    is_active: bool = True,
) -> BriefingTemplate:
    """The office sets up a new briefing template (sections and lines are added next)."""
    require_perm(actor, PERM)
    template = BriefingTemplate(
        name=(name or "").strip(),
        kind=kind,
        title=(title or "").strip(),
        intro=(intro or "").strip(),
        signature=(signature or "").strip(),
        is_active=is_active,
    )
    _check_template(template)
    template.save()
    record_created(actor=actor, obj=template)
    return template


@transaction.atomic
def update_template(*, actor: User, template: BriefingTemplate, **values: Any) -> BriefingTemplate:
    require_perm(actor, PERM)
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    names = list(values)
    before = snapshot(template, names)
    for key, value in values.items():
        setattr(template, key, value.strip() if isinstance(value, str) else value)
    _check_template(template)
    template.updated_at = timezone.now()
    template.save()
    _audit_update(actor, template, before, names)
    return template


# --- Sections -------------------------------------------------------------------------------------


@transaction.atomic
def create_section(
    *,
    actor: User,
    template: BriefingTemplate,
    level: int = BriefingSection.Level.SECOND,
    heading: str = "",
    intro: str = "",
    unit: Unit | None = None,
    empty_text: str = "",
    order: int | None = None,
) -> BriefingSection:
    """A new part at the end of the template (or at `order`)."""
    require_perm(actor, PERM)
    if order is None:
        order = (template.sections.aggregate(m=Max("order"))["m"] or 0) + 10
    section = BriefingSection(
        template=template,
        level=level,
        heading=(heading or "").strip(),
        intro=(intro or "").strip(),
        unit=unit,
        empty_text=(empty_text or "").strip(),
        order=order,
    )
    _check_section(actor, section)
    section.save()
    _touch(template)
    record_created(actor=actor, obj=section)
    return section


@transaction.atomic
def update_section(*, actor: User, section: BriefingSection, **values: Any) -> BriefingSection:
    require_perm(actor, PERM)
    unknown = set(values) - set(SECTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    names = [f"{key}_id" if key == "unit" else key for key in values]
    before = snapshot(section, names)
    for key, value in values.items():
        setattr(section, key, value.strip() if isinstance(value, str) else value)
    _check_section(actor, section)
    section.save()
    _touch(section.template)
    _audit_update(actor, section, before, names)
    return section


@transaction.atomic
def delete_section(*, actor: User, section: BriefingSection) -> None:
    """Remove a part and its lines (briefings issued so far keep their own text)."""
    require_perm(actor, PERM)
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=section,
        changes={"lines": [[line.pattern for line in section.lines.all()], None]},
    )
    template = section.template
    section.delete()
    _touch(template)


# --- Lines ----------------------------------------------------------------------------------------


@transaction.atomic
def create_line(
    *,
    actor: User,
    section: BriefingSection,
    metric: str,
    pattern: str,
    activity_type: ActivityType | None = None,
    field_key: str = "",
    field_value: str = "",
    distinct_key: str = "",
    rounding: str = Rounding.EXACT,
    empty_text: str = "",
    order: int | None = None,
) -> BriefingLine:
    """A new counted sentence at the end of the part (or at `order`)."""
    require_perm(actor, PERM)
    if order is None:
        order = (section.lines.aggregate(m=Max("order"))["m"] or 0) + 10
    line = BriefingLine(
        section=section,
        order=order,
        metric=metric,
        activity_type=activity_type,
        field_key=(field_key or "").strip(),
        field_value=(field_value or "").strip(),
        distinct_key=(distinct_key or "").strip(),
        pattern=pattern or "",
        rounding=rounding,
        empty_text=(empty_text or "").strip(),
    )
    errors = line_errors(line)
    if errors:
        raise ValidationError(errors)
    line.save()
    _touch(section.template)
    record_created(actor=actor, obj=line)
    return line


@transaction.atomic
def update_line(*, actor: User, line: BriefingLine, **values: Any) -> BriefingLine:
    require_perm(actor, PERM)
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    names = [f"{key}_id" if key == "activity_type" else key for key in values]
    before = snapshot(line, names)
    for key, value in values.items():
        if isinstance(value, str) and key != "pattern":
            value = value.strip()
        setattr(line, key, value)
    errors = line_errors(line)
    if errors:
        raise ValidationError(errors)
    line.save()
    _touch(line.section.template)
    _audit_update(actor, line, before, names)
    return line


@transaction.atomic
def delete_line(*, actor: User, line: BriefingLine) -> None:
    require_perm(actor, PERM)
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=line,
        changes={"pattern": [line.pattern, None]},
    )
    template = line.section.template
    line.delete()
    _touch(template)


# --- Issuing a briefing ---------------------------------------------------------------------------


@transaction.atomic
def issue_briefing(
    *,
    actor: User,
    template: BriefingTemplate,
    unit: Unit,
    date_from: datetime.date,
    date_to: datetime.date,
) -> IssuedBriefing:
    """Issue (印发) the briefing of `unit` for the period as it reads now: its text and every
    figure are kept and never recounted (the page says "数据已更新" when today's count differs).
    The office or the unit's liaison issues it; the issuer must reach every unit it covers."""
    from .access import can_issue_briefing, check_briefing_readable
    from .selectors import briefing_data, write_briefing

    if not can_issue_briefing(actor, unit):
        raise PermissionDenied(_("您没有印发该单位简报的权限。"))
    if date_to < date_from:
        raise ValidationError({"date_to": _("截止日期不能早于开始日期。")})
    check_briefing_readable(actor, template, unit)
    briefing = write_briefing(template=template, unit=unit, date_from=date_from, date_to=date_to)
    if not briefing.figures:
        raise ValidationError(_("该期间没有可写入简报的数据，无法印发。"))
    issued = IssuedBriefing.objects.create(
        template=template,
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        title=briefing.title,
        data=briefing_data(briefing),
        issued_by=actor,
        issued_at=timezone.now(),
    )
    record_created(actor=actor, obj=issued, verb="issue_briefing")
    return issued
