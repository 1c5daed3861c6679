"""The workbench, the campaign overview and the lists, through HTTP, against the database."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.campaigns import rollups
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, Task, TaskState
from luoshi.org import services as org
from luoshi.org.models import UnitKind
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

S = TaskState


def _todos(response) -> dict[str, set[int]]:
    return {
        group.key: {item.task_id if group.key == "reply" else item.pk for item in group.items}
        for group in response.context["bench"].todos
    }


@pytest.fixture
def chain_world(world):
    """Tasks of unit A at every step of the chain, and one task of unit B (冷湖镇)."""
    to_sign, other = issued_task(world, title="待签收任务", units=[world.unit_a, world.unit_b])
    to_assign = issued_task(world, title="待分派任务")[0]
    chain.sign_task(actor=world.liaison, task=to_assign)
    doing = issued_task(world, title="办理中任务")[0]
    chain.sign_task(actor=world.liaison, task=doing)
    chain.assign_task(actor=world.liaison, task=doing, owner=world.staff)
    submitted = issued_task(world, title="待复核任务")[0]
    chain.sign_task(actor=world.liaison, task=submitted)
    chain.assign_task(actor=world.liaison, task=submitted, owner=world.staff)
    chain.report_progress(
        actor=world.staff, task=submitted, percent=100, text="完成", complete=True
    )
    notice = chain.issue_notice(actor=world.office, task=doing, content="请加快进度")
    return {
        "to_sign": to_sign,
        "other": other,
        "to_assign": to_assign,
        "doing": doing,
        "submitted": submitted,
        "notice": notice,
    }


# --- Workbench ----------------------------------------------------------------------------------


def test_liaison_workbench_shows_signing_and_assigning(world, chain_world, client_for):
    response = client_for(world.liaison).get(reverse("campaigns:workbench"))
    assert response.status_code == 200
    todos = _todos(response)
    assert todos["sign"] == {chain_world["to_sign"].pk}
    assert todos["assign"] == {chain_world["to_assign"].pk}
    assert todos["reply"] == {chain_world["doing"].pk}  # unit A's notice is the liaison's too
    assert "verify" not in todos
    html = response.content.decode()
    assert reverse("campaigns:task-detail", args=[chain_world["to_sign"].pk]) in html
    assert reverse("campaigns:task-detail", args=[chain_world["other"].pk]) not in html


def test_staff_workbench_shows_own_tasks_to_report(world, chain_world, client_for):
    response = client_for(world.staff).get(reverse("campaigns:workbench"))
    todos = _todos(response)
    assert todos["report"] == {chain_world["doing"].pk}
    assert todos["reply"] == {chain_world["doing"].pk}
    assert "sign" not in todos and "assign" not in todos and "verify" not in todos


def test_office_workbench_shows_completions_to_verify_and_campaign_cards(
    world, chain_world, client_for
):
    response = client_for(world.office).get(reverse("campaigns:workbench"))
    todos = _todos(response)
    assert todos["verify"] == {chain_world["submitted"].pk}
    assert "sign" not in todos
    cards = response.context["bench"].cards
    assert [card.campaign for card in cards] == [world.campaign]
    assert cards[0].total == 5 and cards[0].submitted == 1
    assert reverse("campaigns:campaign-overview", args=[world.campaign.pk]) in (
        response.content.decode()
    )


def test_leader_sees_campaign_cards_but_no_chain_todos(world, chain_world, client_for):
    response = client_for(world.leader).get(reverse("campaigns:workbench"))
    bench = response.context["bench"]
    assert [card.campaign for card in bench.cards] == [world.campaign]
    assert {group.key for group in bench.todos} == {"report", "reply"}
    assert all(group.count == 0 for group in bench.todos)


def test_outsider_workbench_has_only_lenghu_tasks(world, chain_world, client_for):
    response = client_for(world.outsider).get(reverse("campaigns:workbench"))
    todos = _todos(response)
    assert todos["sign"] == {chain_world["other"].pk}
    assert todos["assign"] == set() and todos["reply"] == set()
    assert response.context["bench"].cards == []
    html = response.content.decode()
    assert "市文体旅游广电局" not in html


def test_workbench_warning_counts_link_to_the_filtered_list(world, chain_world, client_for):
    Task.objects.filter(pk=chain_world["doing"].pk).update(warning="red")
    rollups.rebuild()  # direct updates bypass the services' refresh
    Task.objects.filter(pk__in=[chain_world["to_sign"].pk, chain_world["other"].pk]).update(
        warning="yellow"
    )
    rollups.rebuild()  # direct updates bypass the services' refresh
    client = client_for(world.liaison)
    response = client.get(reverse("campaigns:workbench"))
    warnings = {level: (count, url) for level, _label, count, url in response.context["warnings"]}
    assert warnings["red"][0] == 1
    assert warnings["yellow"][0] == 1  # unit B's yellow task is not the liaison's
    assert warnings["blue"][0] == 0
    listed = client.get(warnings["red"][1])
    assert [task.pk for task in listed.context["page"].object_list] == [chain_world["doing"].pk]
    html = response.content.decode()
    assert 'class="card text-decoration-none h-100 warning-red"' in html


def test_workbench_shows_unread_notifications(world, client_for):
    notify(recipients=[world.staff], title="请于本周五前提交学习心得", url="/x/")
    response = client_for(world.staff).get(reverse("campaigns:workbench"))
    assert [n.title for n in response.context["bench"].notifications] == [
        "请于本周五前提交学习心得"
    ]
    assert "请于本周五前提交学习心得" in response.content.decode()


def test_todo_counts_are_capped(world, client_for, monkeypatch):
    from luoshi.campaigns import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for index in range(4):
        issued_task(world, title=f"任务{index}")
    response = client_for(world.liaison).get(reverse("campaigns:workbench"))
    group = next(g for g in response.context["bench"].todos if g.key == "sign")
    assert group.count == 2 and group.capped
    assert "2+" in response.content.decode()


# --- Campaign overview --------------------------------------------------------------------------


def test_overview_numbers_match_the_database_and_link_to_the_tasks(world, chain_world, client_for):
    Task.objects.filter(pk=chain_world["doing"].pk).update(warning="red", progress=40)
    rollups.rebuild()  # direct updates bypass the services' refresh
    Task.objects.filter(pk=chain_world["other"].pk).update(warning="yellow")
    rollups.rebuild()  # direct updates bypass the services' refresh
    client = client_for(world.office)
    response = client.get(reverse("campaigns:campaign-overview", args=[world.campaign.pk]))
    assert response.status_code == 200
    overview = response.context["overview"]
    unit_tasks = Task.objects.filter(campaign=world.campaign, unit__isnull=False)
    assert overview.totals.counts["total"] == unit_tasks.count() == 5
    assert overview.totals.counts["issued"] == unit_tasks.filter(state=S.ISSUED).count() == 2
    assert overview.totals.counts["red"] == 1 and overview.totals.counts["yellow"] == 1
    assert overview.units_count == 2
    # lagging units first: unit A has the red task
    assert [row.unit for row in overview.units] == [world.unit_a, world.unit_b]
    row_a = overview.units[0]
    assert row_a.counts["total"] == 4 and row_a.counts["submitted"] == 1
    assert row_a.progress == round((0 + 0 + 40 + 100) / 4)
    first_track = world.campaign.tracks.first()
    assert overview.tracks[0].track == first_track and overview.tracks[0].counts["total"] == 5
    # every number links to a list that shows exactly that many tasks
    cells = list(response.context["totals"])
    for _row, row_cells in [*response.context["tracks"], *response.context["units"]]:
        cells.extend(row_cells)
    for value, url, key in cells:
        listed = client.get(url)
        assert listed.context["page"].paginator.count == value, (key, url)
    # the red cell of unit A goes to unit A's red tasks
    red_url = next(url for value, url, key in response.context["units"][0][1] if key == "red")
    params = parse_qs(urlparse(red_url).query)
    assert params["unit"] == [str(world.unit_a.pk)] and params["warning"] == ["red"]
    assert params["campaign"] == [str(world.campaign.pk)]
    html = response.content.decode()
    assert 'data-chart="track-chart-data"' in html and 'id="track-chart-data"' in html
    assert "echarts/echarts.min.js" in html
    assert "<script>" not in html.replace('<script id="', "")  # only json_script, no inline JS


def test_overview_chart_links_go_to_filtered_lists(world, chain_world, client_for):
    response = client_for(world.office).get(
        reverse("campaigns:campaign-overview", args=[world.campaign.pk])
    )
    unit_links = response.context["unit_links"]
    assert set(unit_links) == {"市文体旅游广电局", "冷湖镇"}
    assert f"unit={world.unit_b.pk}" in unit_links["冷湖镇"]
    option = response.context["track_chart"]
    assert option["xAxis"]["data"][0] == "全员大学习"
    assert sum(option["series"][0]["data"]) == 2  # two tasks wait to be signed


def test_outsider_gets_404_on_a_campaign_they_cannot_see(world, client_for):
    issued_task(world)
    url = reverse("campaigns:campaign-overview", args=[world.campaign.pk])
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.liaison).get(url).status_code == 200


def test_outsider_overview_counts_only_their_unit(world, chain_world, client_for):
    response = client_for(world.outsider).get(
        reverse("campaigns:campaign-overview", args=[world.campaign.pk])
    )
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.totals.counts["total"] == 1
    assert [row.unit for row in overview.units] == [world.unit_b]
    assert "市文体旅游广电局" not in response.content.decode()


# --- Task list ----------------------------------------------------------------------------------


def _listed(client, **params) -> list[int]:
    response = client.get(reverse("campaigns:task-list"), params)
    assert response.status_code == 200
    return [task.pk for task in response.context["page"].object_list]


def test_task_list_filters(world, chain_world, client_for):
    client = client_for(world.office)
    cw = chain_world
    all_unit_tasks = {cw[k].pk for k in ("to_sign", "other", "to_assign", "doing", "submitted")}
    assert set(_listed(client, level="issued")) == all_unit_tasks
    assert set(_listed(client, state="issued", level="issued")) == {
        cw["to_sign"].pk,
        cw["other"].pk,
    }
    assert _listed(client, unit=world.unit_b.pk) == [cw["other"].pk]
    assert set(_listed(client, unit=world.city.pk, subtree="on", level="issued")) == (
        all_unit_tasks
    )
    assert _listed(client, unit=world.city.pk) == []
    assert set(_listed(client, state="open", q="办理中", level="issued")) == {cw["doing"].pk}
    assert _listed(client, level="plan", q="待复核") == [cw["submitted"].parent_id]
    Task.objects.filter(pk=cw["doing"].pk).update(warning="red")
    rollups.rebuild()  # direct updates bypass the services' refresh
    assert _listed(client, warning="red") == [cw["doing"].pk]
    assert cw["doing"].pk not in _listed(client, warning="none", level="issued")
    assert _listed(client_for(world.staff), mine="on") == [cw["doing"].pk, cw["submitted"].pk]
    track = world.campaign.tracks.last()
    assert _listed(client, track=track.pk) == []
    assert _listed(client, kind="rectification") == []


def test_task_list_sorting_and_deadline_range(world, client_for):
    soon = issued_task(world, title="近期任务", days=5)[0]
    later = issued_task(world, title="远期任务", days=50)[0]
    Task.objects.filter(pk=later.pk).update(progress=10)
    client = client_for(world.liaison)
    assert _listed(client) == [soon.pk, later.pk]
    assert _listed(client, sort="-deadline") == [later.pk, soon.pk]
    assert _listed(client, sort="-progress") == [later.pk, soon.pk]
    assert _listed(client, deadline_from=later.deadline.isoformat()) == [later.pk]
    assert _listed(client, deadline_to=soon.deadline.isoformat()) == [soon.pk]


def test_task_list_refuses_bad_filters_with_a_message(world, chain_world, client_for):
    client = client_for(world.office)
    response = client.get(
        reverse("campaigns:task-list"), {"deadline_from": "2026-13-01", "state": "bogus"}
    )
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    html = response.content.decode()
    assert "筛选条件有误" in html
    assert "有效" in html  # the field-level message of the date or the choice


def test_task_list_paginates(world, client_for):
    for index in range(30):
        issued_task(world, title=f"任务{index:02d}")
    client = client_for(world.liaison)
    first = client.get(reverse("campaigns:task-list"))
    assert (
        len(first.context["page"].object_list) == 25 and first.context["page"].paginator.count == 30
    )
    second = client.get(reverse("campaigns:task-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "第 26–30 条，共 30 条" in second.content.decode()


def test_task_list_has_a_phone_card_layout(world, chain_world, client_for):
    Task.objects.filter(pk=chain_world["doing"].pk).update(warning="red")
    rollups.rebuild()  # direct updates bypass the services' refresh
    html = client_for(world.liaison).get(reverse("campaigns:task-list")).content.decode()
    assert 'id="task-cards"' in html and "d-md-none" in html
    assert 'class="card d-none d-md-block"' in html
    # the red task carries its badge in the table and on its card
    assert html.count('<span class="badge warning-red') == 2


def test_workbench_groups_link_to_their_lists(world, chain_world, client_for):
    client = client_for(world.liaison)
    groups = {g.key: g for g in client.get(reverse("campaigns:workbench")).context["bench"].todos}
    listed = client.get(groups["sign"].list_url).context["page"].object_list
    assert [task.pk for task in listed] == [chain_world["to_sign"].pk]
    notices = client.get(groups["reply"].list_url).context["page"].object_list
    assert [notice.pk for notice in notices] == [chain_world["notice"].pk]


def test_outsider_task_list_holds_nothing_of_unit_a(world, chain_world, client_for):
    client = client_for(world.outsider)
    assert _listed(client) == [chain_world["other"].pk]
    assert _listed(client, unit=world.unit_a.pk) == []  # not a choice in their scope
    response = client.get(reverse("campaigns:task-list"), {"campaign": world.campaign.pk})
    assert [t.pk for t in response.context["page"].object_list] == [chain_world["other"].pk]
    unit_pks = {unit.pk for unit in response.context["unit_choices"]}
    assert unit_pks == {world.unit_b.pk}
    assert "市文体旅游广电局" not in response.content.decode()


def test_unit_picker_search_stays_in_scope(world, client_for):
    url = reverse("campaigns:task-unit-options")
    html = client_for(world.office).get(url, {"unit_q": "swtl"}).content.decode()
    assert "市文体旅游广电局" in html
    html = client_for(world.outsider).get(url, {"unit_q": "swtl"}).content.decode()
    assert "市文体旅游广电局" not in html


def test_task_export_writes_the_filtered_rows_and_is_audited(world, chain_world, client_for):
    client = client_for(world.office)
    response = client.get(reverse("campaigns:task-export"), {"unit": world.unit_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "任务清单"
    assert "责任单位：市文体旅游广电局" in rows[1][0]
    header = rows[2]
    assert header[:4] == ("编号", "专项行动", "方向", "任务名称")
    body = rows[3:]
    assert {row[0] for row in body} == {
        chain_world[k].pk for k in ("to_sign", "to_assign", "doing", "submitted")
    }
    doing = next(row for row in body if row[0] == chain_world["doing"].pk)
    assert doing[5] == "市文体旅游广电局" and doing[6] == "张三" and doing[7] == "办理中"
    event = AuditEvent.objects.get(action="export", actor=world.office)
    assert event.object_type == "campaigns.task" and "4 行" in event.note
    # the same export through ?export=xlsx on the list
    again = client.get(reverse("campaigns:task-list"), {"export": "xlsx", "unit": world.unit_b.pk})
    rows = list(load_workbook(io.BytesIO(again.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows[3:]] == [chain_world["other"].pk]


def test_outsider_export_holds_nothing_of_unit_a(world, chain_world, client_for):
    response = client_for(world.outsider).get(reverse("campaigns:task-export"))
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert [row[0] for row in rows[3:]] == [chain_world["other"].pk]


# --- Campaign list and notices ------------------------------------------------------------------


def test_campaign_list_filters_and_exports(world, chain_world, client_for):
    chain.create_campaign(
        actor=world.office,
        name="文化市场整治专项行动",
        office_unit=world.office_unit,
        start_date=world.campaign.start_date,
        end_date=world.campaign.end_date,
        tracks=[],
    )
    client = client_for(world.office)
    response = client.get(reverse("campaigns:campaign-list"))
    assert {card.campaign.name for card in response.context["cards"]} == {
        world.campaign.name,
        "文化市场整治专项行动",
    }
    response = client.get(reverse("campaigns:campaign-list"), {"q": "四大"})
    assert [card.campaign for card in response.context["cards"]] == [world.campaign]
    assert response.context["cards"][0].total == 5
    export = client.get(reverse("campaigns:campaign-list"), {"q": "四大", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[2][0] == "名称" and rows[3][0] == world.campaign.name and rows[3][5] == 5
    assert AuditEvent.objects.filter(action="export", object_type="campaigns.campaign").exists()


def test_outsider_campaign_list(world, client_for):
    client = client_for(world.outsider)
    assert client.get(reverse("campaigns:campaign-list")).context["cards"] == []
    issued_task(world, units=[world.unit_b])
    cards = client.get(reverse("campaigns:campaign-list")).context["cards"]
    assert [card.campaign for card in cards] == [world.campaign] and cards[0].total == 1


def test_notice_list_filters_and_exports(world, chain_world, client_for):
    other = chain.issue_notice(actor=world.office, task=chain_world["other"], content="请尽快签收")
    chain.reply_notice(actor=world.outsider, notice=other, reply="已签收")
    client = client_for(world.office)
    url = reverse("campaigns:notice-list")

    def listed(**params):
        return [notice.pk for notice in client.get(url, params).context["page"].object_list]

    assert set(listed()) == {chain_world["notice"].pk, other.pk}
    assert listed(state="open") == [chain_world["notice"].pk]
    assert listed(state="replied") == [other.pk]
    assert listed(unit=world.unit_b.pk) == [other.pk]
    export = client.get(url, {"state": "open", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[2][0] == "编号" and rows[3][0] == chain_world["notice"].number
    assert AuditEvent.objects.filter(
        action="export", object_type="campaigns.supervisionnotice"
    ).exists()
    outsider = client_for(world.outsider)
    assert [n.pk for n in outsider.get(url).context["page"].object_list] == [other.pk]
    staff = client_for(world.staff)
    assert [n.pk for n in staff.get(url, {"mine": "on"}).context["page"].object_list] == [
        chain_world["notice"].pk
    ]


# --- Speed: the number of queries does not grow with the data -----------------------------------


def _grow(world, *, units: int, tasks: int, batch: str) -> None:
    """`units` more units under 茫崖市 and `tasks` plans issued to all of them and to unit A, with
    unit A's tasks spread along the chain."""
    extra = [
        org.create_unit(
            actor=None,
            name=f"测试单位{batch}-{index}",
            kind=UnitKind.DEPARTMENT,
            parent=world.city,
            audit=False,
        )
        for index in range(units)
    ]
    for index in range(tasks):
        task = issued_task(world, title=f"任务{index}", units=[world.unit_a, *extra])[0]
        step = index % 4
        if step >= 1:
            chain.sign_task(actor=world.liaison, task=task)
        if step >= 2:
            chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
            chain.issue_notice(actor=world.office, task=task, content="请加快进度")
        if step >= 3:
            chain.report_progress(
                actor=world.staff, task=task, percent=100, text="完成", complete=True
            )
    Task.objects.filter(unit__in=extra[: units // 2]).update(warning="red")
    rollups.rebuild()  # direct updates bypass the services' refresh
    notify(recipients=[world.liaison, world.office], title="消息")


def _query_counts(world, client_for) -> dict[str, int]:
    pages = {
        "workbench-liaison": (world.liaison, reverse("campaigns:workbench"), {}),
        "workbench-office": (world.office, reverse("campaigns:workbench"), {}),
        "workbench-staff": (world.staff, reverse("campaigns:workbench"), {}),
        "overview": (
            world.office,
            reverse("campaigns:campaign-overview", args=[world.campaign.pk]),
            {},
        ),
        "task-list": (world.office, reverse("campaigns:task-list"), {"sort": "warning"}),
        "task-list-filtered": (
            world.liaison,
            reverse("campaigns:task-list"),
            {"unit": world.unit_a.pk, "subtree": "on", "state": "open"},
        ),
        "campaign-list": (world.office, reverse("campaigns:campaign-list"), {}),
        "notice-list": (world.office, reverse("campaigns:notice-list"), {}),
    }
    counts = {}
    for name, (user, url, params) in pages.items():
        client = client_for(user)
        client.get(url, params)  # warm up the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        counts[name] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_data(world, client_for):
    _grow(world, units=3, tasks=2 * 4, batch="a")
    small = _query_counts(world, client_for)
    _grow(world, units=10, tasks=10, batch="b")
    assert Task.objects.filter(unit__isnull=False).count() > 120
    large = _query_counts(world, client_for)
    assert large == small


def test_campaign_status_filter(world, client_for):
    Campaign.objects.filter(pk=world.campaign.pk).update(status="closed")
    client = client_for(world.office)
    response = client.get(reverse("campaigns:campaign-list"), {"status": "active"})
    assert response.context["cards"] == []
    response = client.get(reverse("campaigns:campaign-list"), {"status": "closed"})
    assert [card.campaign for card in response.context["cards"]] == [world.campaign]


def _reference_tasks(user):
    """The visibility rule in its plainest form (joins along the unit paths), against which the
    fast query shapes of access.visible_tasks are held."""
    from luoshi.org.access import scope_for

    scope = scope_for(user, "task.view")
    tasks = Task.objects.filter(deleted_at__isnull=True)
    if scope.everything:
        return tasks
    rule = Q(owner=user)
    if scope.covers_units():
        rule |= scope.units_q("unit__") | (
            Q(unit__isnull=True) & scope.units_q("campaign__office_unit__")
        )
    return tasks.filter(rule)


@pytest.mark.parametrize("large", [False, True], ids=["small-reach", "large-reach"])
@pytest.mark.parametrize(
    "persona", ["office", "liaison", "staff", "staff2", "leader", "outsider", "sysadmin"]
)
def test_visible_tasks_equal_the_plain_rule(world, chain_world, persona, large, monkeypatch):
    """access.visible_tasks, in both of its query shapes, returns exactly the plain rule's tasks."""
    from luoshi.campaigns import access

    monkeypatch.setattr(access, "LARGE_SCOPE_UNITS", 1 if large else 10_000)

    chain.decompose_task(
        actor=world.liaison,
        task=chain_world["doing"],
        items=[chain.SubTaskSpec(title="整理学习笔记", owner=world.staff2)],
    )
    user = getattr(world, persona)
    expected = set(_reference_tasks(user).values_list("pk", flat=True))
    assert set(access.visible_tasks(user).values_list("pk", flat=True)) == expected
    units_only = set(access.visible_tasks(user, units_only=True).values_list("pk", flat=True))
    assert units_only == set(
        _reference_tasks(user).filter(unit__isnull=False).values_list("pk", flat=True)
    )


def test_level_filter_tells_unit_tasks_from_subtasks(world, chain_world, client_for):
    sub = chain.decompose_task(
        actor=world.liaison,
        task=chain_world["doing"],
        items=[chain.SubTaskSpec(title="整理学习笔记", owner=world.staff2)],
    )[0]
    client = client_for(world.liaison)
    assert _listed(client, level="sub") == [sub.pk]
    assert sub.pk not in _listed(client, level="issued")
    assert chain_world["doing"].pk in _listed(client, level="issued")
    # the overview counts the unit's own task, not its sub-tasks
    overview = client.get(reverse("campaigns:campaign-overview", args=[world.campaign.pk])).context[
        "overview"
    ]
    assert overview.totals.counts["total"] == 4


@pytest.mark.parametrize(
    "persona", ["office", "liaison", "staff", "leader", "outsider", "sysadmin", "auditor"]
)
def test_visible_campaigns_follow_office_scope_and_tasks(world, persona):
    from luoshi.campaigns.access import visible_campaigns

    other = chain.create_campaign(
        actor=world.office,
        name="文化市场整治专项行动",
        office_unit=world.office_unit,
        start_date=world.campaign.start_date,
        end_date=world.campaign.end_date,
        tracks=[],
    )
    issued_task(world, units=[world.unit_b])
    user = getattr(world, persona)
    expected = set(visible_campaigns(user).values_list("pk", flat=True))
    with_tasks = set(_reference_tasks(user).values_list("campaign_id", flat=True))
    assert with_tasks <= expected
    assert (other.pk in expected) == (persona in ("office", "leader"))
