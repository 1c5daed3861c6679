"""JSON API of rectification: the same services, selectors and scope as the pages."""

import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from luoshi.accounts.models import User
from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.campaigns.access import get_campaign_for_user
from luoshi.campaigns.models import Task
from luoshi.org.access import get_unit_in_scope, visible_people

from . import selectors, services
from .access import (
    finding_campaigns,
    finding_perm,
    get_inspection_for_user,
    get_task_force_for_user,
)
from .models import Finding, Problem, TaskForce

router = Router(tags=["整改"])


class TaskStatus(Schema):
    id: int
    state: str
    state_display: str
    warning: str
    progress: int
    deadline: datetime.date | None
    owner: Ref | None
    closed_at: datetime.datetime | None


def _task(task: Task) -> dict:
    return {
        "id": task.pk,
        "state": task.state,
        "state_display": task.get_state_display(),
        "warning": task.warning,
        "progress": task.progress,
        "deadline": task.deadline,
        "owner": ref(task.owner),
        "closed_at": task.closed_at,
    }


class TaskForceOut(Schema):
    id: int
    name: str
    campaign: Ref
    lead: Ref
    members: list[Ref]
    description: str

    @staticmethod
    def resolve_campaign(obj: TaskForce) -> dict | None:
        return {"id": obj.campaign_id, "name": obj.campaign.display_name}

    @staticmethod
    def resolve_lead(obj: TaskForce) -> dict | None:
        return ref(obj.lead)

    @staticmethod
    def resolve_members(obj: TaskForce) -> list:
        return [ref(m) for m in obj.members.all()]


class TaskForceIn(Schema):
    campaign_id: int
    name: str
    lead_id: int
    member_ids: list[int] = []
    description: str = ""


class ProblemOut(Schema):
    id: int
    title: str
    description: str
    source: str
    campaign_id: int
    unit: Ref
    task_force: Ref | None
    deadline: datetime.date
    task: TaskStatus

    @staticmethod
    def resolve_unit(obj: Problem) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_task_force(obj: Problem) -> dict | None:
        return ref(obj.task_force)

    @staticmethod
    def resolve_task(obj: Problem) -> dict:
        return _task(obj.task)


class ProblemPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProblemOut]


class ProblemFilters(Schema):
    campaign: int | None = None
    unit: int | None = None
    state: str = ""
    warning: str = ""
    task_force: int | None = None
    q: str = ""


class ProblemIn(Schema):
    campaign_id: int
    title: str
    description: str = ""
    source: str = ""
    unit_id: int
    task_force_id: int | None = None
    deadline: datetime.date


class FindingOut(Schema):
    id: int
    activity_id: int
    description: str
    unit: Ref
    deadline: datetime.date
    task: TaskStatus

    @staticmethod
    def resolve_unit(obj: Finding) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_task(obj: Finding) -> dict:
        return _task(obj.task)


class FindingIn(Schema):
    campaign_id: int
    description: str
    unit_id: int
    deadline: datetime.date


class InspectionOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    unit: Ref
    venue_name: str
    venue_kind: str
    result: str
    findings_text: str
    inspectors: list[Ref]
    findings: list[FindingOut]

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.values.get("venue_name", "")

    @staticmethod
    def resolve_venue_kind(obj) -> str:
        return obj.values.get("venue_kind", "")

    @staticmethod
    def resolve_result(obj) -> str:
        return obj.values.get("result", "")

    @staticmethod
    def resolve_findings_text(obj) -> str:
        return obj.values.get("findings", "")

    @staticmethod
    def resolve_inspectors(obj) -> list:
        return [ref(p.person) for p in obj.participations.all()]

    @staticmethod
    def resolve_findings(obj) -> list:
        return list(obj.findings.all())


class InspectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[InspectionOut]


class InspectionFilters(Schema):
    unit: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    venue_kind: str = ""
    result: str = ""
    q: str = ""


def _people(user: User, ids: list[int]) -> list[User]:
    people = list(visible_people(user).filter(pk__in=ids))
    if len(people) != len(set(ids)):
        raise Http404
    return people


# --- Task forces ----------------------------------------------------------------------------------


@router.get("/task-forces", response={200: list[TaskForceOut], **ERRORS}, summary="项目攻坚组")
def list_task_forces(request: HttpRequest):
    return list(selectors.task_force_list(current_user(request)))


@router.post("/task-forces", response={201: TaskForceOut, **ERRORS}, summary="成立项目攻坚组")
def create_task_force(request: HttpRequest, payload: TaskForceIn):
    user = current_user(request)
    campaign = get_campaign_for_user(user, payload.campaign_id)
    [lead] = _people(user, [payload.lead_id])
    task_force = services.create_task_force(
        actor=user,
        campaign=campaign,
        name=payload.name,
        lead=lead,
        members=_people(user, payload.member_ids),
        description=payload.description,
    )
    return Status(201, get_task_force_for_user(user, task_force.pk))


# --- Problems -------------------------------------------------------------------------------------


@router.get("/problems", response={200: ProblemPage, **ERRORS}, summary="整改问题清单")
def list_problems(request: HttpRequest, filters: Query[ProblemFilters], page: Query[PageParams]):
    user = current_user(request)
    unit = get_unit_in_scope(user, filters.unit, perm="task.view") if filters.unit else None
    flt = selectors.ProblemFilter(
        campaign_id=filters.campaign,
        unit=unit,
        state=filters.state,
        warning=filters.warning,
        task_force_id=filters.task_force,
        text=filters.q,
    )
    return paginate(selectors.problem_list(user, flt), page)


@router.post(
    "/problems", response={201: ProblemOut, **ERRORS}, summary="新增整改问题并下发整改任务"
)
def create_problem(request: HttpRequest, payload: ProblemIn):
    user = current_user(request)
    campaign = get_campaign_for_user(user, payload.campaign_id)
    task_force = (
        get_task_force_for_user(user, payload.task_force_id) if payload.task_force_id else None
    )
    problem = services.create_problem(
        actor=user,
        campaign=campaign,
        title=payload.title,
        description=payload.description,
        source=payload.source,
        unit=get_unit_in_scope(user, payload.unit_id, perm="task.issue"),
        task_force=task_force,
        deadline=payload.deadline,
    )
    return Status(201, problem)


# --- Inspections and findings ---------------------------------------------------------------------


@router.get("/inspections", response={200: InspectionPage, **ERRORS}, summary="文化市场检查")
def list_inspections(
    request: HttpRequest, filters: Query[InspectionFilters], page: Query[PageParams]
):
    user = current_user(request)
    unit = get_unit_in_scope(user, filters.unit, perm="ledger.view") if filters.unit else None
    flt = selectors.InspectionFilter(
        unit=unit,
        date_from=filters.date_from,
        date_to=filters.date_to,
        venue_kind=filters.venue_kind,
        result=filters.result,
        text=filters.q,
    )
    return paginate(selectors.inspection_list(user, flt), page)


@router.get("/inspections/{int:pk}", response={200: InspectionOut, **ERRORS}, summary="检查详情")
def get_inspection(request: HttpRequest, pk: int):
    user = current_user(request)
    get_inspection_for_user(user, pk)
    return selectors.inspection_list(user, selectors.InspectionFilter()).get(pk=pk)


@router.post(
    "/inspections/{int:pk}/findings",
    response={201: FindingOut, **ERRORS},
    summary="登记检查发现问题并下发整改任务",
)
def create_finding(request: HttpRequest, pk: int, payload: FindingIn):
    user = current_user(request)
    inspection = get_inspection_for_user(user, pk)
    perm = finding_perm(user, inspection) or "task.issue"
    # as the page offers them: a liaison's own records count toward campaigns they do not manage
    campaign = finding_campaigns(user, perm).filter(pk=payload.campaign_id).first()
    finding = services.create_finding(
        actor=user,
        activity=inspection,
        campaign=campaign or get_campaign_for_user(user, payload.campaign_id),
        description=payload.description,
        unit=get_unit_in_scope(user, payload.unit_id, perm=perm),
        deadline=payload.deadline,
    )
    return Status(201, finding)
