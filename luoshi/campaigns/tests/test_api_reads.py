"""API reads of campaigns, tasks and notices, in scope, with filters and pagination; the outsider
gets 404 on everything of unit A; the lists' queries do not grow with them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task, TaskState
from luoshi.testing import issued_task

from .conftest import png_upload, task_in_state

pytestmark = pytest.mark.django_db

# --- Campaigns -------------------------------------------------------------------------------------


def test_campaign_detail_with_tracks_and_leading_group(world, api_for):
    chain.set_leading_group(
        actor=world.office,
        campaign=world.campaign,
        members=[(world.leader, "leader", "市委副书记"), (world.office, "office", "办公室主任")],
    )
    body = api_for(world.leader).get(f"/campaigns/{world.campaign.pk}").json()
    assert [t["name"] for t in body["tracks"]] == [
        "全员大学习",
        "业务大比拼",
        "作风大转变",
        "能力大提升",
    ]
    assert [(s["person"]["name"], s["seat_display"]) for s in body["leading_group"]] == [
        ("陈志强", "组长"),
        ("王建国", "办公室"),
    ]
    assert body["office_unit"]["name"] == "市委宣传部"
    assert body["start_date"] == world.campaign.start_date.isoformat()


def test_outsider_does_not_see_the_campaign_without_tasks_of_their_own(world, api_for):
    outsider = api_for(world.outsider)
    assert outsider.get("/campaigns").json() == []
    assert outsider.get(f"/campaigns/{world.campaign.pk}").status_code == 404


# --- Tasks -----------------------------------------------------------------------------------------


def test_task_detail_has_timeline_reports_and_download_urls(world, api_for):
    task = task_in_state(world, "in_progress")
    report = chain.report_progress(
        actor=world.staff, task=task, percent=30, text="已开展一次", files=[png_upload()]
    )
    chain.issue_notice(actor=world.office, task=task, content="请加快进度")
    body = api_for(world.office).get(f"/tasks/{task.pk}").json()
    assert [e["action"] for e in body["events"]] == [
        "issue",
        "sign",
        "assign",
        "report",
        "supervise",
    ]
    assert body["events"][1]["actor"]["name"] == "李晓梅"
    assert body["events"][1]["action_display"] == "签收"
    assert body["reports"][0]["id"] == report.pk
    attachment = body["reports"][0]["attachments"][0]
    assert attachment["url"] == reverse("files:download", args=[attachment["id"]])
    assert attachment["is_image"] is True
    assert body["notices"][0]["number"].startswith("茫宣督〔")
    assert body["parent"]["id"] == task.parent_id
    assert body["version"] == Task.objects.get(pk=task.pk).version
    datetime.datetime.fromisoformat(body["issued_at"])  # ISO dates


def test_plan_detail_lists_its_unit_tasks_in_scope(world, api_for):
    tasks = issued_task(world, units=[world.unit_a, world.unit_b])
    plan_id = tasks[0].parent_id
    office_children = api_for(world.office).get(f"/tasks/{plan_id}").json()["children"]
    assert {c["unit"]["name"] for c in office_children} == {"市文体旅游广电局", "冷湖镇"}
    # the liaison of unit A does not see the plan itself (it belongs to the office)
    assert api_for(world.liaison).get(f"/tasks/{plan_id}").status_code == 404


def test_task_list_filters(world, api_for):
    first = task_in_state(world, "in_progress")  # owner: staff
    issued_task(world, title="开展业务大比拼", units=[world.unit_b])
    red = issued_task(world, title="逾期任务", days=5)[0]
    Task.objects.filter(pk=red.pk).update(warning="red")
    second_track = world.campaign.tracks.get(name="业务大比拼")
    Task.objects.filter(pk=first.pk).update(track=second_track)

    office = api_for(world.office)

    def ids(**params):
        body = office.get("/tasks", params).json()
        return {item["id"] for item in body["items"]}

    unit_tasks = ids(plan="false")
    assert len(unit_tasks) == 3
    assert ids(unit=world.unit_b.pk) == {t.pk for t in Task.objects.filter(unit=world.unit_b)}
    assert ids(state="in_progress", plan="false") == {first.pk}
    assert ids(warning="red") == {red.pk}
    assert red.pk not in ids(warning="none", plan="false")
    assert ids(track=second_track.pk) == {first.pk}
    assert ids(q="大比拼") == set(
        Task.objects.filter(title="开展业务大比拼").values_list("pk", flat=True)
    )
    assert ids(campaign=world.campaign.pk) == set(Task.objects.values_list("pk", flat=True))
    assert ids(plan="true") == set(
        Task.objects.filter(unit__isnull=True).values_list("pk", flat=True)
    )
    assert api_for(world.staff).get("/tasks", {"owner": "me"}).json()["count"] == 1
    assert office.get("/tasks", {"owner": "me"}).json()["count"] == 0
    assert office.get("/tasks", {"state": "nonsense"}).status_code == 422


def test_task_list_pagination(world, api_for):
    for n in range(3):
        issued_task(world, title=f"任务{n}")
    office = api_for(world.office)
    first = office.get("/tasks", {"page": 1, "page_size": 4}).json()
    second = office.get("/tasks", {"page": 2, "page_size": 4}).json()
    assert first["count"] == second["count"] == 6
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    past = office.get("/tasks", {"page": 3, "page_size": 4}).json()
    assert past["count"] == 6 and past["items"] == []
    whole = office.get("/tasks", {"page_size": 6}).json()
    assert whole["count"] == 6 and len(whole["items"]) == 6


def test_task_list_counts_only_when_the_page_does_not_tell(world, client_for):
    """The last page (and a list of one page) gives the count from its own rows; a full page
    counts, since more may follow."""
    for n in range(3):
        issued_task(world, title=f"任务{n}")
    client = client_for(world.office)

    def counts(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/tasks", params).status_code == 200
        return sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)

    assert counts(page=1, page_size=4) == 1 + counts(page=2, page_size=4)
    assert counts(page_size=50) == counts(page=2, page_size=4)


def test_task_list_query_count_does_not_grow(world, client_for):
    client = client_for(world.office)
    tracks = list(world.campaign.tracks.all())
    people = [world.staff, world.staff2, world.liaison]
    today = timezone.localdate()

    def make(count: int, offset: int) -> None:
        Task.objects.bulk_create(
            Task(
                campaign=world.campaign,
                track=tracks[i % len(tracks)],
                unit=world.unit_a if i % 2 else world.unit_b,
                owner=people[i % len(people)],
                title=f"任务{offset + i}",
                state=TaskState.IN_PROGRESS,
                deadline=today + datetime.timedelta(days=i),
            )
            for i in range(count)
        )

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/tasks", {"page_size": 200})
        assert response.status_code == 200
        return len(captured)

    make(5, 0)
    few = count_queries()
    make(45, 5)
    many = count_queries()
    assert client.get("/api/tasks", {"page_size": 200}).json()["count"] == 50
    assert many == few


# --- Notices ---------------------------------------------------------------------------------------


def test_notice_list_and_detail(world, api_for):
    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content="请于本周内补报材料")
    liaison = api_for(world.liaison)
    items = liaison.get("/notices", {"state": "open"}).json()["items"]
    assert [n["id"] for n in items] == [notice.pk]
    assert liaison.get("/notices", {"state": "replied"}).json()["count"] == 0
    detail = liaison.get(f"/notices/{notice.pk}").json()
    assert detail["content"] == "请于本周内补报材料"
    assert detail["unit"]["name"] == "市文体旅游广电局"
    assert detail["reply_deadline"] == notice.reply_deadline.isoformat()


# --- The outsider ----------------------------------------------------------------------------------


def test_outsider_gets_404_on_everything_of_unit_a(world, api_for):
    task = task_in_state(world, "in_progress")
    report = chain.report_progress(actor=world.staff, task=task, percent=20, text="进行中")
    notice = chain.issue_notice(actor=world.office, task=task, content="督办")
    outsider = api_for(world.outsider)
    for path in [
        f"/tasks/{task.pk}",
        f"/tasks/{task.parent_id}",
        f"/tasks/{task.pk}/reports",
        f"/units/{world.unit_a.pk}",
        f"/units/{world.section_a.pk}",
        f"/people/{world.staff.pk}",
        f"/people/{world.liaison.pk}",
        f"/notices/{notice.pk}",
        f"/campaigns/{world.campaign.pk}",
    ]:
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"] == "未找到该对象，或不在您的数据范围内。"
    assert outsider.get("/tasks").json()["count"] == 0
    assert outsider.get("/notices").json()["count"] == 0
    assert world.unit_a.pk not in {u["id"] for u in outsider.get("/units").json()["items"]}
    assert {p["username"] for p in outsider.get("/people").json()["items"]} == {"outsider"}
    assert report.pk  # the report exists, the outsider just cannot reach it


def test_task_detail_says_why_it_is_red(world, api_for):
    task = issued_task(world, days=30)[0]
    Task.objects.filter(pk=task.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    chain.refresh_warnings(tasks=[Task.objects.get(pk=task.pk)])
    body = api_for(world.office).get(f"/tasks/{task.pk}").json()
    assert body["warning"] == "red" and body["warning_display"] == "红色预警"
    assert body["warning_reasons"] == ["已超过完成时限 3 天"]


def test_notice_list_query_count_does_not_grow(world, client_for):
    client = client_for(world.office)
    tasks = [task_in_state(world, "in_progress")]

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/notices")
        assert response.status_code == 200
        return len(captured)

    chain.issue_notice(actor=world.office, task=tasks[0], content="督办一")
    few = count_queries()
    for n in range(4):
        task = issued_task(world, title=f"任务{n}", units=[world.unit_b])[0]
        chain.sign_task(actor=world.outsider, task=task)
        chain.issue_notice(actor=world.office, task=task, content=f"督办{n}")
    assert client.get("/api/notices").json()["count"] == 5
    assert count_queries() == few
