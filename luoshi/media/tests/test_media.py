"""Media matrix: channels, publications recorded once (ledger + matrix), targets, the matrix table,
exports, the API and the outsider's 404s."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity, ActivityType, Category, Participation
from luoshi.media import services
from luoshi.media.models import Channel, JournalistTarget, Level, PeriodKind, Publication
from luoshi.media.selectors import Period, matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_type(world) -> ActivityType:
    return ledger.create_activity_type(
        actor=world.office, name="宣传报道", category=Category.MEDIA, campaign=world.campaign
    )


def channel(name: str) -> Channel:
    return Channel.objects.get(name=name)


def _publish(world, *, title="稿件", day=None, name="微信公众号", level=Level.CITY, authors=None):
    when = timezone.make_aware(
        datetime.datetime.combine(day or timezone.localdate(), datetime.time(9))
    )
    return services.create_publication(
        actor=world.liaison,
        unit=world.unit_a,
        title=title,
        published_at=when,
        channel=channel(name),
        level=level,
        authors=authors or [world.staff],
        views=100,
    )


def this_month() -> Period:
    return Period.parse(None)


# --- Channels -------------------------------------------------------------------------------------


def test_default_channels_come_with_the_migration():
    assert list(Channel.objects.values_list("name", flat=True)) == [
        "报纸",
        "电视",
        "广播",
        "微信公众号",
        "抖音/视频号",
        "学习强国号",
        "新闻客户端",
        "网站",
    ]


def test_office_configures_channels_others_may_not(world, client_for):
    office = client_for(world.office)
    response = office.post(reverse("media:channel-list"), {"name": "微博", "sort_order": 90})
    assert response.status_code == 302
    weibo = Channel.objects.get(name="微博")
    assert AuditEvent.objects.filter(action="create", object_id=str(weibo.pk)).exists()
    response = office.post(
        reverse("media:channel-edit", args=[weibo.pk]), {"name": "微博", "sort_order": 90}
    )
    weibo.refresh_from_db()
    assert weibo.is_active is False  # unchecked box: deactivated
    duplicate = office.post(reverse("media:channel-list"), {"name": "报纸", "sort_order": 1})
    assert "已有名为“报纸”的渠道" in duplicate.content.decode()
    assert client_for(world.liaison).get(reverse("media:channel-list")).status_code == 403
    assert (
        client_for(world.liaison).post(reverse("media:channel-list"), {"name": "X"}).status_code
        == 403
    )


# --- Publications ---------------------------------------------------------------------------------


def test_publication_is_one_ledger_activity_with_authors_as_participants(
    world, client_for, media_type
):
    response = client_for(world.liaison).post(
        reverse("media:publication-create"),
        {
            "title": "茫崖：“四大”专项行动见实效",
            "activity_type": media_type.pk,
            "unit": world.unit_a.pk,
            "published_on": timezone.localdate().isoformat(),
            "channel": channel("学习强国号").pk,
            "level": Level.PROVINCE,
            "authors": [world.staff.pk, world.staff2.pk],
            "link": "https://www.xuexi.cn/article/1",
            "views": 3200,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    publication = Publication.objects.get()
    activity = publication.activity
    assert activity.type == media_type and activity.unit == world.unit_a
    assert activity.title == "茫崖：“四大”专项行动见实效"
    assert set(activity.participations.values_list("person", flat=True)) == {
        world.staff.pk,
        world.staff2.pk,
    }
    assert (publication.channel.name, publication.level, publication.views) == (
        "学习强国号",
        "province",
        3200,
    )
    assert list(activity.campaigns.all()) == [world.campaign]
    # The same record counts in the ledger.
    ledger_page = client_for(world.liaison).get(reverse("ledgers:ledger"))
    assert ledger_page.context["pivot"].total == 1
    assert AuditEvent.objects.filter(object_type="media.publication", action="create").exists()


def test_invalid_publication_saves_nothing_and_names_every_field(world, client_for, media_type):
    response = client_for(world.liaison).post(
        reverse("media:publication-create"),
        {
            "title": "",
            "activity_type": media_type.pk,
            "unit": world.unit_a.pk,
            "published_on": timezone.localdate().isoformat(),
            "channel": channel("报纸").pk,
            "level": Level.CITY,
            "authors": [world.outsider.pk],
            "link": "not a url",
        },
    )
    assert response.status_code == 200
    assert not Activity.objects.exists() and not Publication.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.create_publication(
            actor=world.liaison,
            unit=world.unit_a,
            title="",
            published_at=timezone.now(),
            channel=channel("报纸"),
            level="county",
            authors=[world.staff],
            link="ftp://x",
        )
    errors = caught.value.message_dict
    assert {"title", "level", "link"} <= set(errors)
    assert "链接须是以 http:// 或 https:// 开头的网址。" in errors["link"]
    assert not Activity.objects.exists()


def test_publication_edit_views_and_outsider_404(world, client_for, media_type):
    publication = _publish(world)
    url = reverse("media:publication-detail", args=[publication.pk])
    response = client_for(world.liaison).post(
        url, {"channel": channel("网站").pk, "level": Level.PREFECTURE, "link": "", "views": 5000}
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert (publication.channel.name, publication.level, publication.views) == (
        "网站",
        "prefecture",
        5000,
    )
    assert AuditEvent.objects.filter(object_type="media.publication", action="update").exists()
    outsider = client_for(world.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"views": 1}).status_code == 404
    listing = outsider.get(reverse("media:publication-list"))
    assert list(listing.context["publications"]) == []
    export = outsider.get(reverse("media:publication-list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3  # title, note, header: no rows of unit A
    assert (
        outsider.get(reverse("media:publication-list") + f"?unit={world.unit_a.pk}").status_code
        == 404
    )
    # The leader sees it but may not change it.
    leader = client_for(world.leader)
    assert leader.get(url).context["form"] is None
    assert leader.post(url, {"views": 1}).status_code == 403


def test_publication_list_filters_and_export(world, client_for, media_type):
    _publish(world, title="报纸稿", name="报纸", level=Level.CENTRAL)
    _publish(world, title="网站稿", name="网站", level=Level.CITY, authors=[world.staff2])
    client = client_for(world.liaison)
    by_channel = client.get(reverse("media:publication-list") + f"?channel={channel('报纸').pk}")
    assert [p.activity.title for p, _a in by_channel.context["publications"]] == ["报纸稿"]
    by_person = client.get(reverse("media:publication-list") + f"?person={world.staff2.pk}")
    assert [p.activity.title for p, _a in by_person.context["publications"]] == ["网站稿"]
    by_level = client.get(reverse("media:publication-list") + "?level=central")
    assert len(by_level.context["publications"]) == 1
    export = client.get(reverse("media:publication-list") + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][:4] == ("刊播时间", "标题", "渠道", "级别")
    assert {row[1] for row in rows[3:]} == {"报纸稿", "网站稿"}
    assert AuditEvent.objects.filter(action="export", object_type="media.publication").exists()


# --- Targets and the matrix -----------------------------------------------------------------------


def test_targets_by_liaison_upsert_and_check_membership(world, client_for):
    period = this_month()
    client = client_for(world.liaison)
    data = {
        "unit": world.unit_a.pk,
        "person": world.staff.pk,
        "period_kind": PeriodKind.MONTH,
        "period_start": period.start.strftime("%Y-%m"),
        "level": "",
        "count": 4,
    }
    assert client.post(reverse("media:target-list"), data).status_code == 302
    assert client.post(reverse("media:target-list"), {**data, "count": 6}).status_code == 302
    target = JournalistTarget.objects.get()
    assert (target.count, target.period_start, target.unit) == (6, period.start, world.unit_a)
    assert AuditEvent.objects.filter(object_type="media.journalisttarget", action="update").exists()
    # Someone of another unit cannot be given a target here.
    response = client.post(reverse("media:target-list"), {**data, "person": world.outsider.pk})
    assert response.status_code == 200 and JournalistTarget.objects.count() == 1
    # Plain staff and the outsider may not set targets for unit A.
    assert not client_for(world.staff).get(reverse("media:target-list")).context["form"]
    with pytest.raises(ValidationError):
        services.set_target(
            actor=world.outsider,
            person=world.staff,
            unit=world.unit_a,
            period_kind=PeriodKind.MONTH,
            period_start=period.start,
            count=1,
        )
    outsider = client_for(world.outsider)
    assert outsider.post(reverse("media:target-delete", args=[target.pk])).status_code == 404
    assert list(outsider.get(reverse("media:target-list")).context["rows"]) == []
    export = outsider.get(reverse("media:target-list") + "?export=xlsx")
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 3
    assert client.post(reverse("media:target-delete", args=[target.pk])).status_code == 302
    assert not JournalistTarget.objects.exists()


def _target(world, person, count, level="", period=None, kind=PeriodKind.MONTH):
    period = period or this_month()
    return services.set_target(
        actor=world.liaison,
        person=person,
        unit=world.unit_a,
        period_kind=kind,
        period_start=period.start,
        count=count,
        level=level,
    )


def test_matrix_targets_vs_placements_per_channel_and_level(world, client_for, media_type):
    today = timezone.localdate()
    _target(world, world.staff, 2)
    _target(world, world.staff, 1, level=Level.PROVINCE)
    _target(world, world.staff2, 3)
    _publish(world, name="报纸", level=Level.PROVINCE, authors=[world.staff, world.staff2])
    _publish(world, name="微信公众号", level=Level.CITY, authors=[world.staff])
    # Last month's piece does not count this month.
    _publish(world, day=this_month().start - datetime.timedelta(days=1), authors=[world.staff2])
    table = matrix(world.liaison, period=this_month())
    rows = {row.person.pk: row for row in table.rows}
    staff, staff2 = rows[world.staff.pk], rows[world.staff2.pk]
    assert (staff.target, staff.placements, staff.rate, staff.under) == (2, 2, 100.0, False)
    assert (staff2.target, staff2.placements, staff2.under) == (3, 1, True)
    names = [c.name for c in table.channels]
    assert staff.by_channel[names.index("报纸")] == 1
    assert staff.by_channel[names.index("微信公众号")] == 1
    levels = [value for value, _label in table.levels]
    assert staff.by_level[levels.index("province")] == (1, 1)
    assert table.rows[0].person == world.staff2  # under target first
    assert (table.target_total, table.placements_total, table.under_count) == (5, 3, 1)
    # Page: under-target row highlighted, numbers link to the publications.
    page = client_for(world.liaison).get(reverse("media:matrix"))
    html = page.content.decode()
    assert "table-danger" in html and "未完成" in html
    assert f"person={world.staff2.pk}" in html
    # Channel filter
    only = client_for(world.liaison).get(reverse("media:matrix") + f"?channel={channel('报纸').pk}")
    assert only.context["table"].placements_total == 2
    assert today.strftime("%Y-%m") in only.context["table"].period.label


def test_matrix_quarter_sums_monthly_targets_and_exports(world, client_for, media_type):
    quarter = Period.parse(None).as_kind(PeriodKind.QUARTER)
    for offset in range(3):
        month = datetime.date(quarter.start.year, quarter.start.month + offset, 1)
        _target(world, world.staff, 2, period=Period(PeriodKind.MONTH, month))
    _publish(world, authors=[world.staff])
    table = matrix(world.liaison, period=quarter)
    assert [(row.target, row.placements) for row in table.rows] == [(6, 1)]
    _target(world, world.staff, 4, period=quarter, kind=PeriodKind.QUARTER)
    assert matrix(world.liaison, period=quarter).rows[0].target == 4  # the quarter's own wins
    export = client_for(world.liaison).get(
        reverse("media:matrix") + f"?period={quarter.label}&export=xlsx"
    )
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    header = rows[2]  # title, the one note row, header
    assert header[:6] == ("记者", "单位", "任务量", "刊播篇数", "完成率", "未完成任务")
    assert rows[3][0] == world.staff.name and rows[3][2] == 4 and rows[3][3] == 1
    assert f"周期：{quarter.label}" in rows[1][0]
    assert AuditEvent.objects.filter(action="export", object_repr="融媒矩阵任务完成情况").exists()


def test_matrix_outsider_sees_nothing_of_unit_a(world, client_for, media_type):
    _target(world, world.staff, 2)
    _publish(world)
    outsider = client_for(world.outsider)
    page = outsider.get(reverse("media:matrix"))
    assert page.status_code == 200 and page.context["table"].rows == []
    assert outsider.get(reverse("media:matrix") + f"?unit={world.unit_a.pk}").status_code == 404
    export = outsider.get(reverse("media:matrix") + "?export=xlsx")
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 3  # title, note, header
    # A journalist in "self" scope sees their own target row.
    own = matrix(world.staff, period=this_month())
    assert [row.person for row in own.rows] == [world.staff]


# --- API ------------------------------------------------------------------------------------------


def _api(client, method, path, body=None):
    if method == "get":
        return client.get(f"/api/media{path}", body or {})
    return client.post(f"/api/media{path}", json.dumps(body), content_type="application/json")


def test_api_channels_publications_targets_matrix(world, client_for, media_type):
    liaison = client_for(world.liaison)
    channels = _api(liaison, "get", "/channels").json()
    assert len(channels) == 8
    body = {
        "unit": world.unit_a.pk,
        "title": "API 稿件",
        "published_on": timezone.localdate().isoformat(),
        "channel": channel("电视").pk,
        "level": "prefecture",
        "authors": [world.staff.pk],
        "views": 12,
    }
    created = _api(liaison, "post", "/publications", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["channel"]["name"] == "电视" and data["authors"][0]["id"] == world.staff.pk
    assert Activity.objects.filter(pk=data["activity_id"], type=media_type).exists()
    bad = _api(
        liaison,
        "post",
        "/publications",
        {**body, "level": "county", "authors": [world.outsider.pk]},
    )
    assert bad.status_code == 422 and Publication.objects.count() == 1
    period = this_month().label
    target = _api(
        liaison,
        "post",
        "/targets",
        {"person": world.staff.pk, "unit": world.unit_a.pk, "period": period, "count": 3},
    )
    assert target.status_code == 201 and target.json()["count"] == 3
    assert (
        _api(liaison, "get", "/targets", {"period": period}).json()[0]["person"]["id"]
        == world.staff.pk
    )
    table = _api(liaison, "get", "/matrix", {"period": period}).json()
    assert table["rows"][0]["target"] == 3 and table["rows"][0]["placements"] == 1
    assert table["rows"][0]["by_channel"]["电视"] == 1 and table["rows"][0]["under"] is True
    listing = _api(liaison, "get", "/publications", {"channel": channel("电视").pk}).json()
    assert listing["count"] == 1
    # The outsider: 404 on the record, nothing in lists, 404 on unit A as a filter.
    outsider = client_for(world.outsider)
    assert _api(outsider, "get", f"/publications/{data['id']}").status_code == 404
    assert _api(outsider, "get", "/publications").json()["count"] == 0
    assert _api(outsider, "get", "/targets").json() == []
    assert _api(outsider, "get", "/matrix").json()["rows"] == []
    assert _api(outsider, "get", "/matrix", {"unit": world.unit_a.pk}).status_code == 404
    assert (
        _api(
            outsider, "post", "/publications", {**body, "authors": [world.outsider.pk]}
        ).status_code
        == 422
    )
    assert Participation.objects.filter(person=world.outsider).count() == 0


@pytest.mark.parametrize("persona", ["liaison", "leader", "outsider"])
def test_publication_and_target_lists_page_and_api_agree(world, client_for, media_type, persona):
    _publish(world, title="报纸稿", name="报纸", level=Level.CENTRAL)
    _publish(world, title="网站稿", name="网站", authors=[world.staff2])
    _target(world, world.staff, 2)
    _target(world, world.staff2, 3, level=Level.CITY)
    client = client_for(getattr(world, persona))
    period = this_month()
    for page_query, api_query in [
        ({}, {}),
        ({"channel": channel("报纸").pk}, {"channel": channel("报纸").pk}),
        (
            {"person": world.staff2.pk, "level": "city"},
            {"person": world.staff2.pk, "level": "city"},
        ),
        (
            {"from": period.start.isoformat(), "to": period.end.isoformat(), "q": "稿"},
            {"date_from": period.start.isoformat(), "date_to": period.end.isoformat(), "q": "稿"},
        ),
    ]:
        page = client.get(reverse("media:publication-list"), page_query)
        api = _api(client, "get", "/publications", {**api_query, "page_size": 100})
        assert page.status_code == api.status_code, page_query  # a person out of reach: 404
        if page.status_code == 200:
            page_ids = [p.pk for p, _authors in page.context["publications"]]
            assert page_ids == [item["id"] for item in api.json()["items"]], page_query
    page = client.get(reverse("media:target-list"), {"period": period.label})
    api_targets = _api(client, "get", "/targets", {"period": period.label}).json()
    assert [t.pk for t, _may in page.context["rows"]] == [t["id"] for t in api_targets]


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, name, status",
    [
        ("office", "media:matrix", 200),
        ("office", "media:publication-list", 200),
        ("office", "media:target-list", 200),
        ("office", "media:channel-list", 200),
        ("liaison", "media:publication-create", 200),
        ("liaison", "media:target-list", 200),
        ("staff", "media:matrix", 200),
        ("staff", "media:publication-create", 403),
        ("leader", "media:publication-create", 403),
        ("outsider", "media:matrix", 200),
        ("sysadmin", "media:matrix", 403),
    ],
)
def test_pages_by_persona(world, client_for, media_type, persona, name, status):
    response = client_for(getattr(world, persona)).get(reverse(name))
    assert response.status_code == status


def test_matrix_page_on_a_phone_shows_cards(world, client_for, media_type):
    _target(world, world.staff, 2)
    _publish(world)
    html = client_for(world.liaison).get(reverse("media:matrix")).content.decode()
    assert 'id="media-cards"' in html and "width: 50%" in html
    edit = client_for(world.office).get(reverse("media:channel-edit", args=[channel("报纸").pk]))
    assert edit.status_code == 200
