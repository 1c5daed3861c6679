"""Writing outreach data: lecture teams (liaison/office), targets (office) and lectures (a
ledger activity through record_activity plus its Lecture row, in one transaction).

Every write takes the acting person, checks the permission, validates everything before saving
anything, and writes the audit log in the same transaction.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.ledgers.models import Activity, ActivityType, Category, VenueCategory
from luoshi.ledgers.services import record_activity
from luoshi.org.access import require_perm, visible_people
from luoshi.org.models import Unit

from .access import can_manage_target, can_manage_team, visible_teams
from .models import Lecture, LectureTarget, LectureTeam, TeamMember

TARGET_CATEGORIES = (
    VenueCategory.PASTORAL,
    VenueCategory.COMMUNITY,
    VenueCategory.ENTERPRISE,
    VenueCategory.CAMPUS,
)


# --- Teams ----------------------------------------------------------------------------------------


def _team_errors(
    actor: User, team: LectureTeam, members: Sequence[User], leader: User | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    team.name = (team.name or "").strip()
    if not team.name:
        errors["name"] = _("请填写宣讲队名称。")
    elif LectureTeam.objects.filter(name=team.name).exclude(pk=team.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的宣讲队。") % {"name": team.name}
    people = [*members, *([leader] if leader else [])]
    reachable = set(
        visible_people(actor).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    outside = [p.name or p.username for p in people if p.pk not in reachable]
    if outside:
        errors["members"] = _("以下人员不在您的数据范围内：%(names)s。") % {
            "names": "、".join(dict.fromkeys(outside))
        }
    return errors


def _names(team: LectureTeam) -> list[str]:
    return [
        m.person.name or m.person.username
        for m in team.members.select_related("person").order_by("person__pinyin")
    ]


def _set_members(team: LectureTeam, members: Sequence[User], leader: User | None) -> None:
    wanted = {p.pk for p in members} | ({leader.pk} if leader else set())
    team.members.exclude(person_id__in=wanted).delete()
    have = set(team.members.values_list("person_id", flat=True))
    TeamMember.objects.bulk_create(
        [TeamMember(team=team, person_id=pk) for pk in sorted(wanted - have)]
    )


@transaction.atomic
def create_team(
    *,
    actor: User,
    unit: Unit | None,
    name: str,
    leader: User | None = None,
    members: Sequence[User] = (),
    description: str = "",
) -> LectureTeam:
    """Set up a lecture team led from `unit` (the leader is a member too)."""
    require_perm(actor, "ledger.view")
    if unit is None or not can_manage_team(actor, unit):
        raise ValidationError({"unit": _("请选择您可以管理宣讲队的牵头单位。")})
    team = LectureTeam(unit=unit, name=name, leader=leader, description=description or "")
    errors = _team_errors(actor, team, members, leader)
    if errors:
        raise ValidationError(errors)
    team.save()
    _set_members(team, members, leader)
    record_created(actor=actor, obj=team, note=_("队员：%(n)s") % {"n": "、".join(_names(team))})
    return team


@transaction.atomic
def update_team(
    *,
    actor: User,
    team: LectureTeam,
    name: str,
    leader: User | None = None,
    members: Sequence[User] = (),
    description: str = "",
    is_active: bool = True,
) -> LectureTeam:
    if not can_manage_team(actor, team.unit):
        raise PermissionDenied(_("您不能管理这支宣讲队。"))
    names = ["name", "leader_id", "description", "is_active"]
    before = snapshot(team, names) | {"members": _names(team)}
    team.name, team.leader, team.description, team.is_active = (
        name,
        leader,
        description or "",
        is_active,
    )
    errors = _team_errors(actor, team, members, leader)
    if errors:
        raise ValidationError(errors)
    team.save(update_fields=["name", "leader", "description", "is_active"])
    _set_members(team, members, leader)
    changes = diff(before, snapshot(team, names) | {"members": _names(team)})
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=team, changes=changes)
    return team


# --- Targets --------------------------------------------------------------------------------------


def _check_target(target: LectureTarget) -> None:
    errors: dict[str, str] = {}
    target.name = (target.name or "").strip()
    if not target.name:
        errors["name"] = _("请填写覆盖点名称。")
    elif (
        LectureTarget.objects.filter(unit=target.unit, name=target.name)
        .exclude(pk=target.pk)
        .exists()
    ):
        errors["name"] = _("%(unit)s已有名为“%(name)s”的覆盖点。") % {
            "unit": target.unit.name,
            "name": target.name,
        }
    if target.venue_category not in VenueCategory.values:
        errors["venue_category"] = _("请选择场所类别（牧区、社区、企业、校园）。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_target(
    *,
    actor: User,
    name: str,
    venue_category: str,
    unit: Unit | None,
    note: str = "",
    sort_order: int = 0,
) -> LectureTarget:
    """The office lists a place the lectures must reach."""
    require_perm(actor, "ledger.configure")
    if unit is None or not can_manage_target(actor, unit):
        raise ValidationError({"unit": _("请选择您数据范围内的所属单位。")})
    target = LectureTarget(
        name=name, venue_category=venue_category, unit=unit, note=note or "", sort_order=sort_order
    )
    _check_target(target)
    target.save()
    record_created(actor=actor, obj=target)
    return target


@transaction.atomic
def update_target(
    *,
    actor: User,
    target: LectureTarget,
    name: str,
    venue_category: str,
    note: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> LectureTarget:
    if not can_manage_target(actor, target.unit):
        raise PermissionDenied(_("只有行动办可以维护宣讲覆盖点。"))
    names = ["name", "venue_category", "note", "sort_order", "is_active"]
    before = snapshot(target, names)
    target.name, target.venue_category, target.note = name, venue_category, note or ""
    target.sort_order, target.is_active = sort_order, is_active
    _check_target(target)
    changes = diff(before, snapshot(target, names))
    if changes:
        target.save(update_fields=names)
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=target, changes=changes)
    return target


# --- Lectures -------------------------------------------------------------------------------------


@transaction.atomic
def create_lecture(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    starts_at: datetime.datetime | None,
    topic: str,
    team: LectureTeam | None = None,
    target: LectureTarget | None = None,
    place: str = "",
    venue_category: str = "",
    audience: int | None = None,
    hours: Decimal | None = None,
    materials: int | None = None,
    notes: str = "",
    participants: Sequence[User] | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> Activity:
    """Record a lecture: the ledger activity (venue category from the target, place defaulting
    to the target's name, the lecturers as participants) and its Lecture row, all or nothing.
    Without explicit participants, the team's members within the actor's reach lecture."""
    errors: dict[str, str] = {}
    if activity_type.category != Category.LECTURE:
        errors["type"] = _("“%(name)s”不是宣讲类活动。") % {"name": activity_type.name}
    if team is not None and not visible_teams(actor).filter(pk=team.pk, is_active=True).exists():
        errors["team"] = _("请选择启用中的宣讲队。")
    if target is not None and not target.is_active:
        errors["target"] = _("覆盖点“%(name)s”已停用。") % {"name": target.name}
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = _("请填写宣讲主题。")
    if target is None and not (place or "").strip():
        errors["place"] = _("请选择覆盖点，或填写宣讲地点。")
    if errors:
        raise ValidationError(errors)
    if target is not None:
        venue_category = target.venue_category
        place = (place or "").strip() or target.name
    if participants is None:
        participants = []
        if team is not None:
            reach = visible_people(actor, "ledger.record").filter(
                pk__in=team.members.values("person_id")
            )
            participants = list(reach)
    keys = {definition["key"] for definition in activity_type.fields}
    values: dict[str, object] = {}
    if "topic" in keys:
        values["topic"] = topic
    if "materials" in keys and materials is not None:
        values["materials"] = materials
    activity = record_activity(
        actor=actor,
        activity_type=activity_type,
        unit=unit,
        title=topic,
        starts_at=starts_at,
        place=place,
        venue_category=venue_category,
        audience=audience,
        hours=hours,
        values=values,
        notes=notes,
        participants=list(participants),
        uploads=uploads,
    )
    Lecture.objects.create(activity=activity, team=team, target=target)
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        verb="lecture",
        changes={"team": [None, str(team or "")], "target": [None, str(target or "")]},
        note=_("挎包宣讲：%(team)s → %(target)s")
        % {"team": team or _("未指定宣讲队"), "target": target or place},
    )
    return activity
