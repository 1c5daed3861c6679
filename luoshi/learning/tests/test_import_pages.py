"""Import pages and the import API through HTTP: upload, preview, hand matching, confirm, undo,
history, the outsider's 404s."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditEvent
from luoshi.learning import services
from luoshi.learning.models import ImportRow, PersonAlias, Platform, PointImport, PointRecord
from luoshi.testing import person

from .import_files import csv_export, strong_nation_rows, upload, xlsx_export

A = "市文体旅游广电局"


def get_status(client, pk: int) -> str:
    return client.get(f"/api/learning/imports/{pk}").json()["status"]


def _rows():
    return strong_nation_rows([("张三", A, "", 300), ("赵小敏", A, "", 120), ("李晓梅", A, "", 80)])


def _preview(world, data=None) -> PointImport:
    return services.start_import(
        actor=world.liaison,
        platform=Platform.STRONG_NATION,
        unit=world.unit_a,
        upload=upload(data or xlsx_export(_rows())),
    )


@pytest.mark.django_db
def test_upload_page_previews_then_hand_match_and_confirm(world, client_for):
    client = client_for(world.liaison)
    page = client.get(reverse("learning:import-upload"))
    assert page.status_code == 200
    assert b"data-progress" in page.content
    response = client.post(
        reverse("learning:import-upload"),
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("学习强国.xlsx", xlsx_export(_rows())),
        },
    )
    point_import = PointImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:import-detail", args=[point_import.pk])

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "赵小敏" in text and "pending-rows" in text
    row = point_import.rows.get(name="赵小敏")
    response = client.post(
        reverse("learning:import-row", args=[point_import.pk, row.pk]),
        {"action": "match", "person": world.staff2.pk, "show": "pending"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.match, row.person) == (ImportRow.Match.MATCHED, world.staff2)
    assert not PersonAlias.objects.exists()  # remembered when the import is confirmed

    response = client.post(reverse("learning:import-confirm", args=[point_import.pk]))
    assert response.status_code == 302
    assert PersonAlias.objects.filter(name="赵小敏", person=world.staff2).exists()
    point_import.refresh_from_db()
    assert point_import.status == PointImport.Status.CONFIRMED
    assert point_import.record_count == PointRecord.objects.count() == 3

    # The same file again: the confirmation asks to replace, then replaces.
    client.post(
        reverse("learning:import-upload"),
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("学习强国.xlsx", xlsx_export(_rows())),
        },
    )
    second = PointImport.objects.exclude(pk=point_import.pk).get()
    assert second.matched_count == 3  # 赵小敏 remembered
    response = client.post(reverse("learning:import-confirm", args=[second.pk]))
    assert response.status_code == 409
    assert "替换" in response.content.decode()
    client.post(reverse("learning:import-confirm", args=[second.pk]), {"replace": "on"})
    assert PointRecord.objects.count() == 3
    assert PointRecord.objects.filter(point_import=second).count() == 3

    response = client.post(
        reverse("learning:import-undo", args=[second.pk]), {"reason": "重复上传"}
    )
    second.refresh_from_db()
    assert second.status == PointImport.Status.UNDONE
    # The replaced import comes back; undoing that one too leaves the month empty.
    assert set(PointRecord.objects.values_list("point_import", flat=True)) == {point_import.pk}
    client.post(reverse("learning:import-undo", args=[point_import.pk]))
    assert not PointRecord.objects.exists()


@pytest.mark.django_db
def test_upload_errors_are_listed_by_row_and_nothing_saved(world, client_for):
    rows = _rows()
    rows[1][6] = "abc"
    response = client_for(world.liaison).post(
        reverse("learning:import-upload"),
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("积分.csv", csv_export(rows)),
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "import-errors" in text and "本月积分" in text and "不是数字" in text
    assert not PointImport.objects.exists()


@pytest.mark.django_db
def test_mapping_and_organisation_forms(world, client_for):
    point_import = _preview(world)
    client = client_for(world.liaison)
    headings = sorted(point_import.mapping)
    data = {f"col{i}": point_import.mapping[h] for i, h in enumerate(headings)}
    data[f"col{headings.index('本月积分')}"] = "ignore"
    response = client.post(reverse("learning:import-mapping", args=[point_import.pk]), data)
    assert response.status_code == 302
    point_import.refresh_from_db()
    assert point_import.mapping["本月积分"] == "ignore" and point_import.is_cumulative

    rows = strong_nation_rows([("赵敏", "中共茫崖市文体旅游广电局办公室支部", "", 10)])
    person("zhaomin2", "赵敏", world.unit_b)
    office_import = services.start_import(
        actor=world.office,
        platform=Platform.STRONG_NATION,
        unit=world.city,
        upload=upload(xlsx_export(rows)),
    )
    page = client_for(world.office).get(reverse("learning:import-detail", args=[office_import.pk]))
    assert "organisations" in page.content.decode()
    response = client_for(world.office).post(
        reverse("learning:import-organisation", args=[office_import.pk]),
        {
            "prefix": "org0",
            "org0-org_name": "中共茫崖市文体旅游广电局办公室支部",
            "org0-unit": world.section_a.pk,
        },
    )
    assert response.status_code == 302
    assert office_import.rows.get().person == world.staff2


@pytest.mark.django_db
def test_history_lists_exports_and_filters(world, client_for):
    point_import = _preview(world)
    services.confirm_import(actor=world.liaison, point_import=point_import, skip_pending=True)
    client = client_for(world.liaison)
    page = client.get(reverse("learning:import-list"))
    assert page.status_code == 200
    assert point_import.file_sha256[:12] in page.content.decode()
    assert client.get(reverse("learning:import-list") + "?status=undone").content.count(
        b"learning/imports/"
    ) < page.content.count(b"learning/imports/")
    export = client.get(reverse("learning:import-list") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="learning.pointimport").exists()
    file = client.get(reverse("learning:import-file", args=[point_import.pk]))
    assert file.status_code == 200


@pytest.mark.django_db
def test_outsider_gets_404_everywhere(world, client_for):
    point_import = _preview(world)
    row = point_import.rows.first()
    client = client_for(world.outsider)
    for name in ("import-detail", "import-file"):
        assert client.get(reverse(f"learning:{name}", args=[point_import.pk])).status_code == 404
    for name in ("import-confirm", "import-undo", "import-discard", "import-mapping"):
        assert client.post(reverse(f"learning:{name}", args=[point_import.pk])).status_code == 404
    url = reverse("learning:import-row", args=[point_import.pk, row.pk])
    assert client.post(url, {"action": "skip"}).status_code == 404
    assert (
        point_import.file_sha256[:12]
        not in client.get(reverse("learning:import-list")).content.decode()
    )
    assert client.get(f"/api/learning/imports/{point_import.pk}").status_code == 404
    api_post = client.post(
        f"/api/learning/imports/{point_import.pk}/confirm", "{}", content_type="application/json"
    )
    assert api_post.status_code == 404
    point_import.refresh_from_db()
    assert point_import.status == PointImport.Status.PREVIEW


@pytest.mark.django_db
def test_viewers_see_but_cannot_change(world, client_for):
    point_import = _preview(world)
    leader = client_for(world.leader)  # learning.view on the city, no learning.import
    assert leader.get(reverse("learning:import-detail", args=[point_import.pk])).status_code == 200
    assert (
        leader.post(reverse("learning:import-confirm", args=[point_import.pk])).status_code == 403
    )
    assert client_for(world.staff).get(reverse("learning:import-upload")).status_code == 403


@pytest.mark.django_db
def test_api_flow(world, client_for):
    client = client_for(world.liaison)
    response = client.post(
        "/api/learning/imports",
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("学习强国.xlsx", xlsx_export(_rows())),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert (body["row_count"], body["matched_count"], body["unmatched_count"]) == (3, 2, 1)
    assert body["period_start"] == "2026-10-01"

    rows = client.get(f"/api/learning/imports/{pk}/rows", {"match": "pending"}).json()
    [pending] = rows["items"]
    assert pending["name"] == "赵小敏"

    def post(path, data):
        return client.post(path, json.dumps(data), content_type="application/json")

    resolved = post(f"/api/learning/imports/{pk}/rows/{pending['id']}", {"person": world.staff2.pk})
    assert resolved.status_code == 200 and resolved.json()["match"] == "matched"
    confirmed = post(f"/api/learning/imports/{pk}/confirm", {})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["record_count"] == 3

    again = client.post(
        "/api/learning/imports",
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("学习强国.xlsx", xlsx_export(_rows())),
        },
    ).json()
    conflict = post(f"/api/learning/imports/{again['id']}/confirm", {})
    assert conflict.status_code == 409 and conflict.json()["previous"] == pk
    assert (
        post(f"/api/learning/imports/{again['id']}/confirm", {"replace": True}).status_code == 200
    )
    assert PointRecord.objects.count() == 3

    listing = client.get("/api/learning/imports", {"status": "replaced"}).json()
    assert [item["id"] for item in listing["items"]] == [pk]
    undone = post(f"/api/learning/imports/{again['id']}/undo", {"reason": "测试"})
    assert undone.json()["status"] == "undone"
    assert get_status(client, pk) == "confirmed"  # the replaced import is back
    assert PointRecord.objects.filter(point_import_id=pk).count() == 3

    rows = _rows()
    rows[0][6] = "x"
    bad = client.post(
        "/api/learning/imports",
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("学习强国.xlsx", xlsx_export(rows)),
        },
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["column"] == "本月积分"
    outside = client.post(
        "/api/learning/imports",
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_b.pk,
            "file": SimpleUploadedFile("学习强国.xlsx", xlsx_export(_rows())),
        },
    )
    assert outside.status_code == 404


@pytest.mark.django_db
def test_derived_values_are_shown_as_derived(world, client_for):
    headings = ["姓名", "单位", "总积分"]
    for title, total in (("2026年10月积分", 1000), ("2026年11月积分", 1300)):
        data = xlsx_export([["张三", A, total]], title=title, headings=headings, merged=False)
        point_import = services.start_import(
            actor=world.liaison,
            platform=Platform.STRONG_NATION,
            unit=world.unit_a,
            upload=upload(data),
        )
        services.confirm_import(actor=world.liaison, point_import=point_import)
    page = client_for(world.liaison).get(
        reverse("learning:import-detail", args=[point_import.pk]) + "?show=matched"
    )
    text = page.content.decode()
    assert "300.00" in text and "推算" in text


@pytest.mark.django_db
def test_a_row_is_reached_only_under_its_own_import(world, client_for):
    first = _preview(world)
    second = _preview(world)
    row = second.rows.get(name="赵小敏")
    client = client_for(world.liaison)
    page = client.post(
        reverse("learning:import-row", args=[first.pk, row.pk]),
        {"action": "match", "person": world.staff2.pk},
    )
    api = client.post(
        f"/api/learning/imports/{first.pk}/rows/{row.pk}",
        json.dumps({"person": world.staff2.pk}),
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    leader = client_for(world.leader)  # sees the import, may not change it
    assert (
        leader.post(
            reverse("learning:import-row", args=[second.pk, row.pk]), {"action": "skip"}
        ).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.match == ImportRow.Match.UNMATCHED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "preview"},
        {"status": "confirmed"},
        {"platform": "cadre"},
        {"month": "2026-10"},
    ],
)
def test_history_page_and_api_list_the_same_imports(world, client_for, query):
    kept = _preview(world)
    services.confirm_import(actor=world.liaison, point_import=kept, skip_pending=True)
    _preview(world)
    for user in (world.liaison, world.office, world.leader):
        client = client_for(user)
        page = client.get(reverse("learning:import-list"), query)
        api = client.get("/api/learning/imports", query).json()
        page_ids = [item.pk for item in page.context["imports"]]
        assert page_ids == [item["id"] for item in api["items"]]
    unit = {"unit": world.unit_b.pk}  # the office's view: unit B has no imports
    office = client_for(world.office)
    assert [
        i.pk for i in office.get(reverse("learning:import-list"), unit).context["imports"]
    ] == []
    assert office.get("/api/learning/imports", unit).json()["items"] == []
