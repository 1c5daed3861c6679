"""Heritage: sites with photos, routes as ordered stops, exhibitions, per-site counts of the
activities held there (scoped, linked to the ledger, exportable), the API and the outsider."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from luoshi.audit.models import AuditEvent
from luoshi.files.models import Attachment
from luoshi.heritage import selectors, services
from luoshi.heritage.models import Exhibition, Route, RouteKind, Site, SiteKind
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category

pytestmark = pytest.mark.django_db


def png(name: str = "site.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (180, 30, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def sites(world) -> list[Site]:
    return [
        services.create_site(actor=world.office, name=name, kind=kind, location="茫崖市")
        for name, kind in (
            ("狮20井", SiteKind.OIL_WELL),
            ("英雄地中四井", SiteKind.OIL_WELL),
            ("七个泉军事设施", SiteKind.MILITARY),
        )
    ]


@pytest.fixture
def red(world):
    return ledger.create_activity_type(
        actor=world.office,
        name="红色教育",
        category=Category.STUDY,
        has_audience=True,
        campaign=world.campaign,
    )


def held(world, activity_type, site, *, unit=None, actor=None, people=(), audience=None, day=None):
    """Record an activity and say where it was held (the ledger form's site picker does both)."""
    actor = actor or world.liaison
    when = timezone.make_aware(
        datetime.datetime.combine(day or timezone.localdate(), datetime.time(9))
    )
    activity = ledger.record_activity(
        actor=actor,
        activity_type=activity_type,
        unit=unit or world.unit_a,
        title=f"{site.name}现场教学",
        starts_at=when,
        participants=list(people),
        audience=audience,
    )
    return services.set_activity_site(actor=actor, activity=activity, site=site)


# --- Sites ----------------------------------------------------------------------------------------


def test_office_adds_a_site_with_photos_and_everyone_with_ledger_view_sees_it(world, client_for):
    office = client_for(world.office)
    response = office.post(
        reverse("heritage:site-create"),
        {
            "name": "茫崖工业遗址",
            "kind": SiteKind.INDUSTRIAL,
            "location": "茫崖镇",
            "description": "石油工业遗存。",
            "unit": world.unit_a.pk,
            "is_active": "on",
            "photos": [png("a.png"), png("b.png")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    site = Site.objects.get(name="茫崖工业遗址")
    assert site.unit == world.unit_a and site.kind == "industrial"
    photos = Attachment.objects.filter(owner_id=site.pk, owner_type__model="site")
    assert photos.count() == 2
    assert AuditEvent.objects.filter(object_type="heritage.site", action="create").exists()
    # Shared reference data: the outsider sees the site and its photo; nobody but the office edits.
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("heritage:site-detail", args=[site.pk])).status_code == 200
    assert outsider.get(reverse("files:download", args=[photos[0].pk])).status_code == 200
    assert outsider.get(reverse("heritage:site-edit", args=[site.pk])).status_code == 403
    assert (
        client_for(world.liaison).post(reverse("heritage:site-create"), {"name": "X"}).status_code
        == 403
    )
    # Edit: audited change.
    response = office.post(
        reverse("heritage:site-edit", args=[site.pk]),
        {"name": "茫崖工业遗址", "kind": SiteKind.INDUSTRIAL, "location": "花土沟镇"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.location == "花土沟镇" and site.is_active is False
    assert AuditEvent.objects.filter(object_type="heritage.site", action="update").exists()


def test_site_errors_in_chinese_and_nothing_saved(world, sites):
    with pytest.raises(ValidationError) as caught:
        services.create_site(actor=world.office, name="狮20井", kind="castle", latitude=200)
    errors = caught.value.message_dict
    assert errors["name"] == ["已有名为“狮20井”的点位。"]
    assert "kind" in errors and "latitude" in errors
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError):
        services.create_site(actor=world.office, name="新点位", photos=[bad])
    assert not Site.objects.filter(name="新点位").exists()


def test_site_list_filters_and_export(world, client_for, sites, red):
    held(world, red, sites[0], people=[world.staff], audience=30)
    client = client_for(world.leader)
    page = client.get(reverse("heritage:site-list") + "?kind=military")
    assert [row.site.name for row in page.context["rows"]] == ["七个泉军事设施"]
    page = client.get(reverse("heritage:site-list"))
    by_name = {row.site.name: row for row in page.context["rows"]}
    assert by_name["狮20井"].total.activities == 1 and by_name["狮20井"].total.audience == 30
    export = client.get(reverse("heritage:site-list") + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][:3] == ("名称", "类别", "位置")
    assert {row[0] for row in rows[3:]} == {"狮20井", "英雄地中四井", "七个泉军事设施"}
    assert AuditEvent.objects.filter(action="export", object_type="heritage.site").exists()


# --- Counts ---------------------------------------------------------------------------------------


def test_site_counts_by_type_participants_audience_with_ledger_links(world, client_for, sites, red):
    lecture = ledger.create_activity_type(
        actor=world.office, name="主题党日", category=Category.STUDY
    )
    held(world, red, sites[0], people=[world.staff, world.staff2], audience=40)
    held(world, red, sites[0], people=[world.staff], audience=25)
    held(world, lecture, sites[0], people=[world.liaison])
    held(world, red, sites[1], people=[world.staff])
    # Last year's visit is outside the default period (this year).
    held(
        world,
        red,
        sites[0],
        day=timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=1),
    )
    # Unit B's visit: counted for the office, not for unit A's liaison.
    held(world, red, sites[0], unit=world.unit_b, actor=world.outsider, people=[world.outsider])
    site_page = client_for(world.liaison).get(reverse("heritage:site-detail", args=[sites[0].pk]))
    cells = {t.name: cell for t, cell in site_page.context["by_type"]}
    assert (
        cells["红色教育"].activities,
        cells["红色教育"].participants,
        cells["红色教育"].audience,
    ) == (2, 3, 65)
    assert cells["主题党日"].activities == 1
    row = site_page.context["row"]
    assert (row.total.activities, row.total.participants) == (3, 4)
    link = cells["红色教育"].link
    assert link.startswith(reverse("ledgers:activity-list")) and f"site={sites[0].pk}" in link
    assert f"type={red.pk}" in link and "from=" in link
    assert link in site_page.content.decode().replace("&amp;", "&")
    office_table = client_for(world.office).get(reverse("heritage:counts")).context["table"]
    totals = {r.site.name: r.total.activities for r in office_table.rows}
    assert totals == {"狮20井": 4, "英雄地中四井": 1}
    # Unit subtree filter and the period.
    only_b = client_for(world.office).get(reverse("heritage:counts") + f"?unit={world.unit_b.pk}")
    assert only_b.context["table"].total.activities == 1
    last_year = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=1)
    old = client_for(world.office).get(
        reverse("heritage:counts") + f"?from={last_year.replace(month=1, day=1)}&to={last_year}"
    )
    assert old.context["table"].total.activities == 1
    # Export of a site's counts.
    export = client_for(world.liaison).get(
        reverse("heritage:site-detail", args=[sites[0].pk]) + "?export=xlsx"
    )
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    header = rows[2]
    assert header[0] == "点位" and "红色教育次数" in header
    assert rows[3][0] == "狮20井" and rows[3][header.index("红色教育受众人数")] == 65


def test_outsider_sees_no_count_of_unit_a_and_404_on_unit_a(world, client_for, sites, red):
    held(world, red, sites[0], people=[world.staff], audience=10)
    outsider = client_for(world.outsider)
    page = outsider.get(reverse("heritage:site-detail", args=[sites[0].pk]))
    assert page.status_code == 200 and page.context["row"].total.activities == 0
    assert outsider.get(reverse("heritage:counts")).context["table"].rows == []
    assert outsider.get(reverse("heritage:counts") + f"?unit={world.unit_a.pk}").status_code == 404
    assert (
        outsider.get(
            reverse("heritage:site-detail", args=[sites[0].pk]) + f"?unit={world.unit_a.pk}"
        ).status_code
        == 404
    )
    export = outsider.get(reverse("heritage:counts") + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and len(rows) == 4  # title, note, header, totals only
    api = outsider.get(f"/api/heritage/sites/{sites[0].pk}").json()
    assert api["activities"] == 0
    assert (
        outsider.get(f"/api/heritage/sites/{sites[0].pk}", {"unit": world.unit_a.pk}).status_code
        == 404
    )


def test_set_activity_site_checks_the_editor_and_audits(world, sites, red):
    activity = ledger.record_activity(
        actor=world.liaison,
        activity_type=red,
        unit=world.unit_a,
        title="参观",
        starts_at=timezone.now(),
    )
    with pytest.raises(PermissionDenied):
        services.set_activity_site(actor=world.outsider, activity=activity, site=sites[0])
    services.update_site(actor=world.office, site=sites[2], is_active=False)
    with pytest.raises(ValidationError):
        services.set_activity_site(actor=world.liaison, activity=activity, site=sites[2])
    services.set_activity_site(actor=world.liaison, activity=activity, site=sites[0])
    assert selectors.activity_site(activity) == sites[0]
    assert AuditEvent.objects.filter(
        object_type="ledgers.activity", object_id=str(activity.pk), action="update"
    ).exists()


# --- Routes and exhibitions -----------------------------------------------------------------------


def test_route_ordered_stops_with_notes_by_page(world, client_for, sites):
    office = client_for(world.office)
    response = office.post(
        reverse("heritage:route-create"),
        {
            "name": "石油精神红色旅游线路",
            "kind": RouteKind.RED_TOURISM,
            "stop_lines": "英雄地中四井 | 现场讲解\n狮20井｜重温入党誓词\n七个泉军事设施",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    route = Route.objects.get()
    stops = list(route.stops.order_by("position").values_list("position", "site__name", "notes"))
    assert stops == [
        (1, "英雄地中四井", "现场讲解"),
        (2, "狮20井", "重温入党誓词"),
        (3, "七个泉军事设施", ""),
    ]
    bad = office.post(
        reverse("heritage:route-create"),
        {"name": "另一条", "kind": RouteKind.STUDY, "stop_lines": "狮20井\n不存在的井"},
    )
    assert "第 2 行：没有名为“不存在的井”的点位。" in bad.content.decode()
    assert Route.objects.count() == 1
    response = office.post(
        reverse("heritage:route-edit", args=[route.pk]),
        {
            "name": route.name,
            "kind": RouteKind.RED_TOURISM,
            "stop_lines": "狮20井\n英雄地中四井",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert list(route.stops.order_by("position").values_list("site__name", flat=True)) == [
        "狮20井",
        "英雄地中四井",
    ]
    event = AuditEvent.objects.filter(object_type="heritage.route", action="update").get()
    assert "stops" in event.changes
    outsider = client_for(world.outsider)
    detail = outsider.get(reverse("heritage:route-detail", args=[route.pk]))
    assert [s.site.name for s in detail.context["stops"]] == ["狮20井", "英雄地中四井"]
    assert outsider.get(reverse("heritage:route-edit", args=[route.pk])).status_code == 403
    listing = outsider.get(reverse("heritage:route-list") + "?kind=red_tourism")
    assert [r.name for r in listing.context["routes"]] == ["石油精神红色旅游线路"]
    export = outsider.get(reverse("heritage:route-list") + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[3][2] == "狮20井 → 英雄地中四井"


def test_exhibition_with_photos_dates_and_filters(world, client_for, sites):
    office = client_for(world.office)
    today = timezone.localdate()
    response = office.post(
        reverse("heritage:exhibition-create"),
        {
            "title": "柴达木石油会战史料展",
            "site": sites[0].pk,
            "starts_on": (today - datetime.timedelta(days=5)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
            "photos": [png()],
        },
    )
    assert response.status_code == 302
    exhibition = Exhibition.objects.get()
    assert (
        Attachment.objects.filter(owner_id=exhibition.pk, owner_type__model="exhibition").count()
        == 1
    )
    bad = office.post(
        reverse("heritage:exhibition-create"),
        {
            "title": "无地点",
            "starts_on": today.isoformat(),
            "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert "闭展日期：结束时间不能早于开始时间。" in bad.content.decode()
    no_venue = office.post(
        reverse("heritage:exhibition-create"),
        {"title": "无地点", "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )
    assert "请选择所在点位或填写展出地点。" in no_venue.content.decode()
    assert Exhibition.objects.count() == 1
    liaison = client_for(world.liaison)
    running = liaison.get(reverse("heritage:exhibition-list") + "?running=1")
    assert [e.title for e in running.context["exhibitions"]] == ["柴达木石油会战史料展"]
    assert (
        liaison.get(reverse("heritage:exhibition-detail", args=[exhibition.pk])).status_code == 200
    )
    site_page = liaison.get(reverse("heritage:site-detail", args=[sites[0].pk]))
    assert "柴达木石油会战史料展" in site_page.content.decode()


def test_people_without_ledger_access_get_404(world, client_for, sites):
    assert client_for(world.sysadmin).get(reverse("heritage:site-list")).status_code == 404
    assert (
        client_for(world.sysadmin)
        .get(reverse("heritage:site-detail", args=[sites[0].pk]))
        .status_code
        == 404
    )
    assert client_for(world.sysadmin).get("/api/heritage/sites").status_code == 404


# --- API ------------------------------------------------------------------------------------------


def test_api_sites_routes_exhibitions(world, client_for, sites, red):
    held(world, red, sites[0], people=[world.staff, world.staff2], audience=12)
    services.create_route(
        actor=world.office,
        name="学习体验线路",
        kind=RouteKind.STUDY,
        stops=[(sites[1], "讲解"), (sites[0], "")],
    )
    services.create_exhibition(
        actor=world.office, title="展览", venue="市文化馆", starts_on=timezone.localdate()
    )
    client = client_for(world.liaison)
    listed = client.get("/api/heritage/sites", {"kind": "oil_well"}).json()
    assert [s["name"] for s in listed] == ["狮20井", "英雄地中四井"]
    detail = client.get(f"/api/heritage/sites/{sites[0].pk}").json()
    assert (detail["activities"], detail["participants"], detail["audience"]) == (1, 2, 12)
    assert detail["by_type"][0]["activity_type"]["name"] == "红色教育"
    routes = client.get("/api/heritage/routes").json()
    assert [s["site"]["name"] for s in routes[0]["stops"]] == ["英雄地中四井", "狮20井"]
    assert client.get(f"/api/heritage/routes/{routes[0]['id']}").json()["kind"] == "study"
    exhibitions = client.get("/api/heritage/exhibitions").json()
    assert exhibitions[0]["venue"] == "市文化馆"
    assert client.get("/api/heritage/sites/999999").status_code == 404


@pytest.mark.parametrize(
    "persona, name, status",
    [
        ("office", "heritage:site-create", 200),
        ("office", "heritage:route-create", 200),
        ("office", "heritage:exhibition-create", 200),
        ("liaison", "heritage:site-list", 200),
        ("liaison", "heritage:route-list", 200),
        ("liaison", "heritage:exhibition-list", 200),
        ("liaison", "heritage:counts", 200),
        ("liaison", "heritage:site-create", 403),
        ("staff", "heritage:counts", 200),
        ("outsider", "heritage:site-list", 200),
    ],
)
def test_pages_by_persona(world, client_for, sites, persona, name, status):
    response = client_for(getattr(world, persona)).get(reverse(name))
    assert response.status_code == status


def test_edit_pages_render_for_the_office(world, client_for, sites):
    route = services.create_route(
        actor=world.office,
        name="线路",
        kind=RouteKind.STUDY,
        stops=[(sites[0], "讲解"), (sites[1], "")],
    )
    exhibition = services.create_exhibition(
        actor=world.office, title="展览", site=sites[0], starts_on=timezone.localdate()
    )
    office = client_for(world.office)
    page = office.get(reverse("heritage:route-edit", args=[route.pk]))
    assert page.status_code == 200 and "狮20井 | 讲解" in page.content.decode()
    assert office.get(reverse("heritage:site-edit", args=[sites[0].pk])).status_code == 200
    assert office.get(reverse("heritage:exhibition-edit", args=[exhibition.pk])).status_code == 200


def test_an_activity_recorded_at_a_site_through_the_ledger_form_is_counted(
    world, client_for, sites, red
):
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"),
        {
            "type": red.pk,
            "title": "赴狮20井开展现场教学",
            "unit": world.unit_a.pk,
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "site": sites[0].pk,
            "audience": 15,
            "participants": [world.staff.pk],
            "campaigns": [world.campaign.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client_for(world.leader).get(reverse("heritage:site-detail", args=[sites[0].pk]))
    assert (page.context["row"].total.activities, page.context["row"].total.audience) == (1, 15)


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "outsider"])
def test_site_list_page_and_api_agree(world, client_for, sites, persona):
    services.update_site(actor=world.office, site=sites[2], is_active=False)
    client = client_for(getattr(world, persona))
    for query in [
        {},
        {"kind": SiteKind.OIL_WELL},
        {"kind": "castle"},
        {"q": " 四井 "},
        {"active": "1"},
        {"active": "0"},
    ]:
        page = client.get(reverse("heritage:site-list"), query)
        api = client.get("/api/heritage/sites", query)
        assert page.status_code == api.status_code == 200, query
        assert [row.site.pk for row in page.context["rows"]] == [
            item["id"] for item in api.json()
        ], query


@pytest.mark.parametrize("persona", ["office", "liaison", "outsider"])
def test_route_and_exhibition_lists_page_and_api_agree(world, client_for, sites, persona):
    kinds = list(RouteKind.values)
    services.create_route(
        actor=world.office, name="石油精神线", kind=kinds[0], stops=[(sites[0], ""), (sites[1], "")]
    )
    services.create_route(
        actor=world.office,
        name="军事遗址线",
        kind=kinds[-1],
        stops=[(sites[2], ""), (sites[1], "")],
    )
    today = timezone.localdate()
    services.create_exhibition(
        actor=world.office, title="石油会战史料展", starts_on=today, site=sites[0]
    )
    services.create_exhibition(
        actor=world.office,
        title="往届展览",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=10),
        venue="文化馆",
    )
    client = client_for(getattr(world, persona))
    for query in [{}, {"kind": kinds[0]}, {"kind": "castle"}, {"q": " 石油 "}]:
        page = client.get(reverse("heritage:route-list"), query)
        api = client.get("/api/heritage/routes", query)
        assert [r.pk for r in page.context["routes"]] == [item["id"] for item in api.json()], query
    for page_query, api_query in [
        ({}, {}),
        ({"q": "史料"}, {"q": "史料"}),
        ({"running": "1"}, {"running": True}),
        ({"site": sites[0].pk}, {"site": sites[0].pk}),
    ]:
        page = client.get(reverse("heritage:exhibition-list"), page_query)
        api = client.get("/api/heritage/exhibitions", api_query)
        assert [e.pk for e in page.context["exhibitions"]] == [item["id"] for item in api.json()], (
            page_query
        )
