"""Who sees per-person figures and rankings: by default only the person and those who manage
them (liaisons, the office); as the settings are changed, the unit or everyone in scope; unit
figures hidden from non-managers when not published. Plus the ranking page's ranks."""

from decimal import Decimal

from luoshi.learning import selectors, services
from luoshi.learning.models import LearningSettings

from .test_summary import OCT, add_month, october


def people_url(unit):
    return f"/learning/summary/units/{unit.pk}/?month=2026-10&platform=xuexi"


def ranking_url(unit, **extra):
    query = "&".join(f"{key}={value}" for key, value in extra.items())
    return f"/learning/ranking/?unit={unit.pk}&month=2026-10&platform=xuexi&{query}"


def names(response, key="rows"):
    return [row.record.person.name for row in response.context[key]]


def change(world, reason="经行动办会议研究", **values):
    services.change_settings(actor=world.office, unit=world.city, values=values, reason=reason)


def test_default_managers_see_people_ranked(world, client_for):
    october(world)
    for manager in (world.liaison, world.office):
        response = client_for(manager).get(people_url(world.unit_a))
        assert response.status_code == 200
        assert names(response) == ["李晓梅", "张三"]
        assert [row.unit_rank for row in response.context["rows"]] == [1, 2]
        assert response.context["everyone"] is True


def test_default_leader_sees_unit_figures_but_no_names(world, client_for):
    october(world)
    response = client_for(world.leader).get(people_url(world.unit_a))
    assert response.status_code == 200
    assert names(response) == []
    html = response.content.decode()
    assert "李晓梅" not in html and "张三" not in html
    assert "仅本人和管理者可见" in html
    assert response.context["unit_row"].registered == 2
    ranking = client_for(world.leader).get(ranking_url(world.city))
    assert names(ranking) == []


def test_default_staff_sees_only_own_row(world, client_for):
    october(world)
    response = client_for(world.staff).get(people_url(world.unit_a))
    assert response.status_code == 200
    assert names(response) == ["张三"]
    assert response.context["rows"][0].unit_rank == 2  # the true rank, among everyone
    assert "李晓梅" not in response.content.decode()


def test_staff_cannot_open_another_unit(world, client_for):
    october(world)
    assert client_for(world.staff).get(people_url(world.unit_b)).status_code == 404
    assert client_for(world.staff).get(ranking_url(world.unit_a)).status_code == 404


def test_changed_to_scope_leader_sees_names(world, client_for):
    october(world)
    change(world, person_ranking_visibility=LearningSettings.RankingVisibility.SCOPE)
    response = client_for(world.leader).get(people_url(world.unit_a))
    assert names(response) == ["李晓梅", "张三"]
    ranking = client_for(world.leader).get(ranking_url(world.city))
    assert names(ranking) == ["马海燕", "李晓梅", "赵敏", "张三"]


def test_changed_to_unit_staff_see_their_unit(world, client_for):
    october(world)
    change(world, person_ranking_visibility=LearningSettings.RankingVisibility.UNIT)
    response = client_for(world.staff).get(people_url(world.unit_a))
    assert names(response) == ["李晓梅", "张三"]
    # The leader is not in unit A: still no names there.
    assert names(client_for(world.leader).get(people_url(world.unit_a))) == []
    viewer = selectors.Viewer(world.staff)
    assert viewer.sees_people(world.unit_a, selectors.settings_for(world.unit_a))
    assert not viewer.sees_people(world.unit_b, selectors.settings_for(world.unit_b))


def test_unpublished_unit_figures_only_for_managers(world, client_for):
    october(world)
    change(world, publish_unit_figures=False)
    leader = client_for(world.leader).get(f"/learning/summary/?unit={world.city.pk}&month=2026-10")
    assert len(leader.context["summary"].rows) == 0
    assert leader.context["summary"].hidden >= 5
    assert client_for(world.leader).get(people_url(world.unit_a)).status_code == 404
    liaison = client_for(world.liaison).get(
        f"/learning/summary/?unit={world.unit_a.pk}&month=2026-10"
    )
    assert {row.unit.name for row in liaison.context["summary"].rows} == {
        "市文体旅游广电局",
        "办公室",
    }


def test_nearest_settings_win(world, client_for):
    october(world)
    change(world, person_ranking_visibility=LearningSettings.RankingVisibility.SCOPE)
    services.change_settings(
        actor=world.office,
        unit=world.unit_a,
        values={"person_ranking_visibility": LearningSettings.RankingVisibility.SELF_AND_MANAGERS},
        reason="本单位个人排名不公开",
    )
    assert names(client_for(world.leader).get(people_url(world.unit_a))) == []
    assert names(client_for(world.leader).get(people_url(world.unit_b))) == ["马海燕"]
    ranking = client_for(world.leader).get(ranking_url(world.city))
    assert "李晓梅" not in names(ranking)
    assert "马海燕" in names(ranking)


def test_ranking_ranks_ties_and_pages(world, client_for):
    add_month(
        world,
        OCT,
        [
            (world.liaison, world.unit_a, 300),
            (world.staff, world.unit_a, 300),
            (world.staff2, world.section_a, 200),
            (world.outsider, world.unit_b, 500),
            (world.leader, world.city, 100),
        ],
    )
    response = client_for(world.office).get(ranking_url(world.city))
    rows = response.context["rows"]
    assert [(row.record.person.name, row.rank, row.unit_rank) for row in rows] == [
        ("马海燕", 1, 1),
        ("李晓梅", 2, 1),
        ("张三", 2, 1),
        ("赵敏", 4, 1),
        ("陈志强", 5, 1),
    ]
    records = selectors.ranking_queryset(world.office, world.city, "xuexi", OCT)
    second_page = selectors.rank_page(records, 2, 2)
    assert [(row.record.person.name, row.rank) for row in second_page] == [
        ("张三", 2),
        ("赵敏", 4),
    ]
    assert selectors.rank_page(records, 1, 1)[0].rank == 2


def test_ranking_export(world, client_for):
    import io

    from openpyxl import load_workbook

    october(world)
    response = client_for(world.liaison).get(ranking_url(world.unit_a, export="xlsx"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[2] == ("名次", "姓名", "单位", "单位内名次", "积分")
    assert rows[3:] == [
        (1, "李晓梅", "市文体旅游广电局", 1, 400),
        (2, "赵敏", "办公室", 1, 350),
        (3, "张三", "市文体旅游广电局", 2, 100),
    ]


def test_active_threshold_from_settings(world, client_for):
    october(world)
    change(world, active_points=Decimal(90))
    response = client_for(world.office).get(
        f"/learning/summary/?unit={world.city.pk}&month=2026-10"
    )
    unit_a = next(row for row in response.context["summary"].rows if row.unit.pk == world.unit_a.pk)
    assert unit_a.active == 2


def _listing(user, root):
    ranked = selectors.Ranking(user, root, "xuexi", OCT)
    return ranked.stored_at, [
        (row.record.person.name, row.rank, row.unit_rank) for row in ranked[0 : ranked.count()]
    ]


def test_stored_ranking_matches_live(world):
    add_month(
        world,
        OCT,
        [
            (world.liaison, world.unit_a, 300),
            (world.staff, world.unit_a, 300),
            (world.staff2, world.section_a, 200),
            (world.outsider, world.unit_b, 500),
            (world.leader, world.city, 100),
        ],
    )
    change(world, person_ranking_visibility=LearningSettings.RankingVisibility.UNIT)
    cases = [
        (world.office, world.city),
        (world.office, world.unit_a),
        (world.liaison, world.unit_a),
        (world.leader, world.city),
        (world.outsider, world.unit_b),
    ]
    live = {case: _listing(*case) for case in cases}
    assert all(stored_at is None for stored_at, _rows in live.values())
    services.generate_monthly_summaries(month=OCT, notify_liaisons=False)
    for case in cases:
        stored_at, rows = _listing(*case)
        assert stored_at is not None
        assert rows == live[case][1], case
    assert live[(world.office, world.city)][1][:3] == [
        ("马海燕", 1, 1),
        ("李晓梅", 2, 1),
        ("张三", 2, 1),
    ]
    # The leader (a member of the city itself) sees the city's own people under "unit".
    assert live[(world.leader, world.city)][1] == [("陈志强", 1, 1)]


def test_stored_ranking_page_through_http(world, client_for):
    october(world)
    services.generate_monthly_summaries(month=OCT, notify_liaisons=False)
    response = client_for(world.office).get(ranking_url(world.city))
    assert response.context["stored_at"] is not None
    assert names(response) == ["马海燕", "李晓梅", "赵敏", "张三"]
    api = client_for(world.office).get(
        f"/api/learning/rankings?unit={world.city.pk}&month=2026-10&page=2&page_size=3"
    )
    assert [item["person"]["name"] for item in api.json()["items"]] == ["张三"]
    assert api.json()["items"][0]["rank"] == 4


def test_missing_ranking_file_falls_back_to_live(world):
    from django.core.files.storage import default_storage

    october(world)
    (summary,) = services.generate_monthly_summaries(month=OCT, notify_liaisons=False)
    default_storage.delete(summary.data["ranking"]["file"])
    stored_at, rows = _listing(world.office, world.city)
    assert stored_at is None
    assert [name for name, _rank, _unit_rank in rows] == ["马海燕", "李晓梅", "赵敏", "张三"]
