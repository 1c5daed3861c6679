"""Recording activities: prepare (everything checked, nothing written), save, update, delete and
restore, and the participants."""

import datetime
import itertools
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, record_created_many, snapshot
from luoshi.campaigns.access import visible_tasks
from luoshi.campaigns.models import Campaign, Task
from luoshi.files.services import store_upload
from luoshi.org.access import require_perm, scope_for, visible_people
from luoshi.org.models import Unit

from .. import hooks, rollups
from ..access import can_edit_activity, recordable_campaigns, recording_units
from ..models import Activity, ActivityType, Participation, VenueCategory
from .types import RecordingLookups, clean_values

CHECKIN_LEAD = datetime.timedelta(minutes=30)
CHECKIN_DEFAULT_LENGTH = datetime.timedelta(hours=3)


# --- Activities -----------------------------------------------------------------------------------


def _open_checkins():
    return Activity.objects.filter(deleted_at__isnull=True, checkin_closes_at__gte=timezone.now())


def _new_checkin_code(lookups: RecordingLookups | None = None) -> str:
    """Six digits not used by another activity whose check-in has not closed yet (nor, in an
    import, by an earlier row of the same file: `lookups` keeps the codes taken)."""
    if lookups is not None and lookups.checkin_codes_taken is None:
        lookups.checkin_codes_taken = set(
            _open_checkins().exclude(checkin_code="").values_list("checkin_code", flat=True)
        )
    for _attempt in range(50):
        code = f"{secrets.randbelow(900000) + 100000}"
        if lookups is not None:
            taken = lookups.checkin_codes_taken
            assert taken is not None
            if code not in taken:
                taken.add(code)
                return code
        elif not _open_checkins().filter(checkin_code=code).exists():
            return code
    raise RuntimeError("no free check-in code")


def _check_people(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit,
    people: Sequence[User],
    lookups: RecordingLookups | None = None,
) -> list[User]:
    """Participants: people in the actor's `ledger.record` reach; one person for a personal type."""
    ids = {person.pk for person in people}
    if not ids:
        if activity_type.is_personal:
            raise ValidationError({"participants": _("个人记录须选择本人或一名人员。")})
        return []
    if lookups is not None:
        reachable = ids & lookups.recordable_people_ids
    else:
        reachable = set(
            visible_people(actor, "ledger.record").filter(pk__in=ids).values_list("pk", flat=True)
        )
    outside = [person.name or person.username for person in people if person.pk not in reachable]
    if outside:
        raise ValidationError(
            {
                "participants": _("以下人员不在您的数据范围内：%(names)s。")
                % {"names": "、".join(outside)}
            }
        )
    if activity_type.is_personal and len(ids) != 1:
        raise ValidationError({"participants": _("个人记录只能对应一名人员。")})
    unique: dict[int, User] = {}
    for person in people:
        unique.setdefault(person.pk, person)
    return list(unique.values())


def _check_recording(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    people: Sequence[User],
    lookups: RecordingLookups | None = None,
) -> None:
    try:
        _check_own_recording(
            actor=actor, activity_type=activity_type, unit=unit, people=people, lookups=lookups
        )
    except (PermissionDenied, ValidationError):
        # A higher app's recorder (a volunteer team's leader), see hooks.RECORDERS.
        if unit is None or people or not hooks.may_record(actor, activity_type, unit):
            raise


def _check_own_recording(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    people: Sequence[User],
    lookups: RecordingLookups | None = None,
) -> None:
    require_perm(actor, "ledger.record")
    if unit is None:
        recordable = False
    elif lookups is not None:
        recordable = unit.pk in lookups.recording_unit_ids
    else:
        recordable = recording_units(actor).filter(pk=unit.pk).exists()
    if not recordable:
        raise ValidationError({"unit": _("请选择您可以登记台账的组织单位。")})
    # Reached only as a member ("self" scope): one's own personal records.
    own_only = not scope_for(actor, "ledger.record").contains(unit)
    if own_only and (
        not activity_type.is_personal or any(person.pk != actor.pk for person in people)
    ):
        raise PermissionDenied(_("您只能登记本人的个人学习记录。"))


def _common_errors(
    *,
    actor: User,
    activity_type: ActivityType,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    venue_category: str,
    audience: int | None,
    hours: Decimal | None,
    campaigns: Sequence[Campaign],
    evidence_task: Task | None,
    checkin_opens_at: datetime.datetime | None,
    checkin_closes_at: datetime.datetime | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not activity_type.is_active:
        errors["type"] = _("活动类型“%(name)s”已停用。") % {"name": activity_type.name}
    if not title:
        errors["title"] = _("请填写活动名称。")
    if starts_at is None:
        errors["starts_at"] = _("请填写开始时间。")
    elif ends_at is not None and ends_at < starts_at:
        errors["ends_at"] = _("结束时间不能早于开始时间。")
    if venue_category and venue_category not in VenueCategory.values:
        errors["venue_category"] = _("请选择场所类别。")
    if activity_type.has_venue_category and not venue_category:
        errors["venue_category"] = _("请选择场所类别（牧区、社区、企业、校园、机关或其他）。")
    if audience is not None and audience < 0:
        errors["audience"] = _("受众人数不能为负数。")
    if hours is not None and not (Decimal(0) <= hours <= Decimal(1000)):
        errors["hours"] = _("时长须在 0 到 1000 小时之间。")
    if campaigns:
        ids = {campaign.pk for campaign in campaigns}
        seen = set(recordable_campaigns(actor).filter(pk__in=ids).values_list("pk", flat=True))
        if seen != ids:
            errors["campaigns"] = _("所选专项行动不在您的数据范围内。")
    if evidence_task is not None and not visible_tasks(actor).filter(pk=evidence_task.pk).exists():
        errors["evidence_task"] = _("所选任务不在您的数据范围内。")
    if checkin_opens_at and checkin_closes_at and checkin_closes_at <= checkin_opens_at:
        errors["checkin_closes_at"] = _("签到截止时间须晚于签到开始时间。")
    return errors


def _store_files(
    *,
    actor: User,
    activity: Activity,
    uploads: Iterable[UploadedFile],
    value_files: Mapping[str, UploadedFile],
) -> None:
    errors: dict[str, list[str]] = {}
    for upload in uploads:
        try:
            store_upload(actor=actor, upload=upload, owner=activity)
        except ValidationError as error:
            errors.setdefault("files", []).extend(error.messages)
    for key, upload in value_files.items():
        try:
            attachment = store_upload(actor=actor, upload=upload, owner=activity)
        except ValidationError as error:
            errors.setdefault(f"x_{key}", []).extend(error.messages)
        else:
            activity.values[key] = attachment.pk
    if errors:
        raise ValidationError(errors)
    if value_files:
        activity.save(update_fields=["values"])


def _given_parts(parts: Mapping[str, Any] | None) -> list[tuple[hooks.RecordPart, Any]]:
    """The registered record parts given a value; an unknown name is a programming error."""
    return [(hooks.record_part(name), value) for name, value in (parts or {}).items()]


def _part_errors(
    given: list[tuple[hooks.RecordPart, Any]], activity: Activity | None
) -> dict[str, str]:
    errors = {}
    for part, value in given:
        message = part.check(value, part.current(activity) if activity is not None else None)
        if message:
            errors[part.name] = message
    return errors


def _default_place(given: list[tuple[hooks.RecordPart, Any]]) -> str:
    return next((place for part, value in given if (place := part.default_place(value))), "")


def _add_participants(activity: Activity, people: Iterable[User], source: str) -> int:
    rows = [Participation(activity=activity, person=person, source=source) for person in people]
    created = Participation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def prepare_activity(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    parts: Mapping[str, Any] | None = None,
    venue_category: str = "",
    audience: int | None = None,
    hours: Decimal | None = None,
    values: Mapping[str, Any] | None = None,
    value_files: Mapping[str, UploadedFile] | None = None,
    notes: str = "",
    evidence_task: Task | None = None,
    campaigns: Sequence[Campaign] | None = None,
    participants: Sequence[User] = (),
    uploads: Sequence[UploadedFile] = (),
    checkin_opens_at: datetime.datetime | None = None,
    checkin_closes_at: datetime.datetime | None = None,
    lookups: RecordingLookups | None = None,
) -> "PreparedActivity":
    """Check one activity to record (every field error at once, as a ValidationError) and build
    it, unsaved: reads only, so that an import checks all its rows outside any transaction.
    save_activity writes it; record_activity does both.

    `campaigns` are the running campaigns it counts toward; None means the type's own campaign,
    an empty list none (a record from before any campaign). `parts` are the values of the higher
    apps' record parts by name (the heritage site: `{"site": site}`, see luoshi.ledgers.hooks),
    checked with the rest and saved in the same transaction. `lookups` (an import's rows) reads
    the recorder's scopes from sets loaded once instead of querying them per row."""
    people = list(participants)
    if activity_type.is_personal and not people:
        people = [actor]
    _check_recording(
        actor=actor, activity_type=activity_type, unit=unit, people=people, lookups=lookups
    )
    assert unit is not None
    title = (title or "").strip() or (activity_type.name if activity_type.is_personal else "")
    errors: dict[str, Any] = _common_errors(
        actor=actor,
        activity_type=activity_type,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue_category=venue_category,
        audience=audience,
        hours=hours,
        campaigns=campaigns or (),
        evidence_task=evidence_task,
        checkin_opens_at=checkin_opens_at,
        checkin_closes_at=checkin_closes_at,
    )
    cleaned, value_errors, pending = clean_values(
        actor=actor,
        activity_type=activity_type,
        values=values or {},
        uploads=value_files or {},
        previous={},
        lookups=lookups,
    )
    errors.update(value_errors)
    given = _given_parts(parts)
    errors.update(_part_errors(given, None))
    try:
        people = _check_people(
            actor=actor, activity_type=activity_type, unit=unit, people=people, lookups=lookups
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None
    now = timezone.now()
    activity = Activity(
        type=activity_type,
        title=title[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        place=((place or "").strip() or _default_place(given))[:200],
        venue_category=venue_category if activity_type.has_venue_category else "",
        unit=unit,
        recorded_by=actor,
        audience=audience if activity_type.has_audience else None,
        hours=hours if activity_type.records_hours else None,
        values=cleaned,
        notes=notes or "",
        evidence_task=evidence_task,
        created_at=now,
        updated_at=now,
    )
    if activity_type.takes_checkin:
        activity.checkin_code = _new_checkin_code(lookups)
        activity.checkin_opens_at = checkin_opens_at or starts_at - CHECKIN_LEAD
        activity.checkin_closes_at = checkin_closes_at or (
            ends_at or starts_at + CHECKIN_DEFAULT_LENGTH
        )
    if campaigns is not None:
        campaign_set = list(campaigns)
    else:
        campaign_set = [activity_type.campaign] if activity_type.campaign else []
    return PreparedActivity(
        activity=activity,
        people=people,
        campaigns=campaign_set,
        parts=given,
        uploads=list(uploads),
        value_files=pending,
    )


@dataclass
class PreparedActivity:
    """An activity checked by prepare_activity, with what save_activity writes beside it."""

    activity: Activity
    people: list[User]
    campaigns: list[Campaign]
    parts: list[tuple[hooks.RecordPart, Any]]
    uploads: list[UploadedFile]
    value_files: dict[str, UploadedFile]


def save_activity(
    prepared: PreparedActivity, *, actor: User, source: str = Participation.Source.HAND
) -> Activity:
    """Write a prepared activity: the record, its counts, campaigns, participants (as `source`),
    record parts and files, and the audit event; in the caller's transaction."""
    activity, people, campaign_set = prepared.activity, prepared.people, prepared.campaigns
    activity.save()
    rollups.apply(activity, +1)
    activity.campaigns.set(campaign_set)
    _add_participants(activity, people, source)
    for part, value in prepared.parts:
        if value is not None:
            part.save(activity, value)
    _store_files(
        actor=actor, activity=activity, uploads=prepared.uploads, value_files=prepared.value_files
    )
    record_created(
        actor=actor,
        obj=activity,
        note=_("参加人员 %(n)d 人；计入专项行动：%(campaigns)s")
        % {
            "n": len(people),
            "campaigns": "、".join(c.display_name for c in campaign_set) or _("无"),
        },
    )
    return activity


def _insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT rows of plain values (ids, a code, a time already adapted) with executemany. For a
    large import's participants and campaign links only: bulk_create compiles every value of
    every row in Python, which was the larger part of writing 50,000 rows."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        for batch in itertools.batched(rows, 5000):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)


def save_activities(
    prepared: Sequence[PreparedActivity], *, actor: User, source: str = Participation.Source.HAND
) -> list[Activity]:
    """Write many prepared activities at once, as save_activity writes one (an import's rows):
    the records, their counts (rollups.add_many), campaigns and participants in bulk, and one
    audit event per record (audit.services.record_created_many); in the caller's transaction.
    Rows with record parts or files go through save_activity one by one."""
    simple = [p for p in prepared if not (p.parts or p.uploads or p.value_files)]
    activities = Activity.objects.bulk_create([p.activity for p in simple], batch_size=500)
    rollups.add_many(activities)
    _insert_rows(
        Activity.campaigns.through,
        ["activity", "campaign"],
        [(p.activity.pk, campaign.pk) for p in simple for campaign in p.campaigns],
    )
    # The activities are new and each one's people distinct (_check_people): no conflicts.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert_rows(
        Participation,
        ["activity", "person", "source", "created_at"],
        [(p.activity.pk, person.pk, source, now) for p in simple for person in p.people],
    )
    record_created_many(
        actor=actor,
        objects=[
            (
                p.activity,
                _("参加人员 %(n)d 人；计入专项行动：%(campaigns)s")
                % {
                    "n": len(p.people),
                    "campaigns": "、".join(c.display_name for c in p.campaigns) or _("无"),
                },
            )
            for p in simple
        ],
    )
    singles = {id(p) for p in prepared} - {id(p) for p in simple}
    written = {id(p): p.activity for p in simple}
    for p in prepared:
        if id(p) in singles:
            written[id(p)] = save_activity(p, actor=actor, source=source)
    return [written[id(p)] for p in prepared]


@transaction.atomic
def record_activity(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    parts: Mapping[str, Any] | None = None,
    venue_category: str = "",
    audience: int | None = None,
    hours: Decimal | None = None,
    values: Mapping[str, Any] | None = None,
    value_files: Mapping[str, UploadedFile] | None = None,
    notes: str = "",
    evidence_task: Task | None = None,
    campaigns: Sequence[Campaign] | None = None,
    participants: Sequence[User] = (),
    uploads: Sequence[UploadedFile] = (),
    checkin_opens_at: datetime.datetime | None = None,
    checkin_closes_at: datetime.datetime | None = None,
) -> Activity:
    """Record one activity with its participants, extra values and attachments, all or nothing.

    `campaigns` are the running campaigns it counts toward; None means the type's own campaign,
    an empty list none (a record from before any campaign). `parts` are the values of the higher
    apps' record parts by name (the heritage site: `{"site": site}`, see luoshi.ledgers.hooks),
    checked with the rest and saved in the same transaction."""
    prepared = prepare_activity(
        actor=actor,
        activity_type=activity_type,
        unit=unit,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        parts=parts,
        venue_category=venue_category,
        audience=audience,
        hours=hours,
        values=values,
        value_files=value_files,
        notes=notes,
        evidence_task=evidence_task,
        campaigns=campaigns,
        participants=participants,
        uploads=uploads,
        checkin_opens_at=checkin_opens_at,
        checkin_closes_at=checkin_closes_at,
    )
    return save_activity(prepared, actor=actor)


EDITABLE = (
    "title",
    "starts_at",
    "ends_at",
    "place",
    "venue_category",
    "unit",
    "audience",
    "hours",
    "notes",
    "evidence_task",
    "checkin_opens_at",
    "checkin_closes_at",
)


def _require_edit(actor: User, activity: Activity) -> None:
    require_perm(actor, "ledger.record")
    if not can_edit_activity(actor, activity):
        raise PermissionDenied(_("您不能修改其他单位的台账记录。"))


@transaction.atomic
def update_activity(
    *,
    actor: User,
    activity: Activity,
    values: Mapping[str, Any] | None = None,
    value_files: Mapping[str, UploadedFile] | None = None,
    campaigns: Sequence[Campaign] | None = None,
    uploads: Sequence[UploadedFile] = (),
    parts: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Activity:
    """Edit an activity (audited, field by field). Participants change through set_participants;
    `parts` sets the higher apps' record parts by name (see record_activity)."""
    _require_edit(actor, activity)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    activity_type = activity.type
    if "unit" in changes:
        unit = changes["unit"]
        people = list(User.objects.filter(participations__activity=activity))
        _check_recording(actor=actor, activity_type=activity_type, unit=unit, people=people)
    names = [f"{key}_id" if key in ("unit", "evidence_task") else key for key in changes]
    names += ["values"]
    before = snapshot(activity, names)
    linked = {c.pk: c for c in activity.campaigns.all()}
    before_campaigns = sorted(c.display_name for c in linked.values())
    counted_in = rollups.cell_of(activity)
    old_times = (activity.starts_at, activity.ends_at)
    for key, value in changes.items():
        if key in ("title", "place"):
            value = (value or "").strip()
        setattr(activity, key, value)
    errors: dict[str, Any] = _common_errors(
        actor=actor,
        activity_type=activity_type,
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        venue_category=activity.venue_category,
        audience=activity.audience,
        hours=activity.hours,
        campaigns=[c for c in campaigns or [] if c.pk not in linked],
        evidence_task=activity.evidence_task if "evidence_task" in changes else None,
        checkin_opens_at=activity.checkin_opens_at,
        checkin_closes_at=activity.checkin_closes_at,
    )
    errors.pop("type", None)  # a record of a type deactivated since stays editable
    given = _given_parts(parts)
    errors.update(_part_errors(given, activity))
    pending: dict[str, UploadedFile] = {}
    if values is not None or value_files:
        cleaned, value_errors, pending = clean_values(
            actor=actor,
            activity_type=activity_type,
            values=values if values is not None else activity.values,
            uploads=value_files or {},
            previous=activity.values,
        )
        errors.update(value_errors)
        activity.values = cleaned
    if errors:
        raise ValidationError(errors)
    moved = (activity.starts_at, activity.ends_at) != old_times
    window_given = {"checkin_opens_at", "checkin_closes_at"} & set(changes)
    if activity_type.takes_checkin and moved and not window_given:
        # The check-in window follows the activity's new time.
        activity.checkin_opens_at = activity.starts_at - CHECKIN_LEAD
        activity.checkin_closes_at = activity.ends_at or activity.starts_at + CHECKIN_DEFAULT_LENGTH
        if not activity.checkin_code:
            activity.checkin_code = _new_checkin_code()
    activity.updated_at = timezone.now()
    activity.save()
    rollups.move(counted_in, activity)
    _store_files(actor=actor, activity=activity, uploads=uploads, value_files=pending)
    audit_changes = diff(before, snapshot(activity, names))
    for part, value in given:
        audit_changes.update(part.save(activity, value))
    if campaigns is not None:
        activity.campaigns.set(list(campaigns))
        after_campaigns = sorted(c.display_name for c in campaigns)
        if after_campaigns != before_campaigns:
            audit_changes["campaigns"] = [before_campaigns, after_campaigns]
    if uploads:
        audit_changes["files"] = [None, [upload.name for upload in uploads]]
    if audit_changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=activity, changes=audit_changes)
    return activity


@transaction.atomic
def delete_activity(*, actor: User, activity: Activity, reason: str = "") -> Activity:
    """Soft-delete: the record leaves every count and list, and the office can restore it."""
    _require_edit(actor, activity)
    if activity.deleted_at is not None:
        return activity
    rollups.apply(activity, -1)  # counted out while still live
    activity.deleted_at = timezone.now()
    activity.save(update_fields=["deleted_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=activity,
        note=reason,
        changes={"deleted_at": [None, activity.deleted_at]},
    )
    return activity


@transaction.atomic
def restore_activity(*, actor: User, activity: Activity) -> Activity:
    """The office brings a deleted record back into the ledger."""
    require_perm(actor, "ledger.configure")
    if not scope_for(actor, "ledger.configure").contains(activity.unit):
        raise PermissionDenied(_("您不能恢复此单位的台账记录。"))
    if activity.deleted_at is None:
        return activity
    before = activity.deleted_at
    activity.deleted_at = None
    activity.save(update_fields=["deleted_at"])
    rollups.apply(activity, +1)
    record(
        actor=actor,
        action=AuditEvent.Action.RESTORE,
        obj=activity,
        changes={"deleted_at": [before, None]},
    )
    return activity


@transaction.atomic
def set_participants(*, actor: User, activity: Activity, people: Sequence[User]) -> Activity:
    """Correct the attendance by hand (audited): add the missing, remove the ones not listed."""
    _require_edit(actor, activity)
    current = {
        p.person_id: p for p in activity.participations.select_related("person").order_by("id")
    }
    wanted = (
        _check_people(
            actor=actor,
            activity_type=activity.type,
            unit=activity.unit,
            people=list(people),
        )
        if people or activity.type.is_personal
        else []
    )
    wanted_ids = {person.pk for person in wanted}
    removed = [p for person_id, p in current.items() if person_id not in wanted_ids]
    added = [person for person in wanted if person.pk not in current]
    if not removed and not added:
        return activity
    Participation.objects.filter(pk__in=[p.pk for p in removed]).delete()
    _add_participants(activity, added, Participation.Source.HAND)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        verb="participants",
        changes={
            "added": [None, [person.name or person.username for person in added]],
            "removed": [[p.person.name or p.person.username for p in removed], None],
        },
        note=_("手工更正参加人员：增加 %(a)d 人，移除 %(r)d 人")
        % {"a": len(added), "r": len(removed)},
    )
    return activity
