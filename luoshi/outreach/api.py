"""JSON API of outreach: the same services, selectors and scope as the pages."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.ledgers.access import recording_units
from luoshi.ledgers.models import Activity, VenueCategory
from luoshi.org.access import get_unit_in_scope, require_perm

from . import selectors, services
from .access import get_lecture_target_for_user, get_team_for_user, lecture_types
from .models import LectureTarget, LectureTeam

router = Router(tags=["挎包宣讲"])


class TeamOut(Schema):
    id: int
    name: str
    unit: Ref
    leader: Ref | None
    is_active: bool
    members: list[Ref]

    @staticmethod
    def resolve_unit(obj: LectureTeam) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_leader(obj: LectureTeam) -> dict | None:
        return ref(obj.leader)

    @staticmethod
    def resolve_members(obj: LectureTeam) -> list:
        return [ref(m.person) for m in getattr(obj, "member_list", [])]


class LectureTargetOut(Schema):
    id: int
    name: str
    venue_category: str
    venue_category_display: str
    unit: Ref
    is_active: bool

    @staticmethod
    def resolve_unit(obj: LectureTarget) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_venue_category_display(obj: LectureTarget) -> str:
        return obj.get_venue_category_display()


class LectureOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    place: str
    venue_category: str
    audience: int | None
    unit: Ref
    team: Ref | None
    target: Ref | None

    @staticmethod
    def resolve_unit(obj: Activity) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_team(obj: Activity) -> dict | None:
        lecture = getattr(obj, "lecture", None)
        return ref(lecture.team) if lecture else None

    @staticmethod
    def resolve_target(obj: Activity) -> dict | None:
        lecture = getattr(obj, "lecture", None)
        return ref(lecture.target) if lecture else None


class LectureFilters(Schema):
    unit: int | None = Field(None, description="覆盖点所属单位（含下级）")
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    team: int | None = None
    category: str = Field(
        "", description="牧区 pastoral / 社区 community / 企业 enterprise / 校园 campus"
    )
    target: int | None = None


def _filter(request: HttpRequest, filters: LectureFilters) -> selectors.OutreachFilter:
    user = current_user(request)
    require_perm(user, "ledger.view")
    return selectors.OutreachFilter(
        unit=get_unit_in_scope(user, filters.unit, perm="ledger.view") if filters.unit else None,
        date_from=filters.date_from,
        date_to=filters.date_to,
        team_id=get_team_for_user(user, filters.team).pk if filters.team else None,
        category=filters.category if filters.category in VenueCategory.values else "",
        target=get_lecture_target_for_user(user, filters.target) if filters.target else None,
    )


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, summary="宣讲队及队员")
def list_teams(request: HttpRequest):
    user = current_user(request)
    require_perm(user, "ledger.view")
    teams = list(selectors.team_list(user))
    members = selectors.members_of(teams)
    for team in teams:
        team.member_list = members.get(team.pk, [])  # type: ignore[attr-defined]
    return teams


@router.get("/targets", response={200: list[LectureTargetOut], **ERRORS}, summary="宣讲覆盖点")
def list_targets(request: HttpRequest, category: str = ""):
    user = current_user(request)
    require_perm(user, "ledger.view")
    return list(selectors.target_list(user, category=category))


@router.get("/lectures", response={200: list[LectureOut], **ERRORS}, summary="宣讲记录")
def list_lectures(request: HttpRequest, filters: Query[LectureFilters]):
    return list(selectors.lectures(current_user(request), _filter(request, filters))[:500])


class LectureIn(Schema):
    type_id: int | None = Field(None, description="宣讲类活动类型（默认第一个启用的）")
    unit_id: int | None = Field(None, description="组织单位（默认本人可登记的第一个单位）")
    team_id: int | None = None
    target_id: int | None = None
    starts_at: datetime.datetime
    topic: str = Field(..., max_length=200)
    place: str = Field("", max_length=200)
    venue_category: str = ""
    audience: int | None = Field(None, ge=0)
    materials: int | None = Field(None, ge=0)
    notes: str = ""
    participant_ids: list[int] | None = Field(None, description="宣讲人员（默认宣讲队队员）")


@router.post("/lectures", response={201: LectureOut, **ERRORS}, summary="登记宣讲")
def create_lecture(request: HttpRequest, payload: LectureIn):
    from luoshi.org.access import visible_people

    user = current_user(request)
    require_perm(user, "ledger.record")
    types = lecture_types()
    activity_type = types.filter(pk=payload.type_id).first() if payload.type_id else types.first()
    if activity_type is None:
        raise ValidationError({"type_id": _("请选择启用中的宣讲类活动类型。")})
    units = recording_units(user).order_by("path")
    unit = units.filter(pk=payload.unit_id).first() if payload.unit_id else units.first()
    people = None
    if payload.participant_ids is not None:
        people = list(visible_people(user, "ledger.record").filter(pk__in=payload.participant_ids))
        if len(people) != len(set(payload.participant_ids)):
            raise ValidationError({"participant_ids": _("所选宣讲人员不在您的数据范围内。")})
    activity = services.create_lecture(
        actor=user,
        activity_type=activity_type,
        unit=unit,
        starts_at=payload.starts_at,
        topic=payload.topic,
        team=get_team_for_user(user, payload.team_id) if payload.team_id else None,
        target=get_lecture_target_for_user(user, payload.target_id) if payload.target_id else None,
        place=payload.place,
        venue_category=payload.venue_category,
        audience=payload.audience,
        materials=payload.materials,
        notes=payload.notes,
        participants=people,
    )
    return 201, activity


class CoverageRow(Schema):
    target: Ref
    venue_category: str
    unit: Ref
    counts: dict[str, int]
    total: int


class CategorySummary(Schema):
    category: str
    label: str
    reached: int
    total: int


class CoverageOut(Schema):
    months: list[str]
    rows: list[CoverageRow]
    summary: list[CategorySummary]


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, summary="宣讲覆盖情况")
def coverage(request: HttpRequest, filters: Query[LectureFilters]):
    table = selectors.coverage(current_user(request), _filter(request, filters))
    months = [f"{month:%Y-%m}" for month in table.months]
    return {
        "months": months,
        "rows": [
            {
                "target": ref(row["target"]),
                "venue_category": row["target"].venue_category,
                "unit": ref(row["target"].unit),
                "counts": dict(zip(months, row["counts"], strict=True)),
                "total": row["total"],
            }
            for row in table.rows
        ],
        "summary": [{**s, "label": str(s["label"])} for s in table.summary],
    }
