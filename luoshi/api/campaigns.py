"""Campaigns the caller may see, with their tracks and leading group."""

import datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from ninja import Router, Schema

from luoshi.campaigns.access import get_campaign_for_user, visible_campaigns
from luoshi.campaigns.models import Campaign, LeadingGroupMember

from .auth import current_user
from .schemas import ERRORS, Ref, ref

router = Router(tags=["专项行动"])


class CampaignOut(Schema):
    id: int
    name: str
    short_name: str
    office_unit: Ref
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_display: str

    @staticmethod
    def resolve_office_unit(obj: Campaign) -> dict | None:
        return ref(obj.office_unit)

    @staticmethod
    def resolve_status_display(obj: Campaign) -> str:
        return obj.get_status_display()


class TrackOut(Schema):
    id: int
    name: str
    description: str
    sort_order: int


class SeatOut(Schema):
    person: Ref
    seat: str
    seat_display: str
    title: str

    @staticmethod
    def resolve_person(obj: LeadingGroupMember) -> dict | None:
        return ref(obj.person)

    @staticmethod
    def resolve_seat_display(obj: LeadingGroupMember) -> str:
        return obj.get_seat_display()


class CampaignDetailOut(CampaignOut):
    description: str
    notice_prefix: str
    blue_working_days: int
    yellow_lag_percent: int
    sign_working_days: int
    reply_working_days: int
    tracks: list[TrackOut]
    leading_group: list[SeatOut]

    @staticmethod
    def resolve_tracks(obj: Campaign) -> list:
        return list(obj.tracks.all())

    @staticmethod
    def resolve_leading_group(obj: Campaign) -> list:
        return list(obj.leading_group.all())


@router.get("", response={200: list[CampaignOut], **ERRORS}, summary="专项行动列表")
def list_campaigns(request: HttpRequest):
    return list(visible_campaigns(current_user(request)).select_related("office_unit"))


@router.get(
    "/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, summary="专项行动详情"
)
def get_campaign(request: HttpRequest, campaign_id: int):
    campaign = get_campaign_for_user(current_user(request), campaign_id)
    seats = LeadingGroupMember.objects.select_related("person")
    prefetch_related_objects([campaign], "tracks", Prefetch("leading_group", queryset=seats))
    return campaign
