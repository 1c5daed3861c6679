"""JSON API of study: the same services, selectors and scope as the pages."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.ledgers.models import Activity
from luoshi.org.access import require_perm, scope_for

from . import selectors, services
from .access import get_essay_for_user, get_group_for_user, get_study_campaign
from .models import GroupMember, StudyGroup

router = Router(tags=["学习"])


class MemberOut(Schema):
    person: Ref
    role: str
    role_display: str

    @staticmethod
    def resolve_person(obj: GroupMember) -> dict | None:
        return ref(obj.person)

    @staticmethod
    def resolve_role_display(obj: GroupMember) -> str:
        return obj.get_role_display()


class GroupOut(Schema):
    id: int
    name: str
    description: str
    unit: Ref
    members: list[MemberOut]

    @staticmethod
    def resolve_unit(obj: StudyGroup) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_members(obj: StudyGroup) -> list:
        return getattr(obj, "member_list", [])


class ReadingOut(Schema):
    id: int
    title: str
    author: str
    note: str
    sort_order: int


class RecordOut(Schema):
    """A reading record or an essay: a personal activity of the ledger."""

    id: int
    title: str
    date: datetime.date
    person: Ref | None
    unit: Ref
    book: str = ""
    author: str = ""
    designated: bool = False
    text: str = ""
    excellent: bool = False

    @staticmethod
    def resolve_date(obj: Activity) -> datetime.date:
        return timezone.localtime(obj.starts_at).date()

    @staticmethod
    def resolve_person(obj: Activity) -> dict | None:
        return ref(selectors.author_of(obj))

    @staticmethod
    def resolve_unit(obj: Activity) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_book(obj: Activity) -> str:
        return str(obj.values.get("book", ""))

    @staticmethod
    def resolve_author(obj: Activity) -> str:
        return str(obj.values.get("author", ""))

    @staticmethod
    def resolve_designated(obj: Activity) -> bool:
        return obj.values.get("designated") == services.YES

    @staticmethod
    def resolve_text(obj: Activity) -> str:
        return obj.notes

    @staticmethod
    def resolve_excellent(obj: Activity) -> bool:
        return obj.commended_at is not None


class StudyFilters(Schema):
    campaign: int | None = Field(None, description="专项行动（默认：进行中的最新一项）")
    unit: int | None = Field(None, description="单位（含下级）")
    only: bool = Field(False, description="只含该单位本身")
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    person: int | None = None
    q: str = ""


def _filter(request: HttpRequest, filters: StudyFilters) -> selectors.StudyFilter:
    user = current_user(request)
    require_perm(user, "ledger.view")
    return selectors.build_filter(
        user,
        campaign_id=filters.campaign,
        unit_id=filters.unit,
        only=filters.only,
        date_from=filters.date_from,
        date_to=filters.date_to,
        person_id=filters.person,
        text=filters.q,
    )


@router.get("/groups", response={200: list[GroupOut], **ERRORS}, summary="学习小组及成员")
def list_groups(request: HttpRequest, unit: int | None = None, q: str = ""):
    user = current_user(request)
    require_perm(user, "ledger.view")
    from luoshi.org.access import get_unit_in_scope

    scope_unit = get_unit_in_scope(user, unit, perm="ledger.view") if unit else None
    groups = list(selectors.group_list(user, unit=scope_unit, text=q))
    members = selectors.members_of(groups)
    for group in groups:
        group.member_list = members.get(group.pk, [])  # type: ignore[attr-defined]
    return groups


@router.get("/groups/{int:group_id}", response={200: GroupOut, **ERRORS}, summary="学习小组详情")
def get_group(request: HttpRequest, group_id: int):
    group = get_group_for_user(current_user(request), group_id)
    group.member_list = selectors.members_of([group]).get(group.pk, [])  # type: ignore[attr-defined]
    return group


@router.get("/readings", response={200: list[ReadingOut], **ERRORS}, summary="指定读本")
def list_readings(request: HttpRequest, campaign: int | None = None):
    user = current_user(request)
    require_perm(user, "ledger.view")
    return selectors.reading_list(get_study_campaign(user, campaign))


@router.get("/books", response={200: list[RecordOut], **ERRORS}, summary="读书记录")
def list_books(request: HttpRequest, filters: Query[StudyFilters], designated: bool = False):
    flt = _filter(request, filters)
    return list(selectors.reading_records(current_user(request), flt, designated=designated)[:500])


class BookIn(Schema):
    campaign_id: int | None = None
    reading_id: int | None = Field(None, description="指定读本（与 title 二选一）")
    title: str = Field("", max_length=200)
    author: str = Field("", max_length=100)
    finished_on: datetime.date
    notes: str = ""


@router.post("/books", response={201: RecordOut, **ERRORS}, summary="记录读书（本人）")
def create_book(request: HttpRequest, payload: BookIn):
    user = current_user(request)
    campaign = get_study_campaign(user, payload.campaign_id)
    reading = None
    if payload.reading_id is not None:
        from .access import get_reading_for_user

        reading = get_reading_for_user(user, payload.reading_id)
    _require_campaign(campaign)
    assert campaign is not None
    activity = services.record_reading(
        actor=user,
        campaign=campaign,
        reading=reading,
        title=payload.title,
        author=payload.author,
        finished_on=payload.finished_on,
        notes=payload.notes,
    )
    return 201, activity


def _require_campaign(campaign) -> bool:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if campaign is None:
        raise ValidationError({"campaign_id": _("您目前没有参加的专项行动。")})
    return True


class EssayPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RecordOut]


@router.get("/essays", response={200: EssayPage, **ERRORS}, summary="心得体会（可筛选、分页）")
def list_essays(
    request: HttpRequest,
    filters: Query[StudyFilters],
    page: Query[PageParams],
    excellent: bool = False,
):
    flt = _filter(request, filters)
    return paginate(selectors.essays(current_user(request), flt, excellent=excellent), page)


class EssayIn(Schema):
    campaign_id: int | None = None
    title: str = Field(..., max_length=200)
    written_on: datetime.date | None = None
    text: str = Field(..., description="正文（上传文稿请用页面）")


@router.post("/essays", response={201: RecordOut, **ERRORS}, summary="提交心得体会（本人）")
def create_essay(request: HttpRequest, payload: EssayIn):
    user = current_user(request)
    campaign = get_study_campaign(user, payload.campaign_id)
    _require_campaign(campaign)
    assert campaign is not None
    activity = services.write_essay(
        actor=user,
        campaign=campaign,
        title=payload.title,
        written_on=payload.written_on,
        text=payload.text,
    )
    return 201, activity


@router.post(
    "/essays/{int:essay_id}/commend", response={200: RecordOut, **ERRORS}, summary="评为优秀"
)
def commend(request: HttpRequest, essay_id: int):
    user = current_user(request)
    return services.commend_essay(
        actor=user, activity=get_essay_for_user(user, essay_id, write=True)
    )


@router.delete(
    "/essays/{int:essay_id}/commend", response={200: RecordOut, **ERRORS}, summary="取消优秀"
)
def uncommend(request: HttpRequest, essay_id: int):
    user = current_user(request)
    return services.uncommend_essay(
        actor=user, activity=get_essay_for_user(user, essay_id, write=True)
    )


class CountRow(Schema):
    person: Ref | None = None
    unit: Ref | None = None
    sessions: dict[str, int]
    books: int
    designated: int
    essays: int
    excellent: int


@router.get("/counts", response={200: list[CountRow], **ERRORS}, summary="学习统计（按人员或单位）")
def counts(request: HttpRequest, filters: Query[StudyFilters], by: str = "person"):
    user = current_user(request)
    flt = _filter(request, filters)
    by_unit = by == "unit" and scope_for(user, "ledger.view").covers_units()
    table = (
        selectors.unit_study_counts(user, flt)
        if by_unit
        else selectors.person_study_counts(user, flt)
    )
    names = [t.name for t in table.session_types]
    return [
        {
            "person": ref(row.get("person")),
            "unit": ref(row.get("unit")),
            "sessions": dict(zip(names, row["sessions"], strict=True)),
            **{key: row[key] for key in selectors.PERSONAL_COLUMNS},
        }
        for row in table.rows
    ]
