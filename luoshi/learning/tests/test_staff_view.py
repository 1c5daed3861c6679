"""A staff member's own figures (我的学习) and the JSON API of the reports, same scope rules."""

import datetime

import pytest

from luoshi.learning import selectors, services

from .test_summary import OCT, SEP, add_month, october


@pytest.fixture
def two_months(world):
    """Recent months, so that they fall in the page's last twelve."""
    last = selectors.previous_month(datetime.date(2026, 11, 1))
    add_month(
        world,
        selectors.previous_month(last),
        [(world.staff, world.unit_a, 250), (world.liaison, world.unit_a, 120)],
    )
    october(world, month=last)
    return last


def test_staff_sees_own_months_rank_and_unit(world, client_for, two_months, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: datetime.date(2026, 11, 26))
    response = client_for(world.staff).get("/learning/me/")
    assert response.status_code == 200
    months = response.context["months"]
    assert [(m["month"], m["record"].value, m["unit_rank"], m["unit_size"]) for m in months] == [
        (OCT, 100, 2, 2),
        (SEP, 250, 1, 2),
    ]
    units = response.context["units"]
    assert [(row.unit, row.headcount, row.registered) for row in units] == [(world.unit_a, 3, 2)]
    html = response.content.decode()
    assert 'data-chart="own-chart"' in html
    assert "李晓梅" not in html  # no one else's name on the staff page


def test_unit_figures_hidden_when_not_published(world, client_for, two_months, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: datetime.date(2026, 11, 26))
    services.change_settings(
        actor=world.office,
        unit=world.city,
        values={"publish_unit_figures": False},
        reason="暂不公布单位数据",
    )
    response = client_for(world.staff).get("/learning/me/")
    assert response.context["units"] == []
    assert "本单位数据未公布" in response.content.decode()
    assert len(response.context["months"]) == 2  # one's own figures always


def test_api_own_figures(world, client_for, two_months, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: datetime.date(2026, 11, 26))
    response = client_for(world.staff).get("/api/learning/me")
    assert response.status_code == 200
    assert response.json()[0] == {
        "month": "2026-10",
        "unit": {"id": world.unit_a.pk, "name": "市文体旅游广电局"},
        "value": 100.0,
        "total": 300.0,
        "is_derived": False,
        "unit_rank": 2,
        "unit_size": 2,
    }


def test_api_summary_and_people(world, client_for):
    october(world)
    response = client_for(world.office).get(
        f"/api/learning/summaries?unit={world.city.pk}&month=2026-10"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["month"] == "2026-10" and data["stored"] is False
    first = data["units"][0]
    assert first["unit"]["name"] == "冷湖镇" and first["rank"] == 1 and first["per_person"] == 500
    unit_a = next(row for row in data["units"] if row["unit"]["id"] == world.unit_a.pk)
    assert unit_a["registration_rate"] == 66.7 and len(unit_a["flags"]) == 2
    leader = client_for(world.leader).get(
        f"/api/learning/summaries/units/{world.unit_a.pk}/people?month=2026-10"
    )
    assert leader.json()["everyone"] is False and leader.json()["people"] == []
    liaison = client_for(world.liaison).get(
        f"/api/learning/summaries/units/{world.unit_a.pk}/people?month=2026-10"
    )
    assert [p["person"]["name"] for p in liaison.json()["people"]] == ["李晓梅", "张三"]
    staff = client_for(world.staff).get(
        f"/api/learning/summaries/units/{world.unit_a.pk}/people?month=2026-10"
    )
    assert [p["person"]["name"] for p in staff.json()["people"]] == ["张三"]


def test_api_ranking_pages_and_scope(world, client_for):
    october(world)
    response = client_for(world.office).get(
        f"/api/learning/rankings?unit={world.city.pk}&month=2026-10&page=2&page_size=2"
    )
    data = response.json()
    assert data["count"] == 4 and data["page"] == 2
    assert [(p["person"]["name"], p["rank"]) for p in data["items"]] == [
        ("赵敏", 3),
        ("张三", 4),
    ]
    leader = client_for(world.leader).get(f"/api/learning/rankings?unit={world.city.pk}")
    assert leader.json()["count"] == 0
    assert client_for(world.staff).get("/api/learning/rankings").status_code == 403


def test_api_notices(world, client_for):
    from .test_notice import first_half, issue

    first_half(world)
    notice = issue(world)
    listing = client_for(world.staff).get("/api/learning/notices")
    assert [item["id"] for item in listing.json()] == [notice.pk]
    detail = client_for(world.staff).get(f"/api/learning/notices/{notice.pk}")
    assert detail.json()["data"]["commended_people"][0]["name"] == "李晓梅"
    assert notice.receipts.get(unit=world.unit_a).read_by == world.staff
