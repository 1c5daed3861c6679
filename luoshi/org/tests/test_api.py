"""The org API (/api/units, /api/people): scope, search, masked phones, and the same ids as the
list pages for the same filter and user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luoshi.org.models import UnitKind
from luoshi.testing import person

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


def test_unit_list_by_parent_and_kind(world, api_for):
    office = api_for(world.office)
    children = office.get("/units", {"parent": world.unit_a.pk}).json()["items"]
    assert [u["name"] for u in children] == ["办公室"]
    towns = office.get("/units", {"kind": UnitKind.TOWN}).json()["items"]
    assert [u["name"] for u in towns] == ["冷湖镇"]
    # a parent outside the caller's scope is not found, as everywhere in the API
    outsider = api_for(world.outsider)
    assert outsider.get("/units", {"parent": world.unit_a.pk}).status_code == 404


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


def test_outsider_gets_404_on_the_units_and_people_of_unit_a(world, api_for):
    outsider = api_for(world.outsider)
    for path in [
        f"/units/{world.unit_a.pk}",
        f"/units/{world.section_a.pk}",
        f"/people/{world.staff.pk}",
        f"/people/{world.liaison.pk}",
    ]:
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"] == "未找到该对象，或不在您的数据范围内。"
    assert [u["id"] for u in outsider.get("/units").json()["items"]] == [world.unit_b.pk]
    assert {p["username"] for p in outsider.get("/people").json()["items"]} == {"outsider"}


def test_people_list_query_count_does_not_grow(world, client_for):
    client = client_for(world.office)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/people", {"page_size": 200})
        assert response.status_code == 200
        return len(captured)

    before = client.get("/api/people", {"page_size": 200}).json()["count"]
    few = count_queries()
    for n in range(12):
        person(f"p{n}", f"测试人员{n}", world.unit_a if n % 2 else world.unit_b)
    many = count_queries()
    assert client.get("/api/people", {"page_size": 200}).json()["count"] == before + 12
    assert many == few


def test_me_lists_my_posts_roles_and_permissions(world, token_api):
    body = token_api(world.liaison).get("/people/me").json()
    assert body["username"] == "wtl" and body["phone"] == "13812345678"
    assert {(r["role"], r["unit"]["name"], r["scope"]) for r in body["roles"]} == {
        ("liaison", "市文体旅游广电局", "subtree"),
        ("staff", "市文体旅游广电局", "self"),
    }
    assert "task.sign" in body["permissions"] and "task.verify" not in body["permissions"]


# --- The page and the API agree ----------------------------------------------------------------


PERSONAS = ["office", "liaison", "outsider"]


def _own_unit(world, persona: str):
    """A unit the persona may filter by (the outsider sees only unit B)."""
    return world.unit_b if persona == "outsider" else world.unit_a


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "query", [{}, {"q": "wtl"}, {"q": "lhz"}, {"kind": UnitKind.DEPARTMENT}, {"kind": "town"}]
)
def test_unit_page_and_api_return_the_same_units(world, client_for, api_for, persona, query):
    user = getattr(world, persona)
    page = client_for(user).get(reverse("org:unit-list"), query)
    assert page.status_code == 200
    api = api_for(user).get("/units", {**query, "page_size": 200})
    assert api.status_code == 200
    page_ids = {row.unit.pk for row in page.context["rows"]}
    api_ids = {unit["id"] for unit in api.json()["items"]}
    assert page_ids == api_ids
    assert api.json()["count"] == len(page_ids)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("query", ["all", "q", "unit", "both"])
def test_people_page_and_api_return_the_same_people(world, client_for, api_for, persona, query):
    user = getattr(world, persona)
    unit = _own_unit(world, persona)
    params = {
        "all": {},
        "q": {"q": "m"},
        "unit": {"unit": unit.pk},
        "both": {"q": "z", "unit": unit.pk},
    }[query]
    page = client_for(user).get(reverse("org:person-list"), params)
    assert page.status_code == 200
    api = api_for(user).get("/people", {**params, "page_size": 200})
    assert api.status_code == 200
    page_ids = [person.pk for person in page.context["page"].object_list]
    assert page_ids == [person["id"] for person in api.json()["items"]]
    assert api.json()["count"] == len(page_ids)
