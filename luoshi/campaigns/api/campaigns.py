"""Campaigns the caller may see, with their tracks and leading group; and the office's set-up of
a campaign (create, edit, add a track, replace the leading group) through the same services as
the pages."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS
from luoshi.org.access import require_perm, units_for_picker
from luoshi.org.access import visible_people as people_in_scope

from .. import forms as f
from .. import selectors, services
from ..access import get_campaign_for_user
from ..models import Campaign, LeadingGroupMember
from .filters import form_data, read_filters
from .schemas import (
    CampaignCreateIn,
    CampaignDetailOut,
    CampaignEditIn,
    CampaignFilters,
    CampaignOut,
    LeadingGroupIn,
    SeatOut,
    TrackIn,
    TrackOut,
)

router = Router(tags=["专项行动"])


@router.get("", response={200: list[CampaignOut], **ERRORS}, summary="专项行动列表")
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilters]):
    user = current_user(request)
    flt = read_filters(f.CampaignFilterForm(form_data(filters.model_dump())))
    return list(selectors.filter_campaigns(user, flt))


def _detail(user, campaign_id: int) -> Campaign:
    campaign = get_campaign_for_user(user, campaign_id)
    seats = LeadingGroupMember.objects.select_related("person")
    prefetch_related_objects([campaign], "tracks", Prefetch("leading_group", queryset=seats))
    return campaign


@router.get(
    "/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, summary="专项行动详情"
)
def get_campaign(request: HttpRequest, campaign_id: int):
    return _detail(current_user(request), campaign_id)


# --- Set-up (the campaign office) -----------------------------------------------------------------


def _track_names(names: list[str]) -> list[str]:
    cleaned = [name.strip() for name in names if name.strip()]
    if len(cleaned) != len(set(cleaned)):
        raise ValidationError({"tracks": _("方向名称不能重复。")})
    too_long = [name for name in cleaned if len(name) > 100]
    if too_long:
        raise ValidationError(
            {"tracks": _("方向名称不能超过 100 个字：%(name)s") % {"name": too_long[0]}}
        )
    return cleaned


@router.post("", response={201: CampaignDetailOut, **ERRORS}, summary="新建专项行动（含方向）")
def create_campaign(request: HttpRequest, payload: CampaignCreateIn):
    user = current_user(request)
    require_perm(user, "campaign.manage")
    office_unit = (
        units_for_picker(user, "campaign.manage").filter(pk=payload.office_unit_id).first()
    )
    if office_unit is None:
        raise ValidationError({"office_unit_id": _("请选择您数据范围内的牵头单位。")})
    campaign = services.create_campaign(
        actor=user,
        name=payload.name.strip(),
        short_name=payload.short_name.strip(),
        office_unit=office_unit,
        start_date=payload.start_date,
        end_date=payload.end_date,
        description=payload.description,
        tracks=_track_names(payload.tracks),
        notice_prefix=payload.notice_prefix.strip(),
        blue_working_days=payload.blue_working_days,
        yellow_lag_percent=payload.yellow_lag_percent,
        sign_working_days=payload.sign_working_days,
        reply_working_days=payload.reply_working_days,
    )
    return Status(201, _detail(user, campaign.pk))


@router.patch(
    "/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, summary="修改专项行动"
)
def edit_campaign(request: HttpRequest, campaign_id: int, payload: CampaignEditIn):
    user = current_user(request)
    campaign = get_campaign_for_user(user, campaign_id, write=True)
    values = payload.model_dump(exclude_unset=True)
    if values.get("description", "") is None:
        values["description"] = ""
    if values.get("short_name", "") is None:
        values["short_name"] = ""
    empty = [name for name, value in values.items() if value is None]
    if empty:
        raise ValidationError({name: _("此项不能为空。") for name in empty})
    for name in ("name", "short_name", "notice_prefix"):
        if name in values:
            values[name] = values[name].strip()
    if values:
        services.update_campaign(actor=user, campaign=campaign, **values)
    return _detail(user, campaign.pk)


@router.post("/{int:campaign_id}/tracks", response={201: TrackOut, **ERRORS}, summary="添加方向")
def add_track(request: HttpRequest, campaign_id: int, payload: TrackIn):
    user = current_user(request)
    campaign = get_campaign_for_user(user, campaign_id, write=True)
    name = payload.name.strip()
    if not name:
        raise ValidationError({"name": _("请填写方向名称。")})
    track = services.create_track(
        actor=user, campaign=campaign, name=name, description=payload.description
    )
    return Status(201, track)


@router.put(
    "/{int:campaign_id}/leading-group",
    response={200: list[SeatOut], **ERRORS},
    summary="设置领导小组（整体替换）",
)
def set_leading_group(request: HttpRequest, campaign_id: int, payload: LeadingGroupIn):
    user = current_user(request)
    campaign = get_campaign_for_user(user, campaign_id, write=True)
    ids = {row.person_id for row in payload.members}
    people = {
        person.pk: person for person in people_in_scope(user).filter(pk__in=ids, is_active=True)
    }
    unknown = sorted(ids - set(people))
    if unknown:
        raise ValidationError(
            {
                "members": _("人员不存在或不在您的数据范围内：%(ids)s")
                % {"ids": "、".join(str(pk) for pk in unknown)}
            }
        )
    seen: set[tuple[int, str]] = set()
    for row in payload.members:
        if (row.person_id, row.seat) in seen:
            raise ValidationError(
                {
                    "members": _("%(person)s 在同一职务中重复出现。")
                    % {"person": people[row.person_id].name}
                }
            )
        seen.add((row.person_id, row.seat))
    services.set_leading_group(
        actor=user,
        campaign=campaign,
        members=[(people[row.person_id], row.seat, row.title.strip()) for row in payload.members],
    )
    return list(campaign.leading_group.select_related("person").order_by("sort_order", "id"))
