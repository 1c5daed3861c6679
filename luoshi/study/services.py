"""Writing study data: groups (liaison/office), the reading list and settings (office), reading
records and essays (through the ledger's record_activity), and rating essays 优秀 (liaison).

Every write takes the acting person, checks the permission, validates everything before saving
anything, and writes the audit log in the same transaction.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.campaigns.models import Campaign
from luoshi.ledgers.access import recording_units
from luoshi.ledgers.models import Activity, ActivityType, FieldKind
from luoshi.ledgers.services import record_activity
from luoshi.org.access import require_perm, visible_people
from luoshi.org.models import Membership, Unit

from .access import can_commend, can_configure_campaign, can_manage_groups, essay_type_ids
from .models import GroupMember, Reading, StudyGroup, StudySettings

YES, NO = "是", "否"  # the choices of the demo's "指定读本" field, stored as configured


# --- Study groups ---------------------------------------------------------------------------------


def _check_group(
    *, actor: User, group: StudyGroup, leaders: Sequence[User], members: Sequence[User]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    group.name = (group.name or "").strip()
    if not group.name:
        errors["name"] = _("请填写学习小组名称。")
    elif StudyGroup.objects.filter(unit=group.unit, name=group.name).exclude(pk=group.pk).exists():
        errors["name"] = _("本单位已有名为“%(name)s”的学习小组。") % {"name": group.name}
    ids = {person.pk for person in [*leaders, *members]}
    reachable = set(visible_people(actor).filter(pk__in=ids).values_list("pk", flat=True))
    outside = [p.name or p.username for p in [*leaders, *members] if p.pk not in reachable]
    if outside:
        errors["members"] = _("以下人员不在您的数据范围内：%(names)s。") % {
            "names": "、".join(dict.fromkeys(outside))
        }
    return errors


def _member_names(group: StudyGroup) -> list[str]:
    return [
        f"{m.person.name or m.person.username}（{m.get_role_display()}）"
        for m in group.members.select_related("person").order_by("role", "person__pinyin")
    ]


def _set_members(group: StudyGroup, leaders: Sequence[User], members: Sequence[User]) -> None:
    roles: dict[int, str] = {person.pk: GroupMember.Role.MEMBER for person in members}
    roles |= {person.pk: GroupMember.Role.LEADER for person in leaders}
    group.members.exclude(person_id__in=roles).delete()
    current = {m.person_id: m for m in group.members.all()}
    for person_id, role in roles.items():
        member = current.get(person_id)
        if member is None:
            GroupMember.objects.create(group=group, person_id=person_id, role=role)
        elif member.role != role:
            member.role = role
            member.save(update_fields=["role"])


@transaction.atomic
def create_group(
    *,
    actor: User,
    unit: Unit | None,
    name: str,
    description: str = "",
    leaders: Sequence[User] = (),
    members: Sequence[User] = (),
) -> StudyGroup:
    """The liaison (or the office) sets up a study group of a unit with its leader and members."""
    require_perm(actor, "ledger.view")
    if unit is None or not can_manage_groups(actor, unit):
        raise ValidationError({"unit": _("请选择您可以管理学习小组的单位。")})
    group = StudyGroup(unit=unit, name=name, description=(description or "").strip())
    errors = _check_group(actor=actor, group=group, leaders=leaders, members=members)
    if errors:
        raise ValidationError(errors)
    group.save()
    _set_members(group, leaders, members)
    record_created(
        actor=actor,
        obj=group,
        note=_("成员：%(names)s") % {"names": "、".join(_member_names(group)) or _("无")},
    )
    return group


@transaction.atomic
def update_group(
    *,
    actor: User,
    group: StudyGroup,
    name: str,
    description: str = "",
    leaders: Sequence[User] = (),
    members: Sequence[User] = (),
) -> StudyGroup:
    """Rename the group and replace its members (audited: before and after)."""
    if not can_manage_groups(actor, group.unit):
        raise PermissionDenied(_("您不能管理此单位的学习小组。"))
    before = snapshot(group, ["name", "description"]) | {"members": _member_names(group)}
    group.name, group.description = name, (description or "").strip()
    errors = _check_group(actor=actor, group=group, leaders=leaders, members=members)
    if errors:
        raise ValidationError(errors)
    group.save(update_fields=["name", "description"])
    _set_members(group, leaders, members)
    after = snapshot(group, ["name", "description"]) | {"members": _member_names(group)}
    changes = diff(before, after)
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=group, changes=changes)
    return group


@transaction.atomic
def delete_group(*, actor: User, group: StudyGroup) -> None:
    """Dissolve a group; its sessions stay in the ledger (they list people, not the group)."""
    if not can_manage_groups(actor, group.unit):
        raise PermissionDenied(_("您不能管理此单位的学习小组。"))
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=group,
        changes={"members": [_member_names(group), None]},
    )
    group.delete()


# --- Reading list and settings (the office) -------------------------------------------------------


def _require_configure(actor: User, campaign: Campaign) -> None:
    require_perm(actor, "ledger.configure")
    if not can_configure_campaign(actor, campaign):
        raise PermissionDenied(_("只有行动办可以维护此专项行动的学习设置。"))


def _check_reading(reading: Reading) -> None:
    reading.title = (reading.title or "").strip().strip("《》")
    reading.author = (reading.author or "").strip()
    if not reading.title:
        raise ValidationError({"title": _("请填写书名。")})
    clash = Reading.objects.filter(campaign=reading.campaign, title=reading.title)
    if clash.exclude(pk=reading.pk).exists():
        raise ValidationError(
            {"title": _("指定读本中已有《%(title)s》。") % {"title": reading.title}}
        )


@transaction.atomic
def add_reading(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    author: str = "",
    note: str = "",
    sort_order: int | None = None,
) -> Reading:
    """The office adds a book to the campaign's designated reading list (at the end by default)."""
    _require_configure(actor, campaign)
    if sort_order is None:
        last = Reading.objects.filter(campaign=campaign).order_by("-sort_order").first()
        sort_order = (last.sort_order + 10) if last else 10
    reading = Reading(
        campaign=campaign, title=title, author=author, note=note or "", sort_order=sort_order
    )
    _check_reading(reading)
    reading.save()
    record_created(actor=actor, obj=reading)
    return reading


@transaction.atomic
def update_reading(
    *, actor: User, reading: Reading, title: str, author: str = "", note: str = "", sort_order: int
) -> Reading:
    _require_configure(actor, reading.campaign)
    names = ["title", "author", "note", "sort_order"]
    before = snapshot(reading, names)
    reading.title, reading.author, reading.note, reading.sort_order = (
        title,
        author,
        note or "",
        sort_order,
    )
    _check_reading(reading)
    changes = diff(before, snapshot(reading, names))
    if changes:
        reading.save(update_fields=names)
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=reading, changes=changes)
    return reading


@transaction.atomic
def delete_reading(*, actor: User, reading: Reading) -> None:
    """Take a book off the list; reading records of it stay (they keep the title)."""
    _require_configure(actor, reading.campaign)
    record(actor=actor, action=AuditEvent.Action.DELETE, obj=reading)
    reading.delete()


@transaction.atomic
def set_study_settings(
    *,
    actor: User,
    campaign: Campaign,
    reading_type: ActivityType | None,
    essay_type: ActivityType | None,
) -> StudySettings:
    """Name the campaign's reading and essay types (personal types, and not the same one)."""
    _require_configure(actor, campaign)
    errors: dict[str, str] = {}
    for key, activity_type in (("reading_type", reading_type), ("essay_type", essay_type)):
        if activity_type is not None and not activity_type.is_personal:
            errors[key] = _("“%(name)s”不是个人记录类型。") % {"name": activity_type.name}
    if reading_type is not None and reading_type == essay_type:
        errors["essay_type"] = _("读书记录和心得体会须是两个不同的活动类型。")
    if errors:
        raise ValidationError(errors)
    settings, created = StudySettings.objects.get_or_create(campaign=campaign)
    names = ["reading_type_id", "essay_type_id"]
    before = snapshot(settings, names)
    settings.reading_type, settings.essay_type = reading_type, essay_type
    changes = diff(before, snapshot(settings, names))
    if changes or created:
        settings.save()
        record(
            actor=actor,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            obj=settings,
            changes=changes,
        )
    return settings


# --- Reading records and essays (ledger activities) ----------------------------------------------


def settings_for(campaign: Campaign | None) -> StudySettings | None:
    if campaign is None:
        return None
    return (
        StudySettings.objects.select_related("reading_type", "essay_type")
        .filter(campaign=campaign)
        .first()
    )


def home_unit(actor: User, person: User) -> Unit | None:
    """The unit a personal record of `person` is recorded for: their primary post first, among
    the units `actor` may record for."""
    units = recording_units(actor)
    membership = (
        Membership.objects.filter(person=person, unit__in=units)
        .select_related("unit")
        .order_by("-is_primary", "sort_order", "id")
        .first()
    )
    return membership.unit if membership else None


def _moment(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _field_keys(activity_type: ActivityType) -> dict[str, dict]:
    return {definition["key"]: definition for definition in activity_type.fields}


@transaction.atomic
def record_reading(
    *,
    actor: User,
    campaign: Campaign,
    finished_on: datetime.date | None,
    reading: Reading | None = None,
    title: str = "",
    author: str = "",
    notes: str = "",
    person: User | None = None,
) -> Activity:
    """A book read: a record of the campaign's reading type for `person` (the actor by default),
    on the day it was finished; a book of the list is marked as a designated reading."""
    settings = settings_for(campaign)
    if settings is None or settings.reading_type is None:
        raise ValidationError({"type": _("行动办尚未设置读书记录的活动类型。")})
    activity_type = settings.reading_type
    if reading is not None:
        if reading.campaign_id != campaign.pk:
            raise ValidationError({"reading": _("所选书目不在本专项行动的指定读本中。")})
        title, author = reading.title, author or reading.author
    title = (title or "").strip().strip("《》")
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("请从指定读本中选择，或填写书名。")
    if finished_on is None:
        errors["finished_on"] = _("请填写读完的日期。")
    elif finished_on > timezone.localdate():
        errors["finished_on"] = _("读完的日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    designated = (
        reading is not None or Reading.objects.filter(campaign=campaign, title=title).exists()
    )
    keys = _field_keys(activity_type)
    values: dict[str, str] = {}
    if "book" in keys:
        values["book"] = title
    if "author" in keys and author:
        values["author"] = author.strip()
    if "designated" in keys:
        values["designated"] = YES if designated else NO
    person = person or actor
    return record_activity(
        actor=actor,
        activity_type=activity_type,
        unit=home_unit(actor, person),
        title=f"《{title}》",
        starts_at=_moment(finished_on),
        values=values,
        notes=notes,
        campaigns=[campaign],
        participants=[person],
    )


@transaction.atomic
def write_essay(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    written_on: datetime.date | None,
    text: str = "",
    manuscript: UploadedFile | None = None,
    person: User | None = None,
) -> Activity:
    """A reflection essay (心得体会): title, and its text or a file (a Word/PDF manuscript)."""
    settings = settings_for(campaign)
    if settings is None or settings.essay_type is None:
        raise ValidationError({"type": _("行动办尚未设置心得体会的活动类型。")})
    activity_type = settings.essay_type
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("请填写心得体会的题目。")
    if not (text or "").strip() and manuscript is None:
        errors["text"] = _("请填写正文，或上传文稿。")
    if errors:
        raise ValidationError(errors)
    file_key = next((d["key"] for d in activity_type.fields if d["kind"] == FieldKind.FILE), None)
    value_files = {file_key: manuscript} if manuscript is not None and file_key else {}
    uploads = [manuscript] if manuscript is not None and not file_key else []
    person = person or actor
    return record_activity(
        actor=actor,
        activity_type=activity_type,
        unit=home_unit(actor, person),
        title=title.strip(),
        starts_at=_moment(written_on or timezone.localdate()),
        notes=(text or "").strip(),
        value_files=value_files,
        uploads=uploads,
        campaigns=[campaign],
        participants=[person],
    )


def _check_commend(actor: User, activity: Activity) -> None:
    require_perm(actor, "ledger.record")
    if activity.type_id not in essay_type_ids():
        raise ValidationError(_("只有心得体会可以评为优秀。"))
    if not can_commend(actor, activity):
        raise PermissionDenied(_("只有本单位联络员可以将心得体会评为优秀。"))


@transaction.atomic
def commend_essay(*, actor: User, activity: Activity) -> Activity:
    """The liaison rates an essay 优秀 (again: nothing changes)."""
    _check_commend(actor, activity)
    if activity.commended_at is not None:
        return activity
    activity.commended_at, activity.commended_by = timezone.now(), actor
    activity.save(update_fields=["commended_at", "commended_by"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        verb="commend",
        changes={"commended_at": [None, activity.commended_at]},
        note=_("评为优秀心得体会"),
    )
    return activity


@transaction.atomic
def uncommend_essay(*, actor: User, activity: Activity) -> Activity:
    """Withdraw the 优秀 rating."""
    _check_commend(actor, activity)
    if activity.commended_at is None:
        return activity
    before = activity.commended_at
    activity.commended_at, activity.commended_by = None, None
    activity.save(update_fields=["commended_at", "commended_by"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        verb="uncommend",
        changes={"commended_at": [before, None]},
        note=_("取消优秀心得体会"),
    )
    return activity
