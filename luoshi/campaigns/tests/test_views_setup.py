"""Campaign set-up pages, task breakdown with working-day deadlines and milestones, optimistic
locking and soft delete (the holiday calendar's own page is tested in luoshi/workdays)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, LeadingGroupMember, Milestone, Task
from luoshi.campaigns.services import setup
from luoshi.testing import issued_task
from luoshi.workdays.selectors import load_calendar
from luoshi.workdays.services import set_holiday_year

pytestmark = pytest.mark.django_db


def test_create_campaign_with_tracks_and_thresholds(world, client_for):
    office = client_for(world.office)
    assert office.get(reverse("campaigns:campaign-create")).status_code == 200
    response = office.post(
        reverse("campaigns:campaign-create"),
        {
            "name": "“强作风”专项行动",
            "short_name": "强作风",
            "office_unit": world.office_unit.pk,
            "start_date": "2026-12-01",
            "end_date": "2027-06-30",
            "description": "作风建设",
            "tracks": "作风大转变\n能力大提升\n",
            "notice_prefix": "茫作督",
            "blue_working_days": 5,
            "yellow_lag_percent": 15,
            "sign_working_days": 1,
            "reply_working_days": 2,
        },
    )
    campaign = Campaign.objects.get(name="“强作风”专项行动")
    assert response.status_code == 302
    assert list(campaign.tracks.values_list("name", flat=True)) == ["作风大转变", "能力大提升"]
    assert campaign.blue_working_days == 5 and campaign.notice_prefix == "茫作督"
    page = office.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()
    assert "作风大转变" in page and "茫作督" in page


def test_campaign_form_refuses_bad_period(world, client_for):
    response = client_for(world.office).post(
        reverse("campaigns:campaign-create"),
        {
            "name": "x",
            "office_unit": world.office_unit.pk,
            "start_date": "2027-01-02",
            "end_date": "2027-01-01",
            "notice_prefix": "督办",
            "blue_working_days": 3,
            "yellow_lag_percent": 120,
            "sign_working_days": 2,
            "reply_working_days": 3,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in page and "不能超过 100" in page
    assert not Campaign.objects.filter(name="x").exists()


def test_outsider_cannot_pick_an_office_out_of_scope(world, client_for):
    response = client_for(world.office).post(
        reverse("campaigns:campaign-create"),
        {
            "name": "越权",
            "office_unit": world.unit_b.pk + 1000,
            "start_date": "2027-01-01",
            "end_date": "2027-02-01",
            "notice_prefix": "督办",
            "blue_working_days": 3,
            "yellow_lag_percent": 20,
            "sign_working_days": 2,
            "reply_working_days": 3,
        },
    )
    assert response.status_code == 200 and not Campaign.objects.filter(name="越权").exists()


def test_edit_thresholds_track_and_leading_group(world, client_for):
    office = client_for(world.office)
    campaign = world.campaign
    response = office.post(
        reverse("campaigns:campaign-edit", args=[campaign.pk]),
        {
            "name": campaign.name,
            "short_name": campaign.short_name,
            "start_date": campaign.start_date.isoformat(),
            "end_date": campaign.end_date.isoformat(),
            "description": "新的说明",
            "status": "active",
            "notice_prefix": "茫宣督",
            "blue_working_days": 4,
            "yellow_lag_percent": 25,
            "sign_working_days": 3,
            "reply_working_days": 5,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.blue_working_days, campaign.yellow_lag_percent) == (4, 25)
    assert AuditEvent.objects.filter(object_type="campaigns.campaign", action="update").exists()

    response = office.post(
        reverse("campaigns:track-add", args=[campaign.pk]), {"name": "全员大学习"}
    )
    assert response.status_code == 200 and "已有名为" in response.content.decode()
    office.post(reverse("campaigns:track-add", args=[campaign.pk]), {"name": "志愿服务"})
    assert campaign.tracks.filter(name="志愿服务").exists()

    url = reverse("campaigns:leading-group-edit", args=[campaign.pk])
    page = office.get(url).content.decode()
    # people of units in scope are offered by the searchable picker, not listed in every row
    assert 'data-picker-url="/org/pickers/people/?perm=person.view"' in page
    assert "李晓梅" not in page
    found = office.get("/org/pickers/people/?perm=person.view&q=lxm").json()["results"]
    assert [person["text"] for person in found] == ["李晓梅"]
    response = office.post(
        url,
        {
            "lg-TOTAL_FORMS": 3,
            "lg-INITIAL_FORMS": 0,
            "lg-0-person": world.leader.pk,
            "lg-0-seat": "leader",
            "lg-0-title": "市委副书记",
            "lg-1-person": world.office.pk,
            "lg-1-seat": "office",
            "lg-1-title": "办公室主任",
            "lg-2-person": "",
            "lg-2-seat": "member",
        },
    )
    assert response.status_code == 302
    seats = list(campaign.leading_group.values_list("person__username", "seat"))
    assert seats == [("leader", "leader"), ("office", "office")]
    page = office.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()
    assert "陈志强" in page and "组长" in page

    response = office.post(
        url,
        {
            "lg-TOTAL_FORMS": 2,
            "lg-INITIAL_FORMS": 2,
            "lg-0-person": world.leader.pk,
            "lg-0-seat": "leader",
            "lg-1-person": world.leader.pk,
            "lg-1-seat": "leader",
        },
    )
    assert response.status_code == 200 and "重复" in response.content.decode()
    assert LeadingGroupMember.objects.filter(campaign=campaign).count() == 2


def test_campaign_page_lists_plans_with_rollup_and_unit_count(world, client_for):
    tasks = issued_task(world, units=[world.unit_a, world.unit_b])
    chain.sign_task(actor=world.liaison, task=tasks[0])
    chain.assign_task(actor=world.liaison, task=tasks[0], owner=world.staff)
    chain.report_progress(actor=world.staff, task=tasks[0], percent=60, text="x")
    page = client_for(world.office).get(
        reverse("campaigns:campaign-detail", args=[world.campaign.pk])
    )
    html = page.content.decode()
    plan = tasks[0].parent
    assert reverse("campaigns:task-detail", args=[plan.pk]) in html
    assert "30%" in html and '<td class="text-end">2</td>' in html


def test_task_create_with_milestones_and_estimated_notice(world, client_for):
    office = client_for(world.office)
    url = reverse("campaigns:task-create", args=[world.campaign.pk])
    today = timezone.localdate()
    estimated = load_calendar().estimated_years([today.year, today.year + 1])
    page = office.get(url).content.decode()
    assert ("节假日安排尚未录入" in page) == bool(estimated)
    for year in estimated:
        set_holiday_year(actor=world.office, year=year, holidays=[], workdays=[])
    assert "节假日安排尚未录入" not in office.get(url).content.decode()

    deadline = today + datetime.timedelta(days=40)
    response = office.post(
        url,
        {
            "title": "建立学习台账",
            "priority": 2,
            "kind": "campaign",
            "deadline_mode": "date",
            "deadline": deadline.isoformat(),
            "milestones": f"{(today + datetime.timedelta(days=10)).isoformat()} 制定方案\n",
        },
    )
    task = Task.objects.get(title="建立学习台账")
    assert response.status_code == 302
    assert list(task.milestones.values_list("title", flat=True)) == ["制定方案"]
    page = office.get(reverse("campaigns:task-detail", args=[task.pk])).content.decode()
    assert "制定方案" in page

    response = office.post(
        url,
        {
            "title": "坏的里程碑",
            "priority": 2,
            "kind": "campaign",
            "deadline_mode": "date",
            "deadline": deadline.isoformat(),
            "milestones": "明天 开会\n2027-01-05",
        },
    )
    html = response.content.decode()
    assert "第 1 行" in html and "第 2 行" in html
    assert not Task.objects.filter(title="坏的里程碑").exists()

    response = office.post(
        url, {"title": "无时限", "priority": 2, "kind": "campaign", "deadline_mode": "workdays"}
    )
    assert "请填写下发后的工作日数" in response.content.decode()
    assert not Task.objects.filter(title="无时限").exists()


def test_milestone_ticked_by_owner(world, client_for):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    milestone = chain.create_milestone(
        actor=world.office, task=task, title="中期检查", due_date=task.deadline
    )
    staff = client_for(world.staff)
    url = reverse("campaigns:milestone-toggle", args=[milestone.pk])
    assert staff.post(url, {"done": "1"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done and milestone.done_at
    assert client_for(world.outsider).post(url, {"done": "0"}).status_code == 404
    assert client_for(world.leader).post(url, {"done": "0"}).status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).done


def test_stale_edit_shows_the_other_change_and_keeps_the_first(world, client_for):
    plan = issued_task(world)[0].parent
    url = reverse("campaigns:task-edit", args=[plan.pk])
    first, second = client_for(world.office), client_for(world.office)
    assert f'name="version" value="{plan.version}"' in first.get(url).content.decode()
    base = {
        "track": plan.track_id,
        "description": plan.description,
        "expected_evidence": "",
        "priority": 2,
        "kind": "campaign",
        "start_date": plan.start_date.isoformat(),
        "deadline": plan.deadline.isoformat(),
        "version": plan.version,
    }
    other_track = world.campaign.tracks.get(name="作风大转变")
    response = first.post(url, {**base, "title": "第一人的标题", "track": other_track.pk})
    assert response.status_code == 302
    response = second.post(url, {**base, "title": "第二人的标题"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "任务已被他人修改" in page
    assert "王建国" in page and "任务名称" in page and "第一人的标题" in page
    assert "全员大学习</del> → <ins>作风大转变" in page
    plan.refresh_from_db()
    assert plan.title == "第一人的标题"
    assert plan.events.filter(action="edit").count() == 1
    # the form came back with the latest version: saving again, knowingly, goes through
    assert f'name="version" value="{plan.version}"' in page
    response = second.post(url, {**base, "title": "第二人的标题", "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "第二人的标题" and plan.track.name == "全员大学习"


def test_working_day_deadline_uses_the_entered_year(world, client_for, monkeypatch):
    set_holiday_year(
        actor=world.office,
        year=2027,
        holidays=[
            (datetime.date(2027, 2, 6) + datetime.timedelta(days=n), "春节") for n in range(7)
        ],
        workdays=[(datetime.date(2027, 2, 13), "调休上班")],
    )
    plan = chain.create_task(
        actor=world.office, campaign=world.campaign, title="春节值班", deadline_working_days=2
    )
    monkeypatch.setattr(setup, "local_today", lambda: datetime.date(2027, 2, 5))
    office = client_for(world.office)
    office.post(reverse("campaigns:task-issue", args=[plan.pk]), {"units": [world.unit_a.pk]})
    child = plan.children.get()
    # Friday 5 February: two working days later is Monday 15 February, after the holiday and
    # the make-up Saturday.
    assert child.deadline == datetime.date(2027, 2, 15)


def test_soft_delete_restore_and_refusal_when_scored(world, client_for):
    office = client_for(world.office)
    tasks = issued_task(world, units=[world.unit_a, world.unit_b])
    plan = tasks[0].parent
    response = office.post(reverse("campaigns:task-delete", args=[plan.pk]), {"reason": "重复"})
    assert response.status_code == 302
    assert (
        Task.objects.filter(
            pk__in=[plan.pk, *[t.pk for t in tasks]], deleted_at__isnull=False
        ).count()
        == 3
    )
    assert office.get(reverse("campaigns:task-detail", args=[plan.pk])).status_code == 404
    page = office.get(
        reverse("campaigns:campaign-detail", args=[world.campaign.pk])
    ).content.decode()
    assert reverse("campaigns:task-restore", args=[plan.pk]) in page
    assert (
        client_for(world.outsider)
        .post(reverse("campaigns:task-restore", args=[plan.pk]))
        .status_code
        == 404
    )
    response = office.post(reverse("campaigns:task-restore", args=[plan.pk]))
    assert response.status_code == 302
    assert Task.objects.alive().filter(pk__in=[plan.pk, *[t.pk for t in tasks]]).count() == 3
    assert AuditEvent.objects.filter(action="restore", object_id=str(plan.pk)).exists()

    task = tasks[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=True, quality="excellent")
    response = office.post(
        reverse("campaigns:task-delete", args=[task.pk]), {"reason": "误建"}, follow=True
    )
    assert "已有考评得分或问责记录，不能删除" in response.content.decode()
    task.refresh_from_db()
    assert task.deleted_at is None
    response = office.post(
        reverse("campaigns:task-delete", args=[plan.pk]), {"reason": "误建"}, follow=True
    )
    assert "不能删除" in response.content.decode()
    plan.refresh_from_db()
    assert plan.deleted_at is None


def test_liaison_sees_own_unit_tasks_on_campaign_page(world, client_for):
    tasks = issued_task(world, units=[world.unit_a, world.unit_b])
    page = client_for(world.liaison).get(
        reverse("campaigns:campaign-detail", args=[world.campaign.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("campaigns:task-detail", args=[tasks[0].pk]) in html
    assert reverse("campaigns:task-detail", args=[tasks[1].pk]) not in html
    assert reverse("campaigns:campaign-edit", args=[world.campaign.pk]) not in html
    outsider = client_for(world.outsider).get(
        reverse("campaigns:campaign-detail", args=[world.campaign.pk])
    )
    assert reverse("campaigns:task-detail", args=[tasks[0].pk]) not in outsider.content.decode()


def test_subtask_owner_reports_on_own_subtask(world, client_for):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    sub = chain.decompose_task(
        actor=world.liaison,
        task=task,
        items=[chain.SubTaskSpec(title="拍摄照片", owner=world.staff2)],
    )[0]
    staff2 = client_for(world.staff2)
    assert staff2.get(reverse("campaigns:task-detail", args=[task.pk])).status_code == 404
    page = staff2.get(reverse("campaigns:task-detail", args=[sub.pk])).content.decode()
    assert reverse("campaigns:task-report", args=[sub.pk]) in page
    response = staff2.post(
        reverse("campaigns:task-report", args=[sub.pk]), {"percent": 50, "text": "已拍摄一半"}
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.progress == 50
    liaison = client_for(world.liaison)
    response = liaison.post(
        reverse("campaigns:task-edit", args=[sub.pk]),
        {
            "title": "拍摄活动照片",
            "priority": 2,
            "kind": "campaign",
            "deadline": sub.deadline.isoformat(),
            "version": sub.version,
        },
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.title == "拍摄活动照片"


def test_issue_page_warns_when_working_days_are_estimated(world, client_for):
    plan = chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="十个工作日内完成",
        deadline_working_days=10,
    )
    office = client_for(world.office)
    today = timezone.localdate()
    estimated = load_calendar().estimated_years([today.year, today.year + 1])
    page = office.get(reverse("campaigns:task-issue", args=[plan.pk])).content.decode()
    assert ("时限暂只扣除周末" in page) == bool(estimated)
    for year in estimated:
        set_holiday_year(actor=world.office, year=year, holidays=[], workdays=[])
    page = office.get(reverse("campaigns:task-issue", args=[plan.pk])).content.decode()
    assert "时限暂只扣除周末" not in page


def test_leading_group_more_rows_keeps_the_input(world, client_for):
    url = reverse("campaigns:leading-group-edit", args=[world.campaign.pk])
    response = client_for(world.office).post(
        url,
        {
            "lg-TOTAL_FORMS": 1,
            "lg-INITIAL_FORMS": 0,
            "lg-0-person": world.leader.pk,
            "lg-0-seat": "leader",
            "lg-0-title": "市委副书记",
            "add_rows": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="lg-TOTAL_FORMS" value="4"' in page and "lg-3-person" in page
    assert 'value="市委副书记"' in page and "invalid-feedback" not in page
    assert not LeadingGroupMember.objects.filter(campaign=world.campaign).exists()
