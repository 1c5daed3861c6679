"""The Mangya (茫崖) demo: loads once, idempotently, and shows every state, colour and persona.

The demo is loaded once per module (about 150 people and 130 tasks) inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it, as usual.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.models import Notification, User
from luoshi.campaigns.access import visible_tasks
from luoshi.campaigns.models import (
    AccountabilityAction,
    Campaign,
    ProgressReport,
    SupervisionNotice,
    Task,
    TaskEvent,
    TaskState,
)
from luoshi.demo.data import PASSWORD
from luoshi.demo.people import DEMO_ACCOUNTS
from luoshi.files.models import Attachment
from luoshi.ledgers.models import Activity
from luoshi.lib.tests.docx_checks import check_official_document
from luoshi.lib.tests.pdf_text import convert_to_pdf, pages_text, soffice
from luoshi.org.models import Membership, Unit
from luoshi.outreach.models import Lecture, LectureTarget, LectureTeam
from luoshi.study.models import Reading, StudyGroup, StudySettings
from luoshi.testing import demo_loaded

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

USERNAMES = [username for username, *_rest in DEMO_ACCOUNTS]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_loaded(django_db_blocker, tmp_path_factory.mktemp("demo-media")) as built:
        yield built


def unit_named(name: str) -> Unit:
    return Unit.objects.get(name=name)


def unit_tasks():
    return Task.objects.alive().filter(unit__isnull=False)


def test_load_demo_builds_the_organisation_and_the_campaign(demo):
    assert demo is not None
    assert 140 <= User.objects.count() <= 170
    assert Unit.objects.filter(name="茫崖市").exists()
    for name in ("市委宣传部", "市文体旅游广电局", "花土沟镇", "石油基地社区", "茫崖市第一中学"):
        assert unit_named(name).path.startswith(unit_named("茫崖市").path)
    bureau = unit_named("市文体旅游广电局")
    assert set(bureau.children.values_list("name", flat=True)) == {
        "办公室",
        "文化市场综合执法大队",
        "旅游发展股",
    }
    in_two_units = (
        Membership.objects.values("person").annotate(units=Count("unit")).filter(units__gt=1)
    )
    assert in_two_units.count() >= 3  # 兼职
    phones = list(User.objects.exclude(username__in=USERNAMES).values_list("phone", flat=True))
    assert all(len(p) == 11 and p[:2] in {"13", "15", "18"} for p in phones)
    campaign = Campaign.objects.get(short_name="“四大”专项行动")  # and the 文明实践中心's own
    assert campaign.notice_prefix == "茫宣督"
    assert list(campaign.tracks.values_list("name", flat=True)) == [
        "全员大学习",
        "业务大比拼",
        "作风大转变",
        "能力大提升",
    ]
    assert campaign.leading_group.filter(seat="leader", title__contains="宣传部部长").exists()
    assert campaign.leading_group.filter(seat="office").count() >= 2
    today = timezone.localdate()
    assert campaign.start_date < today - datetime.timedelta(days=90)
    assert campaign.end_date > today + datetime.timedelta(days=180)
    titles = set(Task.objects.plans().values_list("title", flat=True))
    assert "强化攻坚意识，注重整改实效" in titles
    assert "突出“活”字，力学深悟添动力" in titles
    assert Task.objects.plans().filter(kind=Task.Kind.RECTIFICATION).count() >= 2


def test_load_demo_twice_changes_nothing(demo):
    before = (User.objects.count(), Task.objects.count(), TaskEvent.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "已存在" in out.getvalue()
    assert (User.objects.count(), Task.objects.count(), TaskEvent.objects.count()) == before


def test_every_state_but_draft_appears_among_unit_tasks(demo):
    states = set(unit_tasks().values_list("state", flat=True))
    assert states == set(TaskState.values) - {TaskState.DRAFT}


def test_every_warning_colour_is_computed(demo):
    warnings = set(unit_tasks().values_list("warning", flat=True))
    assert {"red", "yellow", "blue", ""} <= warnings
    # Computed, not typed: red only where an open task is past its deadline.
    today = timezone.localdate()
    for task in unit_tasks().filter(warning="red"):
        assert task.deadline < today and task.is_open


def test_dates_are_spread_over_the_campaign(demo):
    now = timezone.now()
    first = TaskEvent.objects.order_by("at").first().at
    assert first < now - datetime.timedelta(days=100)
    assert not TaskEvent.objects.filter(at__gt=now).exists()
    # Back-dating keeps every timeline in order: issued (or, for a sub-task, broken out: 分解) first.
    for task in unit_tasks().select_related("parent").prefetch_related("events"):
        timeline = [event.action for event in task.events.all()]
        first = "issue" if task.parent.unit_id is None else "decompose"
        assert timeline[0] == first, (task, timeline)


def test_notices_replies_returns_evidence_and_accountability(demo):
    notices = SupervisionNotice.objects.all()
    assert notices.filter(state=SupervisionNotice.State.REPLIED).count() >= 3
    assert notices.filter(state=SupervisionNotice.State.OPEN).exists()
    assert all(n.number.startswith("茫宣督〔") for n in notices)
    # Numbered in the order they were issued, and the timelines quote the same numbers.
    ordered = list(notices.order_by("issued_at", "pk"))
    for year in {n.year for n in ordered}:
        serials = [n.serial for n in ordered if n.year == year]
        assert serials == list(range(1, len(serials) + 1))
    for n in ordered:
        event = TaskEvent.objects.get(action="supervise", data__notice=n.pk)
        assert event.data["number"] == n.number
    assert unit_tasks().filter(returned_count__gt=0).count() >= 2
    assert TaskEvent.objects.filter(action="comment").exists()
    action = AccountabilityAction.objects.select_related("kind", "task").get()
    assert action.kind.name == "提醒谈话" and action.task.warning == "red"
    assert Attachment.objects.filter(content_type_name="image/png").exists()
    assert Attachment.objects.filter(content_type_name="application/pdf").exists()
    assert ProgressReport.objects.filter(is_completion=True).exists()


def test_demo_accounts_log_in_with_the_published_password(demo):
    for username in USERNAMES:
        user = User.objects.get(username=username)
        assert user.is_demo and not user.must_change_password
        client = Client()
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD)


def test_no_other_account_has_a_usable_password(demo):
    others = User.objects.filter(is_demo=False)
    assert others.count() > 100
    assert not any(user.has_usable_password() for user in others)
    assert set(User.objects.filter(is_demo=True).values_list("username", flat=True)) == set(
        USERNAMES
    )


def test_each_persona_has_work_waiting(demo):
    bureau = unit_named("市文体旅游广电局")
    lenghu = unit_named("冷湖镇")
    bureau_tasks = unit_tasks().filter(unit=bureau)
    assert bureau_tasks.filter(state=TaskState.ISSUED).exists()  # wtl: to sign
    assert bureau_tasks.filter(state=TaskState.SIGNED).exists()  # wtl: to assign
    staff = User.objects.get(username="staff")
    assert unit_tasks().filter(owner=staff, state=TaskState.IN_PROGRESS).count() >= 3
    assert unit_tasks().filter(state=TaskState.SUBMITTED).count() >= 3  # office: to verify
    assert unit_tasks().filter(unit=lenghu, state=TaskState.ISSUED).exists()
    assert unit_tasks().filter(unit=lenghu).count() >= 5


def test_outsider_sees_nothing_of_the_bureau(demo, client_for):
    outsider = User.objects.get(username="outsider")
    bureau = unit_named("市文体旅游广电局")
    seen = visible_tasks(outsider)
    assert seen.filter(unit=unit_named("冷湖镇")).exists()
    assert not seen.filter(unit__path__startswith=bureau.path).exists()
    bureau_task = unit_tasks().filter(unit=bureau).first()
    url = reverse("campaigns:task-detail", args=[bureau_task.pk])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(User.objects.get(username="wtl")).get(url).status_code == 200


def test_demo_accounts_command_prints_the_table(demo):
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "账号 Username" in text and PASSWORD in text
    for username in USERNAMES:
        assert f"| {username} " in text
    assert "市文体旅游广电局" in text


# The study and outreach parts, on the same load (it takes a while).


def test_demo_study(demo, client_for):
    campaign = demo.campaign
    assert Reading.objects.filter(campaign=campaign).count() == 5
    settings = StudySettings.objects.get(campaign=campaign)
    assert (settings.reading_type.name, settings.essay_type.name) == ("每月读一本好书", "心得体会")
    groups = StudyGroup.objects.filter(name="马克思主义学习小组")
    assert {g.unit.name for g in groups} == {"市文体旅游广电局", "市委宣传部"}
    essays = Activity.objects.filter(type=settings.essay_type)
    assert essays.filter(commended_at__isnull=False).exists()
    assert essays.filter(title="作风大转变从我做起").exists()  # the study demo's own, recent
    liaison = client_for(demo.people["wtl"])
    rows = liaison.get(reverse("study:counts")).context["rows"]
    assert sum(row["books"] for row in rows) > 0 and sum(row["designated"] for row in rows) > 0
    assert sum(row["excellent"] for row in rows) > 0
    home = client_for(demo.people["staff"]).get(reverse("study:home"))
    assert home.status_code == 200 and home.context["own"] is not None


def test_demo_outreach(demo, client_for):
    team = LectureTeam.objects.get(name="茫崖市挎包宣讲队")
    assert team.unit.name == "市委宣传部"
    assert len({m.person_id for m in team.members.all()}) >= 5
    assert set(LectureTarget.objects.values_list("venue_category", flat=True)) == {
        "pastoral",
        "community",
        "enterprise",
        "campus",
    }
    assert Lecture.objects.filter(team=team).count() >= 10
    page = client_for(demo.people["office"]).get(reverse("outreach:coverage"))
    summary = {s["category"]: (s["reached"], s["total"]) for s in page.context["table"].summary}
    assert all(reached > 0 for reached, _total in summary.values())
    assert any(reached < total for reached, total in summary.values())  # some not yet reached
    totals = {row["target"].name: row["total"] for row in page.context["rows"]}
    assert totals["阿拉尔社区"] == 1  # the generic ledger record, counted by its place


# --- Word documents --------------------------------------------------------------------------------


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_every_notice_prints_the_date_its_notification_asks_for(demo, client_for):
    """The 督办单 and the message in the inbox give the same reply deadline (the demo backdates
    notices after issuing them: the notification follows)."""
    notices = list(SupervisionNotice.objects.order_by("pk"))
    for notice in notices:
        messages = Notification.objects.filter(
            task_id=notice.task_id, title__startswith=f"督办单 {notice.number}："
        )
        assert messages.exists()
        for message in messages:
            assert f"请于 {notice.reply_deadline} 前回复" in message.body, (notice, message.body)
    notice = notices[0]
    response = client_for(User.objects.get(username="office")).get(
        reverse("campaigns:notice-document", args=[notice.pk])
    )
    document = check_official_document(
        response.content, author=notice.task.campaign.office_unit.name, title="督办单"
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"请于{_chinese(notice.reply_deadline)}前将办理情况" in text


def _demo_documents(client) -> dict[str, tuple[bytes, str]]:
    """The department's briefing up to the article's day and the half-year notice, with the
    unit each is issued by."""
    from luoshi.learning import documents, services
    from luoshi.learning.models import HalfYearNotice
    from luoshi.reports import demo as reports_demo
    from luoshi.reports.models import BriefingTemplate

    department = unit_named("市委宣传部")
    template = BriefingTemplate.objects.get(name=reports_demo.DEPARTMENT_TEMPLATE)
    briefing = client.get(
        reverse("reports:briefing-word"),
        {"unit": department.pk, "template": template.pk, "from": "2022-01-01", "to": "2022-04-14"},
    )
    assert briefing.status_code == 200
    # written as issue_notice writes it (the stored file lives in the demo load's media folder)
    notice = HalfYearNotice.objects.get()
    notice_content = documents.render(
        services.template_bytes(notice.unit), services.notice_content(notice)
    )
    signature = template.signature or department.name
    return {
        "briefing": (briefing.content, signature),
        "notice": (notice_content, "中共茫崖市委宣传部"),
    }


def test_the_demo_documents_are_in_official_form(demo, client_for):
    documents = _demo_documents(client_for(User.objects.get(username="office")))
    for content, author in documents.values():
        check_official_document(content, author=author)


def test_the_demo_documents_render_with_page_numbers(demo, client_for, tmp_path):
    """LibreOffice sets the briefing and the notice on A4 pages numbered "— 1 —", "— 2 —" … in
    order, 22 lines to a page."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: the render check is skipped")
    documents = _demo_documents(client_for(User.objects.get(username="office")))
    for name, (content, _author) in documents.items():
        pages = pages_text(convert_to_pdf(content, tmp_path, name))
        assert 2 <= len(pages) <= 12, (name, len(pages))
        for number, page in enumerate(pages, start=1):
            marks = re.findall(r"—\s*(\d+)\s*—", page)
            assert marks and int(marks[-1]) == number, (name, number, marks)
        assert re.search(r"—\s*2\s*—", pages[1])


def test_demo_volunteering(demo, client_for):
    from luoshi.volunteering.models import (
        Certificate,
        Objection,
        ServiceHours,
        ServiceOrder,
        SignUp,
        Team,
        Volunteer,
    )

    assert Team.objects.count() == 5 and 50 <= Volunteer.objects.count() <= 70
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == set(
        ServiceOrder.Status.values
    )
    assert SignUp.objects.filter(status="waitlisted").exists()
    assert set(ServiceHours.objects.values_list("method", flat=True)) == {"timed", "added"}
    assert Certificate.objects.count() == 1 and Objection.objects.filter(status="open").exists()
    prescribed = unit_tasks().filter(kind="prescribed")
    assert {
        TaskState.ISSUED,
        TaskState.SIGNED,
        TaskState.IN_PROGRESS,
        TaskState.SUBMITTED,
        TaskState.VERIFIED,
    } <= set(prescribed.values_list("state", flat=True))
    volunteer = User.objects.get(username="volunteer")
    home = client_for(volunteer).get(reverse("volunteering:home"))
    assert home.status_code == 200 and home.context["summary"].final > 0
    centre = client_for(User.objects.get(username="wmzx"))
    assert centre.get(reverse("volunteering:returns")).context["report"].rows


def test_the_demo_assessment_walks_every_step_from_the_records(demo):
    from luoshi.assessment.models import Appeal, Grade, Plan, ScoreRun, Stage

    plan = Plan.objects.get()
    assert plan.stage == Stage.PUBLISHED
    run = plan.runs.get(status=ScoreRun.Status.DONE)
    scores = list(run.unit_scores.prefetch_related("items"))
    assert {s.category.name for s in scores} >= {"部门", "乡镇"}
    for unit_score in scores:
        assert unit_score.grade in Grade.values
        signed = sum(item.signed_score for item in unit_score.items.all())
        assert unit_score.total == max(signed, 0)
    bureau = next(s for s in scores if s.unit_name == "市文体旅游广电局")
    assert bureau.self_submitted_at is not None
    on_time = next(i for i in bureau.items.all() if i.indicator_name == "任务按时办结率")
    assert on_time.record_count > 0 and on_time.records[0]["url"].startswith("/tasks/")
    appeal = Appeal.objects.get()
    assert appeal.answered_at is not None and appeal.answered_at > appeal.filed_at
    liaison = Client()
    liaison.force_login(User.objects.get(username="wtl"))
    assert liaison.get(f"/assessment/scores/{bureau.pk}/").status_code == 200
    outsider = Client()
    outsider.force_login(User.objects.get(username="outsider"))
    assert outsider.get(f"/assessment/scores/{bureau.pk}/").status_code == 404
    from luoshi.assessment.models import Notice

    notice = Notice.objects.get()
    assert notice.number.startswith("茫宣通〔") and notice.receipts.count() == 1
