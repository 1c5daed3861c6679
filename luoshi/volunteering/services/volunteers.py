"""Registering volunteers, the 文明实践 network (中心/所/站) and volunteer teams."""

import re
import secrets
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.org.access import require_perm
from luoshi.org.models import Membership, Unit

from ..access import can_edit_volunteer, can_manage_team, can_manage_unit, forget_own_volunteer
from ..models import (
    IdType,
    PoliticalStatus,
    PracticeUnit,
    Skill,
    Team,
    TeamMember,
    Volunteer,
    mask_name,
)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECKS = "10X98765432"


def valid_resident_id(number: str) -> bool:
    """GB 11643: 17 digits and the ISO 7064 MOD 11-2 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECKS[total % 11] == number[17]


def _normalise(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _identity_errors(
    volunteer: Volunteer, *, real_name: str, phone: str, id_type: str, id_number: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not real_name:
        errors["real_name"] = _("请填写真实姓名。")
    if phone and not MOBILE.match(phone):
        errors["phone"] = _("请填写 11 位手机号码。")
    if id_type not in IdType.values:
        errors["id_type"] = _("请选择证件类型。")
    if not id_number:
        errors["id_number"] = _("请填写证件号码。")
    elif id_type == IdType.RESIDENT and not valid_resident_id(id_number):
        errors["id_number"] = _("居民身份证号码应为 18 位且校验位正确，请核对。")
    elif not re.fullmatch(r"[0-9A-Z()-]{5,30}", id_number):
        errors["id_number"] = _("证件号码只能包含数字和字母（5 至 30 位）。")
    if "id_number" not in errors:
        id_hash = Volunteer._meta.get_field("id_hash").hash_of(id_number)
        if Volunteer.objects.filter(id_hash=id_hash).exclude(pk=volunteer.pk).exists():
            errors["id_number"] = _("该证件号码已注册为志愿者。")
    return errors


def _may_register_at(actor: User, unit: Unit, person: User | None) -> bool:
    """Managers register anyone at their units; a person registers themself at a 文明实践
    所/站 or at one of their own units."""
    if can_manage_unit(actor, unit):
        return True
    if person is None or person.pk != actor.pk:
        return False
    return (
        PracticeUnit.objects.filter(unit=unit).exists()
        or Membership.objects.filter(person=actor, unit=unit).exists()
    )


@transaction.atomic
def register_volunteer(
    *,
    actor: User,
    unit: Unit | None,
    real_name: str,
    id_number: str,
    consent: bool,
    id_type: str = IdType.RESIDENT,
    phone: str = "",
    person: User | None = None,
    political_status: str = PoliticalStatus.MASSES,
    skills: Sequence[Skill] = (),
    areas: str = "",
    availability: str = "",
) -> Volunteer:
    """Register a volunteer at `unit`: oneself (person=actor) or, for a manager of the unit,
    anyone (with or without an account). Consent to the keeping of records is required
    (民政部令第67号 第八条)."""
    errors: dict[str, str] = {}
    if unit is None or not _may_register_at(actor, unit, person):
        errors["unit"] = _("请选择您可以登记志愿者的单位或文明实践所、站。")
    if person is not None and Volunteer.objects.filter(person=person).exists():
        errors["person"] = _("%(name)s 已注册为志愿者。") % {"name": person}
    real_name = (real_name or "").strip()
    phone, id_number = _normalise(phone), _normalise(id_number)
    volunteer = Volunteer()
    errors |= _identity_errors(
        volunteer, real_name=real_name, phone=phone, id_type=id_type, id_number=id_number
    )
    if political_status not in PoliticalStatus.values:
        errors["political_status"] = _("请选择政治面貌。")
    if not consent:
        errors["consent"] = _("请阅读并同意志愿服务记录的保存和使用规则。")
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    volunteer = Volunteer.objects.create(
        person=person,
        unit=unit,
        real_name=real_name,
        masked_name=mask_name(real_name),
        phone=phone,
        id_type=id_type,
        id_number=id_number,
        political_status=political_status,
        areas=(areas or "").strip()[:200],
        availability=(availability or "").strip()[:200],
        consent_at=timezone.now(),
        registered_by=actor,
        number=f"T{secrets.token_hex(8)}",
    )
    volunteer.number = f"ZY{timezone.localdate():%Y}{volunteer.pk:06d}"
    volunteer.save(update_fields=["number"])
    volunteer.skills.set(skills)
    if person is not None:
        forget_own_volunteer(person)
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=volunteer,
        changes={
            "unit": [None, unit.name],
            "number": [None, volunteer.number],
            "consent_at": [None, volunteer.consent_at],
        },
        note=_("志愿者注册（身份信息加密保存）"),
    )
    return volunteer


@transaction.atomic
def update_volunteer(
    *,
    actor: User,
    volunteer: Volunteer,
    real_name: str,
    id_type: str,
    id_number: str,
    phone: str = "",
    political_status: str = PoliticalStatus.MASSES,
    skills: Sequence[Skill] = (),
    areas: str = "",
    availability: str = "",
    is_active: bool = True,
) -> Volunteer:
    """The volunteer or a manager of their unit corrects the record. Identity values are audited
    as changed, never with their content."""
    if not can_edit_volunteer(actor, volunteer):
        raise PermissionDenied(_("您不能修改这名志愿者的信息。"))
    real_name = (real_name or "").strip()
    phone, id_number = _normalise(phone), _normalise(id_number)
    errors = _identity_errors(
        volunteer, real_name=real_name, phone=phone, id_type=id_type, id_number=id_number
    )
    if political_status not in PoliticalStatus.values:
        errors["political_status"] = _("请选择政治面貌。")
    if errors:
        raise ValidationError(errors)
    plain = ["political_status", "areas", "availability", "is_active", "id_type"]
    before = snapshot(volunteer, plain) | {"skills": sorted(s.name for s in volunteer.skills.all())}
    identity_changed = [
        label
        for label, old, new in (
            ("real_name", volunteer.real_name, real_name),
            ("phone", volunteer.phone, phone),
            ("id_number", volunteer.id_number, id_number),
        )
        if old != new
    ]
    volunteer.real_name, volunteer.masked_name = real_name, mask_name(real_name)
    volunteer.phone, volunteer.id_type, volunteer.id_number = phone, id_type, id_number
    volunteer.political_status = political_status
    volunteer.areas, volunteer.availability = (areas or "")[:200], (availability or "")[:200]
    volunteer.is_active = is_active
    volunteer.save()
    volunteer.skills.set(skills)
    changes = diff(before, snapshot(volunteer, plain) | {"skills": sorted(s.name for s in skills)})
    for label in identity_changed:
        changes[label] = ["***", "***"]
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=volunteer, changes=changes)
    return volunteer


@transaction.atomic
def set_practice_unit(
    *, actor: User, unit: Unit, level: str, takes_part: bool = True
) -> PracticeUnit:
    """The centre marks a unit as its 中心, a 所 or a 站 of the 文明实践 network."""
    require_perm(actor, "volunteer.centre", unit)
    if level not in PracticeUnit.Level.values:
        raise ValidationError({"level": _("请选择层级（中心、所、站）。")})
    practice, created = PracticeUnit.objects.update_or_create(
        unit=unit, defaults={"level": level, "takes_part": takes_part}
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=practice,
        changes={"level": [None, level], "takes_part": [None, takes_part]},
    )
    return practice


# --- Teams ----------------------------------------------------------------------------------------


def _team_errors(team: Team, members: Sequence[Volunteer]) -> dict[str, str]:
    errors: dict[str, str] = {}
    team.name = (team.name or "").strip()
    if not team.name:
        errors["name"] = _("请填写志愿服务队名称。")
    elif Team.objects.filter(name=team.name).exclude(pk=team.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的志愿服务队。") % {"name": team.name}
    inactive = [v.masked_name for v in members if not v.is_active]
    if inactive:
        errors["members"] = _("以下志愿者已不在册：%(names)s。") % {"names": "、".join(inactive)}
    return errors


def _set_members(team: Team, members: Sequence[Volunteer], leaders: Sequence[Volunteer]) -> None:
    leader_ids = {v.pk for v in leaders}
    wanted = {v.pk for v in members} | leader_ids
    team.members.exclude(volunteer_id__in=wanted).delete()
    have = {m.volunteer_id: m for m in team.members.all()}
    for pk, member in have.items():
        if member.is_leader != (pk in leader_ids):
            member.is_leader = pk in leader_ids
            member.save(update_fields=["is_leader"])
    TeamMember.objects.bulk_create(
        TeamMember(team=team, volunteer_id=pk, is_leader=pk in leader_ids)
        for pk in sorted(wanted - set(have))
    )


def _roster(team: Team) -> list[str]:
    return [
        f"{m.volunteer.masked_name}{'（队长）' if m.is_leader else ''}"
        for m in team.members.select_related("volunteer")
    ]


@transaction.atomic
def create_team(
    *,
    actor: User,
    unit: Unit | None,
    name: str,
    leaders: Sequence[Volunteer] = (),
    members: Sequence[Volunteer] = (),
    description: str = "",
) -> Team:
    """A manager of `unit` sets up a volunteer team of the unit (leaders are members too)."""
    require_perm(actor, "volunteer.manage")
    if unit is None or not can_manage_unit(actor, unit):
        raise ValidationError({"unit": _("请选择您可以管理志愿服务队的单位。")})
    team = Team(unit=unit, name=name, description=description or "")
    errors = _team_errors(team, [*members, *leaders])
    if errors:
        raise ValidationError(errors)
    team.save()
    _set_members(team, members, leaders)
    record_created(actor=actor, obj=team, note=_("队员：%(n)s") % {"n": "、".join(_roster(team))})
    return team


@transaction.atomic
def update_team(
    *,
    actor: User,
    team: Team,
    name: str,
    leaders: Sequence[Volunteer] = (),
    members: Sequence[Volunteer] = (),
    description: str = "",
    is_active: bool = True,
) -> Team:
    if not can_manage_team(actor, team):
        raise PermissionDenied(_("您不能管理这支志愿服务队。"))
    names = ["name", "description", "is_active"]
    before = snapshot(team, names) | {"members": _roster(team)}
    team.name, team.description, team.is_active = name, description or "", is_active
    errors = _team_errors(team, [*members, *leaders])
    if errors:
        raise ValidationError(errors)
    team.save(update_fields=names)
    _set_members(team, members, leaders)
    changes = diff(before, snapshot(team, names) | {"members": _roster(team)})
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=team, changes=changes)
    return team
