"""JSON API of volunteer service: the same services, selectors and scope as the pages, and the
public endpoints (order a service, follow and rate it by code, verify a certificate) that need
no login and return nothing personal."""

import datetime
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from luoshi.accounts.middleware import client_ip
from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS, Message, Ref, ref
from luoshi.lib.fieldcrypt import lookup_hash
from luoshi.org.access import get_unit_in_scope, require_perm

from . import forms as f
from . import selectors, services
from .access import (
    get_hours_for_user,
    get_order_for_user,
    get_service_for_user,
    get_signup_for_user,
    get_team_for_user,
    get_theme_for_user,
    get_volunteer_for_user,
    own_volunteer,
    publishing_units,
    registration_units,
    require_use,
    service_types,
    visible_actions,
    visible_skills,
    visible_teams,
    visible_themes,
)
from .models import Certificate, ServiceOrder
from .services import orders as order_moves
from .throttle import (
    CHALLENGE_SALT,
    LOOKUPS_PER_ADDRESS,
    PER_ADDRESS,
    PER_PHONE,
    challenge,
    limited,
)

router = Router(tags=["志愿服务"])


# --- Volunteers -----------------------------------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    number: str
    masked_name: str
    unit: Ref
    political_status: str
    skills: list[str]
    total_hours: Decimal
    final_hours: Decimal
    is_active: bool

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_skills(obj) -> list[str]:
        return [s.name for s in obj.skills.all()]

    @staticmethod
    def resolve_total_hours(obj) -> Decimal:
        return getattr(obj, "total_hours", None) or Decimal(0)

    @staticmethod
    def resolve_final_hours(obj) -> Decimal:
        return getattr(obj, "final_hours", None) or Decimal(0)


class VolunteerServiceLine(Schema):
    id: int
    date: datetime.date = Field(..., alias="served_on")
    activity: str
    organiser: Ref
    hours: Decimal
    method: str
    final: bool

    @staticmethod
    def resolve_activity(obj) -> str:
        return obj.service.activity.title

    @staticmethod
    def resolve_organiser(obj) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_final(obj) -> bool:
        return obj.is_final()


class VolunteerRecord(Schema):
    volunteer: VolunteerOut
    star: int
    final_hours: Decimal
    public_hours: Decimal
    added_hours: Decimal
    services: list[VolunteerServiceLine]


class VolunteerFilters(Schema):
    unit: int | None = Field(None, description="注册单位（含下级）")
    skill: int | None = None
    q: str = Field("", description="编号或姓氏")


@router.get("/volunteers", response={200: list[VolunteerOut], **ERRORS}, summary="志愿者名册")
def list_volunteers(request: HttpRequest, filters: Query[VolunteerFilters]):
    user = current_user(request)
    require_perm(user, "volunteer.view")
    flt = selectors.VolunteerFilter(keyword=filters.q.strip())
    if filters.unit:
        flt.unit = get_unit_in_scope(user, filters.unit, perm="volunteer.view")
    if filters.skill:
        flt.skill = visible_skills(user).filter(pk=filters.skill).first()
    return list(selectors.volunteer_list(user, flt)[:500])


@router.get(
    "/volunteers/{volunteer_id}",
    response={200: VolunteerRecord, **ERRORS},
    summary="志愿者的志愿服务记录",
)
def volunteer_record(request: HttpRequest, volunteer_id: int):
    user = current_user(request)
    volunteer = get_volunteer_for_user(user, volunteer_id)
    summary = selectors.hours_summary(volunteer)
    return {
        "volunteer": volunteer,
        "star": summary.star,
        "final_hours": summary.final,
        "public_hours": summary.public,
        "added_hours": summary.added,
        "services": list(selectors.volunteer_hours(user, volunteer)),
    }


class VolunteerRegisterIn(Schema):
    unit_id: int
    real_name: str = Field(..., max_length=50)
    id_type: str = "resident"
    id_number: str = Field(..., max_length=30)
    phone: str = Field("", max_length=20)
    political_status: str = "masses"
    skill_ids: list[int] = []
    areas: str = Field("", max_length=200)
    availability: str = Field("", max_length=200)
    consent: bool
    myself: bool = Field(True, description="为本人注册；false 为联络员代为登记（无账号）")


@router.post("/volunteers", response={201: VolunteerOut, **ERRORS}, summary="注册志愿者")
def register(request: HttpRequest, payload: VolunteerRegisterIn):
    user = current_user(request)
    require_use(user)
    volunteer = services.register_volunteer(
        actor=user,
        unit=registration_units(user).filter(pk=payload.unit_id).first(),
        person=user if payload.myself else None,
        real_name=payload.real_name,
        id_type=payload.id_type,
        id_number=payload.id_number,
        phone=payload.phone,
        political_status=payload.political_status,
        skills=list(visible_skills(user).filter(pk__in=payload.skill_ids)),
        areas=payload.areas,
        availability=payload.availability,
        consent=payload.consent,
    )
    return 201, volunteer


class VolunteerTeamOut(Schema):
    id: int
    name: str
    unit: Ref
    is_active: bool
    leaders: list[str]
    members: int

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_leaders(obj) -> list[str]:
        return [m.volunteer.masked_name for m in obj.members.all() if m.is_leader]

    @staticmethod
    def resolve_members(obj) -> int:
        return len(obj.members.all())


@router.get("/teams", response={200: list[VolunteerTeamOut], **ERRORS}, summary="志愿服务队")
def list_teams(request: HttpRequest):
    user = current_user(request)
    require_use(user)
    return list(visible_teams(user).prefetch_related("members__volunteer"))


# --- Themes ---------------------------------------------------------------------------------------


class MonthlyThemeOut(Schema):
    id: int
    year: int
    month: int
    title: str
    actions: list[Ref]

    @staticmethod
    def resolve_actions(obj) -> list:
        return [{"id": a.pk, "name": a.title} for a in obj.actions.all()]


class ActionUnitProgressOut(Schema):
    task_id: int
    unit: Ref
    state: str
    done: int
    expected: int
    progress: int


class PrescribedActionProgressOut(Schema):
    action: Ref
    expected_activities: int
    deadline: datetime.date
    units: list[ActionUnitProgressOut]


@router.get("/themes", response={200: list[MonthlyThemeOut], **ERRORS}, summary="一月一主题")
def list_themes(request: HttpRequest, year: int | None = None):
    user = current_user(request)
    require_use(user)
    themes = visible_themes(user).prefetch_related("actions")
    if year:
        themes = themes.filter(year=year)
    return list(themes.order_by("year", "month"))


@router.get(
    "/themes/{theme_id}/progress",
    response={200: list[PrescribedActionProgressOut], **ERRORS},
    summary="规定动作各单位进度（由关联活动计算）",
)
def theme_progress(request: HttpRequest, theme_id: int):
    user = current_user(request)
    theme = get_theme_for_user(user, theme_id)
    for action in theme.actions.all():
        services.sync_action_progress(action)
    return [
        {
            "action": {"id": row.action.pk, "name": row.action.title},
            "expected_activities": row.action.expected_activities,
            "deadline": row.action.deadline,
            "units": [
                {
                    "task_id": u.task.pk,
                    "unit": ref(u.task.unit),
                    "state": u.task.state,
                    "done": u.done,
                    "expected": u.expected,
                    "progress": u.task.progress,
                }
                for u in row.units
            ],
        }
        for row in selectors.action_progress(user, theme)
    ]


@router.post(
    "/themes/{theme_id}/actions/{action_id}/issue",
    response={200: list[Ref], **ERRORS},
    summary="规定动作下发给全部参与单位",
)
def issue_action(request: HttpRequest, theme_id: int, action_id: int):
    user = current_user(request)
    theme = get_theme_for_user(user, theme_id, write=True)
    action = get_object_or_404(theme.actions, pk=action_id)
    return [ref(task.unit) for task in services.issue_action(actor=user, action=action)]


# --- Activities and sign-ups ----------------------------------------------------------------------


class ServicePositionOut(Schema):
    id: int
    name: str
    capacity: int
    accepted: int
    waiting: int


class ServiceActivityOut(Schema):
    id: int = Field(..., alias="pk")
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    place: str
    unit: Ref
    team: Ref | None
    theme: Ref | None
    action: Ref | None
    planned_hours: Decimal
    recruit_until: datetime.datetime
    needs_approval: bool
    places: int
    taken: int

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.activity.title

    @staticmethod
    def resolve_starts_at(obj) -> datetime.datetime:
        return obj.activity.starts_at

    @staticmethod
    def resolve_ends_at(obj) -> datetime.datetime | None:
        return obj.activity.ends_at

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.activity.place

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        return ref(obj.activity.unit)

    @staticmethod
    def resolve_team(obj) -> dict | None:
        return ref(obj.team)

    @staticmethod
    def resolve_theme(obj) -> dict | None:
        return {"id": obj.theme.pk, "name": obj.theme.title} if obj.theme else None

    @staticmethod
    def resolve_action(obj) -> dict | None:
        return {"id": obj.action.pk, "name": obj.action.title} if obj.action else None

    @staticmethod
    def resolve_places(obj) -> int:
        return getattr(obj, "places", None) or 0

    @staticmethod
    def resolve_taken(obj) -> int:
        return getattr(obj, "taken", None) or 0


class ServiceActivityDetailOut(ServiceActivityOut):
    positions: list[ServicePositionOut]
    requirements: str

    @staticmethod
    def resolve_positions(obj) -> list:
        return [
            {
                "id": row.position.pk,
                "name": row.position.name,
                "capacity": row.position.capacity,
                "accepted": row.accepted,
                "waiting": row.waiting,
            }
            for row in selectors.position_rows(obj)
        ]


class ServiceActivityFilters(Schema):
    month: str = Field("", description="2026-03")
    place: str = ""
    team: int | None = None
    skill: int | None = None
    open: bool = Field(False, description="只看正在招募")


def _activity_filter(user, filters: ServiceActivityFilters) -> selectors.ActivityFilter:
    form = f.ActivityFilterForm(
        {
            "month": filters.month,
            "place": filters.place,
            "team": filters.team or "",
            "skill": filters.skill or "",
            "open": filters.open,
        }
    )
    if not form.is_valid():
        raise ValidationError(form.errors)
    data = form.cleaned_data
    flt = selectors.ActivityFilter(place=(data["place"] or "").strip(), skill=data["skill"])
    if data["month"]:
        year, month = (int(p) for p in data["month"].split("-"))
        flt.month = datetime.date(year, month, 1)
    if data["team"]:
        flt.team = get_team_for_user(user, data["team"])
    flt.open_only = bool(data["open"])
    return flt


@router.get(
    "/activities", response={200: list[ServiceActivityOut], **ERRORS}, summary="志愿服务活动"
)
def list_activities(request: HttpRequest, filters: Query[ServiceActivityFilters]):
    user = current_user(request)
    require_use(user)
    return list(selectors.activity_list(user, _activity_filter(user, filters))[:500])


@router.get(
    "/activities/{activity_id}",
    response={200: ServiceActivityDetailOut, **ERRORS},
    summary="活动及其岗位",
)
def activity_detail(request: HttpRequest, activity_id: int):
    return get_service_for_user(current_user(request), activity_id)


class ServicePositionIn(Schema):
    name: str = Field(..., max_length=100)
    capacity: int = Field(..., ge=1, le=10000)
    description: str = Field("", max_length=300)


class ServiceActivityIn(Schema):
    type_id: int | None = Field(None, description="志愿服务类活动类型（默认第一个启用的）")
    unit_id: int
    title: str = Field(..., max_length=200)
    place: str = Field("", max_length=200)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    planned_hours: Decimal
    recruit_until: datetime.datetime
    positions: list[ServicePositionIn]
    requirements: str = ""
    needs_approval: bool = False
    theme_id: int | None = None
    action_id: int | None = None
    team_id: int | None = None
    order_id: int | None = None
    skill_ids: list[int] = []
    notes: str = ""


@router.post(
    "/activities", response={201: ServiceActivityDetailOut, **ERRORS}, summary="发布志愿服务活动"
)
def publish(request: HttpRequest, payload: ServiceActivityIn):
    user = current_user(request)
    require_use(user)
    types = service_types()
    activity_type = types.filter(pk=payload.type_id).first() if payload.type_id else types.first()
    if activity_type is None:
        raise ValidationError({"type_id": _("请选择启用中的志愿服务类活动类型。")})
    service = services.publish_activity(
        actor=user,
        activity_type=activity_type,
        unit=publishing_units(user).filter(pk=payload.unit_id).first(),
        title=payload.title,
        place=payload.place,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        planned_hours=payload.planned_hours,
        recruit_until=payload.recruit_until,
        positions=[
            services.PositionSpec(p.name, p.capacity, p.description) for p in payload.positions
        ],
        requirements=payload.requirements,
        needs_approval=payload.needs_approval,
        theme=visible_themes(user).filter(pk=payload.theme_id).first()
        if payload.theme_id
        else None,
        action=visible_actions(user).filter(pk=payload.action_id).first()
        if payload.action_id
        else None,
        team=get_team_for_user(user, payload.team_id) if payload.team_id else None,
        order=get_order_for_user(user, payload.order_id) if payload.order_id else None,
        skills=list(visible_skills(user).filter(pk__in=payload.skill_ids)),
        notes=payload.notes,
    )
    return 201, service


class VolunteerSignUpIn(Schema):
    position_id: int


class VolunteerSignUpOut(Schema):
    id: int
    activity_id: int = Field(..., alias="service_id")
    position: Ref
    status: str
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None

    @staticmethod
    def resolve_position(obj) -> dict | None:
        return ref(obj.position)


@router.post(
    "/activities/{activity_id}/sign-ups",
    response={201: VolunteerSignUpOut, **ERRORS},
    summary="报名（满员则候补）",
)
def sign_up(request: HttpRequest, activity_id: int, payload: VolunteerSignUpIn):
    user = current_user(request)
    service = get_service_for_user(user, activity_id)
    position = get_object_or_404(service.positions, pk=payload.position_id)
    return 201, services.sign_up(actor=user, service=service, position=position)


@router.post(
    "/sign-ups/{signup_id}/cancel", response={200: VolunteerSignUpOut, **ERRORS}, summary="取消报名"
)
def cancel(request: HttpRequest, signup_id: int):
    user = current_user(request)
    return services.cancel_signup(
        actor=user, signup=get_signup_for_user(user, signup_id, write=True)
    )


class VolunteerCodeIn(Schema):
    code: str = Field(..., max_length=6)
    move: str = Field("in", description="in 签到 / out 签退")


class VolunteerCheckinOut(Schema):
    signup: VolunteerSignUpOut
    hours: Decimal | None


@router.post(
    "/checkin", response={200: VolunteerCheckinOut, **ERRORS}, summary="签到 / 签退（签到码）"
)
def checkin(request: HttpRequest, payload: VolunteerCodeIn):
    user = current_user(request)
    require_use(user)
    if payload.move == "out":
        signup, hours = services.check_out_volunteer(actor=user, code=payload.code)
        return {"signup": signup, "hours": hours.hours if hours else None}
    return {"signup": services.check_in_volunteer(actor=user, code=payload.code), "hours": None}


@router.get(
    "/me/hours", response={200: list[VolunteerServiceLine], **ERRORS}, summary="我的服务时长"
)
def my_hours(request: HttpRequest):
    user = current_user(request)
    volunteer = own_volunteer(user)
    if volunteer is None:
        return []
    return list(selectors.volunteer_hours(user, volunteer))


class HoursObjectionIn(Schema):
    text: str = Field(..., max_length=2000)
    claimed_hours: Decimal | None = None


class HoursObjectionOut(Schema):
    id: int
    status: str
    text: str
    claimed_hours: Decimal | None


@router.post(
    "/hours/{hours_id}/objections",
    response={201: HoursObjectionOut, **ERRORS},
    summary="对时长提出异议",
)
def object_to_hours(request: HttpRequest, hours_id: int, payload: HoursObjectionIn):
    user = current_user(request)
    hours = get_hours_for_user(user, hours_id)
    return 201, services.object_to_hours(
        actor=user, hours=hours, text=payload.text, claimed_hours=payload.claimed_hours
    )


# --- Returns and orders ---------------------------------------------------------------------------


class VolunteerReturnRowOut(Schema):
    unit: Ref
    activities: int
    prescribed: int
    attendances: int
    volunteers: int
    hours: Decimal
    added_hours: Decimal
    actions_done: int
    actions_expected: int
    orders_dispatched: int
    orders_closed: int
    average_rating: Decimal | None

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        return {"id": obj.unit.pk or 0, "name": obj.unit.name}


class VolunteerReturnOut(Schema):
    month: str
    rows: list[VolunteerReturnRowOut]
    total: VolunteerReturnRowOut


@router.get("/returns", response={200: VolunteerReturnOut, **ERRORS}, summary="志愿服务月报")
def monthly_return(request: HttpRequest, month: str = "", unit: int | None = None):
    from .views.returns import _month

    user = current_user(request)
    require_perm(user, "volunteer.view")
    scope_unit = get_unit_in_scope(user, unit, perm="volunteer.view") if unit else None
    report = selectors.monthly_return(user, _month(month), scope_unit)
    return {"month": f"{report.month:%Y-%m}", "rows": report.rows, "total": report.total}


class ServiceOrderOut(Schema):
    id: int
    code: str
    status: str
    community: str
    need: str
    category: str
    team: Ref | None
    deadline: datetime.date | None
    task_id: int | None
    rating: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_team(obj) -> dict | None:
        return ref(obj.team)


@router.get("/orders", response={200: list[ServiceOrderOut], **ERRORS}, summary="群众点单")
def list_orders(request: HttpRequest, status: str = ""):
    user = current_user(request)
    require_use(user)
    return list(selectors.order_list(user, status=status)[:500])


class ServiceOrderMoveIn(Schema):
    accept: bool | None = None
    category: str = ""
    reason: str = ""
    team_id: int | None = None
    campaign_id: int | None = None
    deadline: datetime.date | None = None
    activity_id: int | None = None


@router.post(
    "/orders/{order_id}/{move}",
    response={200: ServiceOrderOut, **ERRORS},
    summary="办理点单：review 审核 / dispatch 派单 / take 接单 / hand-back 退回 / close 办结",
)
def order_move(request: HttpRequest, order_id: int, move: str, payload: ServiceOrderMoveIn):
    user = current_user(request)
    order = get_order_for_user(user, order_id)
    if move == "review":
        return order_moves.review_order(
            actor=user,
            order=order,
            accept=bool(payload.accept),
            category=payload.category,
            reason=payload.reason,
        )
    if move == "dispatch":
        campaign = f.centre_campaigns(user).filter(pk=payload.campaign_id).first()
        if campaign is None or payload.team_id is None:
            raise ValidationError({"campaign_id": _("请选择承接队伍和计入的专项行动。")})
        return order_moves.dispatch_order(
            actor=user,
            order=order,
            team=get_team_for_user(user, payload.team_id),
            campaign=campaign,
            deadline=payload.deadline,
        )
    if move == "take":
        return order_moves.take_order(actor=user, order=order)
    if move == "hand-back":
        return order_moves.hand_back_order(actor=user, order=order, reason=payload.reason)
    if move == "close":
        service = get_service_for_user(user, payload.activity_id or 0)
        return order_moves.close_order(actor=user, order=order, service=service)
    raise Http404


# --- Public: no login, nothing personal -----------------------------------------------------------


class OrderChallengeOut(Schema):
    question: str
    challenge: str


@router.get(
    "/public/orders/challenge",
    auth=None,
    response={200: OrderChallengeOut},
    summary="点单验证题（无需登录）",
)
def order_challenge(request: HttpRequest):
    question, token = challenge()
    return {"question": question, "challenge": token}


class PublicOrderIn(Schema):
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    community: str = Field(..., max_length=100)
    need: str = Field(..., max_length=2000)
    preferred_time: str = Field("", max_length=100)
    challenge: str
    answer: int


class PublicOrderOut(Schema):
    code: str
    status: str
    status_display: str
    category: str
    decline_reason: str
    team: str
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    rating: int | None

    @staticmethod
    def resolve_status_display(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_team(obj) -> str:
        return obj.team.name if obj.team and obj.status != ServiceOrder.Status.ACCEPTED else ""


@router.post(
    "/public/orders",
    auth=None,
    response={201: PublicOrderOut, 422: Message, 429: Message},
    summary="群众点单（无需登录，限频）",
)
def public_order(request: HttpRequest, payload: PublicOrderIn):
    try:
        wanted = signing.loads(payload.challenge, salt=CHALLENGE_SALT, max_age=1800)
    except signing.BadSignature:
        raise ValidationError({"challenge": _("验证已过期，请重新计算。")}) from None
    if payload.answer != wanted:
        raise ValidationError({"answer": _("计算结果不对，请重新计算。")})
    ip = client_ip(request) or "unknown"
    phone_key = lookup_hash(payload.phone.strip(), context="volunteering.order.phone")
    if limited(f"volunteering:order-ip:{ip}", PER_ADDRESS, 3600) or limited(
        f"volunteering:order-phone:{phone_key}", PER_PHONE, 86400
    ):
        return 429, {"detail": _("提交过于频繁，请稍后再试。")}
    order = order_moves.place_order(
        actor=None,
        name=payload.name,
        phone=payload.phone,
        community=payload.community,
        need=payload.need,
        preferred_time=payload.preferred_time,
    )
    return 201, order


def _public_order(request: HttpRequest, code: str) -> ServiceOrder:
    ip = client_ip(request) or "unknown"
    if limited(f"volunteering:order-lookup:{ip}", LOOKUPS_PER_ADDRESS, 3600):
        raise Http404
    order = ServiceOrder.objects.select_related("team").filter(code=code.strip().upper()).first()
    if order is None:
        raise Http404
    return order


@router.get(
    "/public/orders/{code}",
    auth=None,
    response={200: PublicOrderOut, 404: Message},
    summary="凭编号查询点单（无需登录）",
)
def public_order_status(request: HttpRequest, code: str):
    return _public_order(request, code)


class OrderRatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)


@router.post(
    "/public/orders/{code}/rating",
    auth=None,
    response={200: PublicOrderOut, 404: Message, 422: Message},
    summary="评价点单（无需登录）",
)
def public_rate(request: HttpRequest, code: str, payload: OrderRatingIn):
    order = _public_order(request, code)
    return order_moves.rate_order(code=order.code, rating=payload.rating, comment=payload.comment)


class CertificateVerifyOut(Schema):
    genuine: bool
    number: str
    masked_name: str
    hours: Decimal
    issuer: str
    issued_on: datetime.date


@router.get(
    "/public/certificates/{token}",
    auth=None,
    response={200: CertificateVerifyOut, 404: Message},
    summary="核验志愿服务证明（无需登录）",
)
def verify(request: HttpRequest, token: str):
    certificate = Certificate.objects.select_related("issuer").filter(token=token).first()
    if certificate is None:
        raise Http404
    return {
        "genuine": True,
        "number": certificate.number,
        "masked_name": certificate.masked_name,
        "hours": certificate.hours,
        "issuer": certificate.issuer.name,
        "issued_on": certificate.issued_at.date(),
    }
