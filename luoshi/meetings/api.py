"""JSON API of meetings: the same services, selectors and scope as the pages."""

import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.campaigns.models import Campaign
from luoshi.ledgers.access import get_type_for_user, recordable_campaigns, recording_units
from luoshi.ledgers.models import Activity
from luoshi.org.access import get_person_for_user, get_unit_in_scope, visible_people

from . import selectors, services
from .access import decision_perm, get_agenda_campaign_for_user, get_meeting_for_user
from .models import Decision

router = Router(tags=["会议"])


class DecisionOut(Schema):
    id: int
    text: str
    unit: Ref
    owner: Ref
    deadline: datetime.date
    task_id: int
    task_state: str
    task_state_display: str
    task_warning: str
    task_progress: int

    @staticmethod
    def resolve_unit(obj: Decision) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_owner(obj: Decision) -> dict | None:
        return ref(obj.owner)

    @staticmethod
    def resolve_task_state(obj: Decision) -> str:
        return obj.task.state

    @staticmethod
    def resolve_task_state_display(obj: Decision) -> str:
        return obj.task.get_state_display()

    @staticmethod
    def resolve_task_warning(obj: Decision) -> str:
        return obj.task.warning

    @staticmethod
    def resolve_task_progress(obj: Decision) -> int:
        return obj.task.progress


class MeetingOut(Schema):
    id: int
    title: str
    type: Ref
    unit: Ref
    starts_at: datetime.datetime
    place: str
    campaign_id: int | None
    agenda: str
    minutes: str

    @staticmethod
    def resolve_type(obj: Activity) -> dict | None:
        return ref(obj.type)

    @staticmethod
    def resolve_unit(obj: Activity) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_campaign_id(obj: Activity) -> int | None:
        meeting = getattr(obj, "meeting", None)
        return meeting.campaign_id if meeting else None

    @staticmethod
    def resolve_agenda(obj: Activity) -> str:
        meeting = getattr(obj, "meeting", None)
        return meeting.agenda if meeting else ""

    @staticmethod
    def resolve_minutes(obj: Activity) -> str:
        meeting = getattr(obj, "meeting", None)
        return meeting.minutes if meeting else ""


class MeetingDetailOut(MeetingOut):
    participants: list[Ref]
    decisions: list[DecisionOut]


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MeetingOut]


class MeetingFilters(Schema):
    type: int | None = None
    unit: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""


class MeetingIn(Schema):
    type_id: int
    unit_id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    place: str = ""
    participant_ids: list[int] = []
    campaign_id: int | None = None
    agenda: str = ""
    minutes: str = ""


class DecisionIn(Schema):
    text: str
    unit_id: int
    owner_id: int
    deadline: datetime.date


class AgendaOut(Schema):
    agenda: str
    red: int
    yellow: int


def _campaign(user, pk: int | None) -> Campaign | None:
    """A campaign the user's records may count toward (as the ledger allows), or 404."""
    if pk is None:
        return None
    campaign = recordable_campaigns(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def _detail(user, pk: int) -> dict:
    activity = get_meeting_for_user(user, pk)
    activity.participants = [  # type: ignore[attr-defined]
        ref(p.person) for p in activity.participations.select_related("person")
    ]
    activity.decisions = selectors.decisions_of(user, activity)  # type: ignore[attr-defined]
    return activity  # type: ignore[return-value]


@router.get("", response={200: MeetingPage, **ERRORS}, summary="会议列表（可筛选、分页）")
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters], page: Query[PageParams]):
    user = current_user(request)
    unit = get_unit_in_scope(user, filters.unit, perm="ledger.view") if filters.unit else None
    flt = selectors.MeetingFilter(
        type_id=filters.type,
        unit=unit,
        date_from=filters.date_from,
        date_to=filters.date_to,
        text=filters.q.strip(),
    )
    return paginate(selectors.meeting_list(user, flt), page)


@router.get(
    "/agenda", response={200: AgendaOut, **ERRORS}, summary="按专项行动的红色、黄色预警任务生成议程"
)
def agenda(request: HttpRequest, campaign: int):
    user = current_user(request)
    found = get_agenda_campaign_for_user(user, campaign)
    tasks = selectors.warning_tasks(user, found)
    return {
        "agenda": selectors.warning_agenda(user, found),
        "red": sum(1 for t in tasks if t.warning == "red"),
        "yellow": sum(1 for t in tasks if t.warning == "yellow"),
    }


@router.get("/{int:pk}", response={200: MeetingDetailOut, **ERRORS}, summary="会议详情")
def get_meeting(request: HttpRequest, pk: int):
    return _detail(current_user(request), pk)


@router.post("", response={201: MeetingDetailOut, **ERRORS}, summary="登记会议")
def create_meeting(request: HttpRequest, payload: MeetingIn):
    user = current_user(request)
    unit = recording_units(user).filter(pk=payload.unit_id).first()
    if unit is None:
        raise Http404
    people = list(visible_people(user, "ledger.record").filter(pk__in=payload.participant_ids))
    if len(people) != len(set(payload.participant_ids)):
        raise Http404
    meeting = services.create_meeting(
        actor=user,
        activity_type=get_type_for_user(user, payload.type_id),
        unit=unit,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        participants=people,
        campaign=_campaign(user, payload.campaign_id),
        agenda=payload.agenda,
        minutes=payload.minutes,
    )
    return Status(201, _detail(user, meeting.activity_id))


@router.get("/{int:pk}/decisions", response={200: list[DecisionOut], **ERRORS}, summary="议定事项")
def list_decisions(request: HttpRequest, pk: int):
    user = current_user(request)
    return selectors.decisions_of(user, get_meeting_for_user(user, pk))


@router.post(
    "/{int:pk}/decisions",
    response={201: DecisionOut, **ERRORS},
    summary="记录议定事项并下发督办（建任务、下发、确定责任人一步完成）",
)
def create_decision(request: HttpRequest, pk: int, payload: DecisionIn):
    user = current_user(request)
    activity = get_meeting_for_user(user, pk)
    decision = services.create_decision(
        actor=user,
        activity=activity,
        text=payload.text,
        unit=get_unit_in_scope(
            user,
            payload.unit_id,
            perm=decision_perm(user, getattr(activity, "meeting", None)) or "task.issue",
        ),
        owner=get_person_for_user(user, payload.owner_id),
        deadline=payload.deadline,
    )
    return Status(201, decision)
