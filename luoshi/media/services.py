"""Writing the media matrix: channels (office), publications through the ledger, targets.

A publication is recorded once: `create_publication` records the ledger activity through
luoshi.ledgers.services.record_activity (authors are its participants) and adds the
`Publication` in the same transaction, so the ledger and the matrix count the same record.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.campaigns.models import Campaign
from luoshi.ledgers.access import can_edit_activity
from luoshi.ledgers.models import ActivityType, Category
from luoshi.ledgers.services import record_activity
from luoshi.org.access import require_perm, scope_for, visible_people
from luoshi.org.models import Membership, Unit

from .access import can_set_targets
from .models import Channel, JournalistTarget, Level, PeriodKind, Publication
from .selectors import media_types

# --- Channels (office) ----------------------------------------------------------------------------


def _check_channel(channel: Channel) -> None:
    if not channel.name:
        raise ValidationError({"name": _("请填写渠道名称。")})
    if Channel.objects.filter(name=channel.name).exclude(pk=channel.pk).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的渠道。") % {"name": channel.name}})


@transaction.atomic
def create_channel(*, actor: User, name: str, sort_order: int = 0) -> Channel:
    """The office adds a channel to the matrix."""
    require_perm(actor, "ledger.configure")
    channel = Channel(name=(name or "").strip()[:50], sort_order=sort_order)
    _check_channel(channel)
    channel.save()
    record_created(actor=actor, obj=channel)
    return channel


@transaction.atomic
def update_channel(
    *,
    actor: User,
    channel: Channel,
    name: str | None = None,
    sort_order: int | None = None,
    is_active: bool | None = None,
) -> Channel:
    """Rename, reorder or (de)activate a channel; its publications keep it."""
    require_perm(actor, "ledger.configure")
    names = ["name", "sort_order", "is_active"]
    before = snapshot(channel, names)
    if name is not None:
        channel.name = name.strip()[:50]
    if sort_order is not None:
        channel.sort_order = sort_order
    if is_active is not None:
        channel.is_active = is_active
    _check_channel(channel)
    changes = diff(before, snapshot(channel, names))
    if changes:
        channel.save(update_fields=names)
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=channel, changes=changes)
    return channel


# --- Publications ---------------------------------------------------------------------------------


def _publication_errors(
    *, channel: Channel | None, level: str, link: str, views: int | None, changing: bool = False
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if channel is None:
        errors["channel"] = _("请选择刊播渠道。")
    elif not channel.is_active and not changing:
        errors["channel"] = _("渠道“%(name)s”已停用。") % {"name": channel.name}
    if level not in Level.values:
        errors["level"] = _("请选择级别（中央、省、州、市）。")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = _("链接须是以 http:// 或 https:// 开头的网址。")
    if views is not None and views < 0:
        errors["views"] = _("阅读（播放）量不能为负数。")
    return errors


@transaction.atomic
def create_publication(
    *,
    actor: User,
    unit: Unit | None,
    title: str,
    published_at: datetime.datetime | None,
    channel: Channel | None,
    level: str,
    authors: Sequence[User] = (),
    link: str = "",
    views: int | None = None,
    notes: str = "",
    activity_type: ActivityType | None = None,
    campaigns: Sequence[Campaign] = (),
    uploads: Sequence[UploadedFile] = (),
) -> Publication:
    """Record a published piece: one ledger activity (authors = participants) plus its channel,
    level, link and views. All or nothing; every field's error at once."""
    link = (link or "").strip()
    errors: dict[str, Any] = _publication_errors(
        channel=channel, level=level, link=link, views=views
    )
    if activity_type is None:
        activity_type = media_types().first()
        if activity_type is None:
            raise ValidationError(
                {"activity_type": _("行动办尚未配置“宣传报道”类的活动类型，暂不能登记稿件。")}
            )
    elif activity_type.category != Category.MEDIA:
        errors["activity_type"] = _("“%(name)s”不是宣传报道类的活动类型。") % {
            "name": activity_type.name
        }
    if not authors:
        errors["authors"] = _("请选择作者。")
    activity = None
    try:
        with transaction.atomic():
            activity = record_activity(
                actor=actor,
                activity_type=activity_type,
                unit=unit,
                title=title,
                starts_at=published_at,
                notes=notes,
                campaigns=list(campaigns) or None,  # none chosen: the type's campaign
                participants=authors,
                uploads=uploads,
            )
    except ValidationError as error:
        messages = error.message_dict
        if "participants" in messages:
            messages["authors"] = messages.pop("participants")
        if "starts_at" in messages:
            messages["published_at"] = [_("请填写刊播日期。")]
            del messages["starts_at"]
        errors = {**messages, **errors}
    if errors:
        raise ValidationError(errors)
    assert activity is not None and channel is not None
    publication = Publication.objects.create(
        activity=activity, channel=channel, level=level, link=link, views=views
    )
    record_created(
        actor=actor,
        obj=publication,
        note=_("%(channel)s · %(level)s") % {"channel": channel.name, "level": Level(level).label},
    )
    return publication


@transaction.atomic
def update_publication(
    *,
    actor: User,
    publication: Publication,
    channel: Channel | None,
    level: str,
    link: str = "",
    views: int | None = None,
) -> Publication:
    """Change channel, level, link or views (views grow after publishing); audited. Title, date
    and authors are the activity's and change on the ledger's pages."""
    require_perm(actor, "ledger.record")
    if not can_edit_activity(actor, publication.activity):
        raise PermissionDenied(_("您不能修改其他单位的稿件。"))
    link = (link or "").strip()
    errors = _publication_errors(
        channel=channel,
        level=level,
        link=link,
        views=views,
        changing=channel is not None and channel.pk == publication.channel_id,
    )
    if errors:
        raise ValidationError(errors)
    assert channel is not None
    names = ["channel_id", "level", "link", "views"]
    before = snapshot(publication, names)
    publication.channel, publication.level = channel, level
    publication.link, publication.views = link, views
    changes = diff(before, snapshot(publication, names))
    if changes:
        publication.save(update_fields=["channel", "level", "link", "views"])
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=publication, changes=changes)
    return publication


# --- Targets --------------------------------------------------------------------------------------


def period_start_of(kind: str, day: datetime.date) -> datetime.date:
    """The first day of the month or quarter containing `day`."""
    if kind == PeriodKind.QUARTER:
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


@transaction.atomic
def set_target(
    *,
    actor: User,
    person: User | None,
    unit: Unit | None,
    period_kind: str,
    period_start: datetime.date | None,
    count: int | None,
    level: str = "",
) -> JournalistTarget:
    """Set (or change) a journalist's target for a month or quarter, in total or at one level.

    The person must belong to the unit or a unit below it; the actor must record or configure
    for the unit."""
    require_perm(actor, "ledger.view")
    if unit is None or not can_set_targets(actor, unit):
        raise ValidationError({"unit": _("请选择您可以下达任务量的单位。")})
    errors: dict[str, str] = {}
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = _("请选择周期（月度或季度）。")
    if period_start is None:
        errors["period_start"] = _("请填写周期。")
    if level and level not in Level.values:
        errors["level"] = _("请选择级别（中央、省、州、市），或留空表示不分级别。")
    if count is None or count < 0:
        errors["count"] = _("任务量须是不小于 0 的整数。")
    in_unit = (
        person is not None
        and visible_people(actor).filter(pk=person.pk).exists()
        and Membership.objects.filter(person=person, unit__path__startswith=unit.path).exists()
    )
    if not in_unit:
        errors["person"] = _("所选记者不是“%(unit)s”的人员。") % {"unit": unit.name}
    if errors:
        raise ValidationError(errors)
    assert person is not None and period_start is not None and count is not None
    start = period_start_of(period_kind, period_start)
    target = JournalistTarget.objects.filter(
        person=person, period_kind=period_kind, period_start=start, level=level
    ).first()
    if target is not None:
        if not can_set_targets(actor, target.unit):
            raise PermissionDenied(_("该记者本期任务量由其他单位下达。"))
        before = snapshot(target, ["count", "unit_id"])
        target.count, target.unit = count, unit
        changes = diff(before, snapshot(target, ["count", "unit_id"]))
        if changes:
            target.save(update_fields=["count", "unit"])
            record(actor=actor, action=AuditEvent.Action.UPDATE, obj=target, changes=changes)
        return target
    target = JournalistTarget.objects.create(
        person=person,
        unit=unit,
        period_kind=period_kind,
        period_start=start,
        level=level,
        count=count,
    )
    record_created(actor=actor, obj=target)
    return target


@transaction.atomic
def delete_target(*, actor: User, target: JournalistTarget) -> None:
    """Withdraw a target (audited with what it was)."""
    if not can_set_targets(actor, target.unit) or scope_for(actor, "ledger.view").is_empty:
        raise PermissionDenied(_("您不能撤销此任务量。"))
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=target,
        changes={"count": [target.count, None]},
    )
    target.delete()
