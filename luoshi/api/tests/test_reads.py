"""Reads of the API: units and people in scope, with filters and pagination, and the person's own
posts; the lists' queries do not grow with them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


# --- Units -----------------------------------------------------------------------------------------


def test_units_in_scope_and_searchable_by_pinyin_initials(world, api_for):
    office = api_for(world.office)
    names = [u["name"] for u in office.get("/units").json()["items"]]
    assert {"茫崖市", "市委宣传部", "市文体旅游广电局", "冷湖镇"} <= set(names)
    assert "海西州" not in names  # above the office's subtree

    found = office.get("/units", {"q": "lhz"}).json()
    assert [u["name"] for u in found["items"]] == ["冷湖镇"]
    found = office.get("/units", {"q": "文体"}).json()
    assert [u["name"] for u in found["items"]] == ["市文体旅游广电局"]

    liaison_units = [u["name"] for u in api_for(world.liaison).get("/units").json()["items"]]
    assert liaison_units == ["市文体旅游广电局", "办公室"]


def test_unit_detail_with_children_in_scope(world, api_for):
    body = api_for(world.office).get(f"/units/{world.unit_a.pk}").json()
    assert body["name"] == "市文体旅游广电局"
    assert body["parent"] == {"id": world.city.pk, "name": "茫崖市"}
    assert [c["name"] for c in body["children"]] == ["办公室"]
    assert body["member_count"] == 3


# --- People ----------------------------------------------------------------------------------------


def test_people_search_by_initials_and_unit_filter(world, api_for):
    office = api_for(world.office)
    assert [p["name"] for p in office.get("/people", {"q": "zs"}).json()["items"]] == ["张三"]
    in_a = office.get("/people", {"unit": world.unit_a.pk}).json()["items"]
    assert {p["username"] for p in in_a} == {"wtl", "staff", "staff2"}


def test_phone_is_masked_unless_the_viewer_manages_the_person(world, api_for):
    path = f"/people/{world.staff.pk}"
    assert api_for(world.office).get(path).json()["phone"] == "13900005678"
    assert api_for(world.liaison).get(path).json()["phone"] == "13900005678"
    masked = api_for(world.leader).get(path).json()
    assert masked["phone"] == "139****5678" and masked["phone_masked"] is True
    listed = api_for(world.leader).get("/people", {"q": "zs"}).json()["items"][0]
    assert listed["phone"] == "139****5678"


def test_staff_sees_only_themselves(world, api_for):
    staff = api_for(world.staff)
    assert [p["username"] for p in staff.get("/people").json()["items"]] == ["staff"]
    assert staff.get(f"/people/{world.liaison.pk}").status_code == 404


def test_people_list_query_count_does_not_grow(world, client_for):
    from luoshi.testing import person

    client = client_for(world.office)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/people", {"page_size": 200})
        assert response.status_code == 200
        return len(captured)

    few = count_queries()
    for n in range(12):
        person(f"p{n}", f"测试人员{n}", world.unit_a if n % 2 else world.unit_b)
    many = count_queries()
    assert client.get("/api/people", {"page_size": 200}).json()["count"] >= 21
    assert many == few


def test_me_lists_my_posts_roles_and_permissions(world, token_api):
    body = token_api(world.liaison).get("/people/me").json()
    assert body["username"] == "wtl" and body["phone"] == "13812345678"
    assert {(r["role"], r["unit"]["name"], r["scope"]) for r in body["roles"]} == {
        ("liaison", "市文体旅游广电局", "subtree"),
        ("staff", "市文体旅游广电局", "self"),
    }
    assert "task.sign" in body["permissions"] and "task.verify" not in body["permissions"]
