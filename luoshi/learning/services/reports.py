"""Writing the reports of platform figures: the monthly summaries the job stores, the compliance
settings (each change with its reason), the half-year notices with their Word document and read
receipts, and the office's notice template."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.files.services import store_upload
from luoshi.lib.docx import DOCX_TYPE
from luoshi.org.access import require_perm
from luoshi.org.models import Membership, Role, Unit

from .. import documents, selectors
from ..models import (
    HalfYearNotice,
    LearningSettings,
    MonthlySummary,
    NoticeReceipt,
    NoticeTemplate,
    Platform,
    PointImport,
    SettingChange,
)

# --- The monthly summary (一月一汇总) ---------------------------------------------------------------


def _liaisons_in(root: Unit) -> list[User]:
    return list(
        User.objects.filter(
            role_grants__role=Role.LIAISON,
            role_grants__unit__path__startswith=root.path,
            is_active=True,
            deleted_at__isnull=True,
        ).distinct()
    )


@transaction.atomic
def store_monthly_summary(*, platform: str, month: datetime.date, root: Unit) -> MonthlySummary:
    """Compute and keep the month's figures of every unit of `root`'s tree, and the ranking of
    every person as a file of columns (see selectors.RankingFile); a previous ranking file of
    the same summary is deleted once the new one is committed."""
    data = selectors.summary_payload(platform, month, root)
    columns = selectors.ranking_columns(platform, month, root)
    count = len(columns["ids"])
    name = default_storage.save(
        f"learning/rankings/{platform}-{root.pk}-{month:%Y%m}.bin",
        ContentFile(selectors.RankingFile.content(columns)),
    )
    data["ranking"] = {"file": name, "count": count}
    old = (
        MonthlySummary.objects.filter(platform=platform, unit=root, month=month)
        .values_list("data__ranking", flat=True)
        .first()
    )
    summary, _created = MonthlySummary.objects.update_or_create(
        platform=platform,
        unit=root,
        month=month,
        defaults={"data": data, "generated_at": timezone.now()},
    )
    if old and old.get("file") and old["file"] != name:
        transaction.on_commit(lambda: default_storage.delete(old["file"]))
    return summary


def generate_monthly_summaries(
    *, month: datetime.date, notify_liaisons: bool = True
) -> list[MonthlySummary]:
    """The job of the 1st: store the summary of `month` for every tree and platform with
    confirmed imports in it, and tell the liaisons of each tree where to read it."""
    month = selectors.month_start(month)
    platforms = set(
        PointImport.objects.filter(
            status=PointImport.Status.CONFIRMED,
            period_start__gte=month,
            period_start__lt=selectors.next_month(month),
        ).values_list("platform", flat=True)
    )
    summaries = []
    for root in Unit.objects.alive().filter(parent__isnull=True).order_by("sort_order", "id"):
        for platform in sorted(platforms):
            with transaction.atomic():
                summary = store_monthly_summary(platform=platform, month=month, root=root)
                record(
                    actor=None,
                    action=AuditEvent.Action.CREATE,
                    obj=summary,
                    verb="generate_summary",
                    note=_("自动生成%(month)s%(platform)s月度汇总")
                    % {"month": f"{month:%Y-%m}", "platform": Platform(platform).label},
                )
                if notify_liaisons and summary.data.get("units"):
                    url = reverse("learning:summary") + f"?month={month:%Y-%m}&platform={platform}"
                    notify(
                        recipients=_liaisons_in(root),
                        title=_("%(month)s%(platform)s学习情况月度汇总已生成")
                        % {
                            "month": f"{month.year}年{month.month}月",
                            "platform": Platform(platform).label,
                        },
                        body=_("请查看本单位的注册、活跃和人均情况，低于提醒线的单位请及时督促。"),
                        url=url,
                    )
            summaries.append(summary)
    return summaries


def refresh_after_import(*, platform: str, period_start: datetime.date) -> list[MonthlySummary]:
    """After an import is confirmed or undone, store its month's summaries again (or for the
    first time: exports of a month usually arrive after the job of the 1st has run). Until
    this has run the pages count live, which is correct but slower at provincial scale."""
    month = selectors.month_start(period_start)
    return [
        store_monthly_summary(platform=platform, month=month, root=root)
        for root in Unit.objects.alive().filter(parent__isnull=True).order_by("sort_order", "id")
    ]


# --- Compliance settings ----------------------------------------------------------------------------

SETTING_FIELDS = [
    "person_ranking_visibility",
    "publish_unit_figures",
    "commend_top_learners",
    "commend_count",
    "remind_units",
    "use_in_assessment",
    "active_points",
    "active_hours",
    "registration_rate_threshold",
    "active_rate_threshold",
]


def display_value(rules: LearningSettings, name: str) -> str:
    """A setting's value as the page and the change log show it."""
    value = getattr(rules, name)
    if name == "person_ranking_visibility":
        return str(LearningSettings.RankingVisibility(value).label)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal | float):
        return selectors._number(value)
    return str(value)


def setting_field(name: str) -> models.Field:
    """The model field of a setting (every setting is a plain field)."""
    return cast(models.Field, LearningSettings._meta.get_field(name))


def _normalise(name: str, value: Any) -> Any:
    field = setting_field(name)
    try:
        return field.to_python(value)
    except (ValidationError, InvalidOperation) as exc:
        raise ValidationError({name: _("“%(value)s”不是有效的值。") % {"value": value}}) from exc


@transaction.atomic
def change_settings(
    *, actor: User, unit: Unit, values: dict[str, Any], reason: str
) -> list[SettingChange]:
    """Change the settings of `unit` (and the units below without their own). Every changed
    setting is recorded with the reason, which the settings page shows beside it."""
    require_perm(actor, "learning.configure", unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写变更理由：每项设置的变更都须说明理由。")})
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError(_("未知的设置项：%(names)s") % {"names": "、".join(sorted(unknown))})
    rules = LearningSettings.objects.select_for_update().filter(unit=unit).first()
    if rules is None:
        # A unit's first own settings start from what it inherited, so only what the office
        # changes differs from the unit above.
        inherited = selectors.settings_for(unit)
        rules = LearningSettings(unit=unit)
        for name in SETTING_FIELDS:
            setattr(rules, name, getattr(inherited, name))
    before = {name: display_value(rules, name) for name in SETTING_FIELDS}
    changed = []
    for name, raw in values.items():
        value = _normalise(name, raw)
        if value != getattr(rules, name):
            setattr(rules, name, value)
            changed.append(name)
    if not changed:
        raise ValidationError(_("设置没有变化，无需保存。"))
    rules.full_clean(exclude=["unit"])
    rules.updated_at = timezone.now()
    rules.save()
    changes = SettingChange.objects.bulk_create(
        SettingChange(
            rules=rules,
            field=name,
            old_value=before[name][:100],
            new_value=display_value(rules, name)[:100],
            reason=reason,
            changed_by=actor,
            changed_at=rules.updated_at,
        )
        for name in changed
    )
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=rules,
        verb="change_settings",
        changes={
            str(setting_field(name).verbose_name): [
                before[name],
                display_value(rules, name),
            ]
            for name in changed
        },
        note=reason,
    )
    return changes


# --- The half-year notice (半年一通报) -------------------------------------------------------------


def current_template(unit: Unit) -> NoticeTemplate | None:
    """The latest template uploaded for `unit` or the nearest unit above it."""
    ids = selectors.path_ids(unit)
    templates = {
        template.unit_id: template
        for template in NoticeTemplate.objects.filter(unit_id__in=ids)
        .select_related("attachment")
        .order_by("uploaded_at", "id")
    }
    for unit_id in reversed(ids):
        if unit_id in templates:
            return templates[unit_id]
    return None


def template_bytes(unit: Unit) -> bytes:
    template = current_template(unit)
    if template is None:
        return documents.default_template()
    with template.attachment.file.open("rb") as handle:
        return handle.read()


@transaction.atomic
def upload_notice_template(*, actor: User, unit: Unit, upload: UploadedFile) -> NoticeTemplate:
    """Keep the office's edited template; it must be a .docx that still has placeholders."""
    require_perm(actor, "learning.configure", unit)
    name = upload.name or ""
    if not name.lower().endswith(".docx"):
        raise ValidationError(
            {"file": _("请上传 Word（.docx）格式的模板；WPS 请另存为 .docx 后上传。")}
        )
    data = upload.read()
    upload.seek(0)
    try:
        found = documents.placeholders_in(data)
    except Exception as exc:  # python-docx raises several kinds on a broken file
        raise ValidationError({"file": _("无法打开该 Word 文件，请检查后重新上传。")}) from exc
    known = set(documents.PLACEHOLDERS) | set(documents.TABLES)
    if not found & known:
        raise ValidationError(
            {"file": _("模板中没有找到任何占位符（如 {{标题}}），请按页面说明保留占位符。")}
        )
    unknown = found - known
    if unknown:
        raise ValidationError(
            {
                "file": _("模板中有无法识别的占位符：%(names)s。")
                % {"names": "、".join("{{" + name + "}}" for name in sorted(unknown))}
            }
        )
    template = NoticeTemplate(unit=unit, uploaded_by=actor, uploaded_at=timezone.now())
    template.attachment = store_upload(actor=actor, upload=upload)
    template.save()
    template.attachment.owner = template
    template.attachment.save(update_fields=["owner_type", "owner_id"])
    record_created(actor=actor, obj=template, verb="upload_notice_template")
    return template


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_content(notice: HalfYearNotice) -> documents.NoticeContent:
    """The values and tables of a notice's document, from the data kept with it."""
    data = notice.data
    label = selectors.unit_label(notice.platform)
    platform = Platform(notice.platform).label
    half = _("上半年") if notice.half == 1 else _("下半年")
    units = data.get("units", [])
    totals = data.get("totals", {})
    opening = _(
        "为深入推进全员大学习，按照“半年一通报、一月一汇总”的要求，现将%(year)s年%(half)s"
        "各单位%(platform)s学习情况通报如下。本期共统计 %(units)d 个单位、应注册 %(headcount)d 人，"
        "已注册 %(registered)d 人，注册率 %(rate)s%%。"
    ) % {
        "year": notice.year,
        "half": half,
        "platform": platform,
        "units": len(units),
        "headcount": totals.get("headcount", 0),
        "registered": totals.get("registered", 0),
        "rate": totals.get("registration_rate", 0),
    }
    values = {
        "标题": notice.title,
        "文号": notice.number,
        "主送": notice.recipients.rstrip("：:") + "：",
        "正文": "\n".join(part for part in [opening, data.get("body", "")] if part),
        "表扬单位": (
            _("对学习成效突出的%(units)s等单位予以通报表扬。")
            % {"units": "、".join(data.get("commended_units", []))}
            if data.get("commended_units")
            else ""
        ),
        "表扬个人": (
            _("对%(people)s等同志予以通报表扬。")
            % {
                "people": "、".join(
                    f"{person['name']}（{person['unit']}）"
                    for person in data.get("commended_people", [])
                )
            }
            if data.get("commended_people")
            else ""
        ),
        "提醒单位": (
            _("三、提醒\n%(units)s等单位注册率或活跃率低于规定标准，请认真分析原因，抓好落实。")
            % {"units": "、".join(item["unit"] for item in data.get("reminded_units", []))}
            if data.get("reminded_units")
            else ""
        ),
        "结束语": data.get("closing", ""),
        "落款": data.get("signature", ""),
        "日期": _chinese_date(notice.issued_at.date()),
    }
    tables = {
        "单位数据表": documents.Table(
            headers=[
                _("名次"),
                _("单位"),
                _("应注册人数"),
                _("已注册"),
                _("注册率（%）"),
                _("平均活跃率（%）"),
                _("合计%(unit)s") % {"unit": label},
                _("人均%(unit)s") % {"unit": label},
            ],
            rows=[
                [
                    item["rank"] or "—",
                    item["unit"],
                    item["headcount"],
                    item["registered"],
                    item["registration_rate"],
                    item["active_rate"],
                    item["value"],
                    item["per_person"],
                ]
                for item in units
            ],
        ),
        "表扬个人表": documents.Table(
            headers=[_("序号"), _("姓名"), _("单位"), _("合计%(unit)s") % {"unit": label}],
            rows=[
                [index, person["name"], person["unit"], person["value"]]
                for index, person in enumerate(data.get("commended_people", []), start=1)
            ],
        ),
    }
    return documents.NoticeContent(values=values, tables=tables)


@transaction.atomic
def issue_notice(
    *,
    actor: User,
    unit: Unit,
    platform: str,
    year: int,
    half: int,
    number: str,
    title: str,
    recipients: str,
    body: str = "",
    closing: str = "",
    signature: str = "",
    confirm_missing: bool = False,
) -> HalfYearNotice:
    """Compute the half-year's figures of `unit`'s subtree, write the Word notice from the
    current template, and open a read receipt for every unit in the table.

    The notice keeps what it stood on (`data`: the table with each unit's headcount, the roster
    behind the headcounts, the imports counted) and is never recomputed. When units of the tree
    have no figures for the half's last month, issuing needs `confirm_missing` (the error, code
    "missing_month", names them)."""
    require_perm(actor, "learning.configure", unit)
    errors = {}
    if half not in (1, 2):
        errors["half"] = _("请选择上半年或下半年。")
    if not (number or "").strip():
        errors["number"] = _("请填写文号。")
    if not (title or "").strip():
        errors["title"] = _("请填写标题。")
    if not (recipients or "").strip():
        errors["recipients"] = _("请填写主送单位。")
    if platform not in Platform.values:
        errors["platform"] = _("请选择平台。")
    if errors:
        raise ValidationError(errors)
    data = selectors.half_year_figures(unit, platform, year, half)
    if not data["units"]:
        raise ValidationError(_("所选范围内没有单位数据，无法生成通报。"))
    missing = selectors.units_without_last_month(unit, platform, year, half)
    if missing and not confirm_missing:
        last = selectors.half_months(year, half)[-1]
        raise ValidationError(
            _(
                "%(month)s尚未导入以下%(n)d个单位的数据：%(units)s。现在印发，通报将按没有"
                "%(month)s数据计算；如确认印发，请勾选“仍然印发”。"
            )
            % {
                "month": f"{last.year}年{last.month}月",
                "n": len(missing),
                "units": "、".join(missing[:20]) + ("等" if len(missing) > 20 else ""),
            },
            code="missing_month",
        )
    data["missing_last_month"] = missing
    data["roster"] = selectors.roster(unit)
    data["inputs"] = selectors.half_inputs(platform, year, half)
    table = data["units"]
    headcount = sum(item["headcount"] for item in table)
    registered = sum(item["registered"] for item in table)
    data["totals"] = {
        "headcount": headcount,
        "registered": registered,
        "registration_rate": selectors._rate(registered, headcount),
    }
    data["body"] = body.strip()
    data["closing"] = closing.strip() or _(
        "希望受表扬的单位和个人再接再厉，各单位要以先进为榜样，比学赶超，推动全员大学习走深走实。"
    )
    data["signature"] = signature.strip() or unit.name
    notice = HalfYearNotice.objects.create(
        platform=platform,
        unit=unit,
        year=year,
        half=half,
        number=number.strip(),
        title=title.strip(),
        recipients=recipients.strip(),
        data=data,
        issued_by=actor,
        issued_at=timezone.now(),
    )
    content = documents.render(template_bytes(unit), notice_content(notice))
    upload = SimpleUploadedFile(f"{notice.title}.docx", content, DOCX_TYPE)
    notice.document = store_upload(actor=actor, upload=upload, owner=notice)
    notice.save(update_fields=["document"])
    NoticeReceipt.objects.bulk_create(
        NoticeReceipt(notice=notice, unit_id=item["unit_id"]) for item in table
    )
    record_created(actor=actor, obj=notice, verb="issue_notice")
    transaction.on_commit(lambda: _notify_notice(notice))
    return notice


def _notify_notice(notice: HalfYearNotice) -> None:
    notify(
        recipients=_liaisons_in(notice.unit),
        title=_("新通报：%(title)s") % {"title": notice.title},
        body=_("请组织本单位干部职工阅读，首位阅读人将为本单位签收。"),
        url=reverse("learning:notice-detail", args=[notice.pk]),
    )


def mark_notice_read(*, actor: User, notice: HalfYearNotice) -> int:
    """The first reader of each unit marks the unit's receipt read (later readers change
    nothing). Returns how many receipts this reading signed."""
    unit_ids = Membership.objects.filter(person=actor).values("unit_id")
    with transaction.atomic():
        signed = NoticeReceipt.objects.filter(
            notice=notice, unit_id__in=unit_ids, read_at__isnull=True
        ).update(read_by=actor, read_at=timezone.now())
    return signed
