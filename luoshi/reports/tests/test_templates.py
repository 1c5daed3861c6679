"""Briefing templates: the office configures them (pages and services), patterns are validated
in Chinese, figures are written exactly or as "N余", and the others cannot configure."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import AuditEvent
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category, VenueCategory
from luoshi.reports import services
from luoshi.reports.models import BriefingLine, BriefingSection, Metric, Rounding
from luoshi.reports.selectors import chinese_ordinal, write_briefing, write_number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("n", "rounding", "text"),
    [
        (23, Rounding.APPROX, "20余"),
        (69, Rounding.APPROX, "60余"),
        (123, Rounding.APPROX, "120余"),
        (9, Rounding.APPROX, "9"),
        (0, Rounding.APPROX, "0"),
        (20, Rounding.APPROX, "20"),
        (23, Rounding.EXACT, "23"),
        (69, Rounding.EXACT, "69"),
    ],
)
def test_figures_are_written_exactly_or_as_tens_and_more(n, rounding, text):
    assert write_number(n, rounding) == text


def test_headings_are_numbered_in_chinese():
    assert [chinese_ordinal(n) for n in (1, 9, 10, 11, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十三",
    ]


@pytest.fixture
def types(world):
    reading = ledger.create_activity_type(
        actor=world.office,
        name="每月读一本好书",
        category=Category.STUDY,
        is_personal=True,
        fields=[
            {"key": "book", "label": "书名", "kind": "text", "required": True},
            {"key": "designated", "label": "指定读本", "kind": "choice", "choices": ["是", "否"]},
        ],
    )
    morning = ledger.create_activity_type(
        actor=world.office, name="晨读+分享", category=Category.STUDY
    )
    lecture = ledger.create_activity_type(
        actor=world.office,
        name="挎包宣讲",
        category=Category.LECTURE,
        has_venue_category=True,
        has_audience=True,
    )
    return {"reading": reading, "morning": morning, "lecture": lecture}


@pytest.fixture
def section(world):
    template = services.create_template(actor=world.office, name="测试简报", title="{unit}简报")
    return services.create_section(actor=world.office, template=template, heading="学习情况。")


@pytest.mark.parametrize(
    ("metric", "pattern", "message"),
    [
        (Metric.ACTIVITIES, "开展学习会若干次", "句式须包含一个 {n}"),
        (Metric.ACTIVITIES, "开展学习会{n}次，{n}人", "句式须包含一个 {n}"),
        (Metric.ACTIVITIES, "开展学习会{count}次", "“{count}”无法识别"),
        (Metric.ACTIVITIES, "开展学习会{n}次{", "“{”无法识别"),
        (Metric.ACTIVITIES, "走进{places}{n}次", "只有列出名称的统计内容"),
        (Metric.COVERAGE, "开展宣讲{n}场", "须包含一个 {places}"),
        (Metric.ACTIVITIES, "  ", "请填写句式"),
    ],
)
def test_patterns_are_checked_in_chinese(world, types, section, metric, pattern, message):
    activity_type = types["lecture"] if metric == Metric.COVERAGE else types["morning"]
    with pytest.raises(ValidationError) as caught:
        services.create_line(
            actor=world.office,
            section=section,
            metric=metric,
            activity_type=activity_type,
            pattern=pattern,
        )
    assert any(message in text for text in caught.value.message_dict["pattern"])
    assert not BriefingLine.objects.exists()


def test_lines_check_their_type_and_fields(world, types, section):
    def errors(**kwargs) -> dict:
        with pytest.raises(ValidationError) as caught:
            services.create_line(actor=world.office, section=section, pattern="共{n}本", **kwargs)
        return caught.value.message_dict

    assert "须选择活动类型" in errors(metric=Metric.ACTIVITIES)["activity_type"][0]
    wrong_key = errors(metric=Metric.ACTIVITIES, activity_type=types["reading"], field_key="isbn")
    assert wrong_key["field_key"] == ["活动类型“每月读一本好书”没有标识为“isbn”的字段。"]
    wrong_value = errors(
        metric=Metric.ACTIVITIES,
        activity_type=types["reading"],
        field_key="designated",
        field_value="对",
    )
    assert wrong_value["field_value"] == ["“指定读本”的取值须是：是、否。"]
    no_key = errors(metric=Metric.DISTINCT, activity_type=types["reading"])
    assert "请填写要统计不同取值的字段" in no_key["distinct_key"][0]


def test_coverage_needs_a_type_with_venue_categories(world, types, section):
    with pytest.raises(ValidationError) as caught:
        services.create_line(
            actor=world.office,
            section=section,
            metric=Metric.COVERAGE,
            activity_type=types["morning"],
            pattern="{places}",
        )
    assert "不区分场所类别" in caught.value.message_dict["activity_type"][0]


def test_a_configured_template_writes_the_counts(world, types, section):
    office = world.office
    services.create_line(
        actor=office,
        section=section,
        metric=Metric.DISTINCT,
        activity_type=types["reading"],
        field_key="designated",
        field_value="是",
        distinct_key="book",
        pattern="学习{n}本指定读本，",
    )
    services.create_line(
        actor=office,
        section=section,
        metric=Metric.ACTIVITIES,
        activity_type=types["reading"],
        pattern="读好书{n}本，",
        rounding=Rounding.APPROX,
    )
    services.create_line(
        actor=office,
        section=section,
        metric=Metric.PERSON_TIMES,
        activity_type=types["morning"],
        pattern="参加学习{n}人次，",
    )
    services.create_line(
        actor=office,
        section=section,
        metric=Metric.COVERAGE,
        activity_type=types["lecture"],
        pattern="{places}宣讲{n}场。",
    )
    now = timezone.now() - datetime.timedelta(hours=2)
    people = [world.liaison, world.staff, world.staff2]
    for index in range(12):
        book = ["甲", "乙", "丙"][index % 3] if index < 6 else f"其他{index}"
        ledger.record_activity(
            actor=world.liaison,
            activity_type=types["reading"],
            unit=world.unit_a,
            title="",
            starts_at=now,
            values={"book": book, "designated": "是" if index < 6 else "否"},
            participants=[people[index % 3]],
        )
    ledger.record_activity(
        actor=world.liaison,
        activity_type=types["morning"],
        unit=world.section_a,
        title="晨读",
        starts_at=now,
        participants=people,
    )
    for category, place in (
        (VenueCategory.CAMPUS, "第一中学"),
        (VenueCategory.PASTORAL, "阿拉尔牧场"),
        (VenueCategory.CAMPUS, "第一中学"),
    ):
        ledger.record_activity(
            actor=world.liaison,
            activity_type=types["lecture"],
            unit=world.unit_a,
            title="宣讲",
            starts_at=now,
            place=place,
            venue_category=category,
        )
    today = timezone.localdate()
    briefing = write_briefing(
        user=world.leader,
        template=section.template,
        unit=world.unit_a,
        date_from=today - datetime.timedelta(days=1),
        date_to=today,
    )
    assert briefing.paragraphs[0].text == (
        "（一）学习情况。学习3本指定读本，读好书10余本，参加学习3人次，"
        "进牧区（阿拉尔牧场）、进校园（第一中学）宣讲3场。"
    )
    # A reader outside the unit gets no briefing at all (404), not one with less in it.
    with pytest.raises(Http404):
        write_briefing(
            user=world.outsider,
            template=section.template,
            unit=world.unit_a,
            date_from=today - datetime.timedelta(days=1),
            date_to=today,
        )


def test_only_the_office_configures(world, types, section, client_for):
    with pytest.raises(PermissionDenied):
        services.create_template(actor=world.liaison, name="另一个", title="简报")
    template = section.template
    for user in (world.liaison, world.outsider, world.leader):
        client = client_for(user)
        assert client.get(reverse("reports:template-list")).status_code == 403
        assert client.get(reverse("reports:template-detail", args=[template.pk])).status_code == 404
        assert client.get(reverse("reports:section-edit", args=[section.pk])).status_code == 404


def test_the_office_edits_a_template_on_its_pages(world, types, section, client_for):
    client = client_for(world.office)
    template = section.template
    assert client.get(reverse("reports:template-list")).status_code == 200
    assert client.get(reverse("reports:template-detail", args=[template.pk])).status_code == 200
    url = reverse("reports:line-create", args=[section.pk])
    bad = client.post(
        url,
        {
            "metric": "activities",
            "activity_type": types["morning"].pk,
            "pattern": "开展学习会",
            "rounding": "exact",
        },
    )
    assert bad.status_code == 200
    assert "句式须包含一个 {n}" in bad.content.decode()
    assert not BriefingLine.objects.exists()
    good = client.post(
        url,
        {
            "metric": "activities",
            "activity_type": types["morning"].pk,
            "pattern": "开展“晨读+分享”学习会{n}次，",
            "rounding": "approx",
        },
    )
    assert good.status_code == 302
    line = BriefingLine.objects.get()
    assert (line.pattern, line.rounding, line.order) == (
        "开展“晨读+分享”学习会{n}次，",
        "approx",
        10,
    )
    edit = client.post(
        reverse("reports:section-edit", args=[section.pk]),
        {"level": 1, "heading": "{unit}学习情况", "intro": "", "order": 5},
    )
    assert edit.status_code == 302
    section.refresh_from_db()
    assert (section.level, section.heading) == (BriefingSection.Level.FIRST, "{unit}学习情况")
    assert AuditEvent.objects.filter(object_type__contains="briefingsection").exists()
    client.post(reverse("reports:line-delete", args=[line.pk]))
    assert not BriefingLine.objects.exists()
    response = client.get(reverse("reports:briefing"), {"template": template.pk})
    assert response.status_code == 200
    # A part with nothing in it is not written: no bare heading.
    assert "一、茫崖市学习情况" not in response.content.decode()
    assert "该模板还没有内容" in response.content.decode()


def test_lines_count_tasks_notices_joint_records_and_volunteer_themes(world, types):
    """The 九个强化's counts beyond the ledger's own: tasks given to people, supervision notices,
    records counted toward two campaigns, volunteer service per monthly theme; a line with
    nothing to count (accountability) is left out and the sentence still ends with "。"."""
    from luoshi.campaigns import services as chain
    from luoshi.testing import issued_task
    from luoshi.volunteering.models import ServiceActivity, Theme

    office = world.office
    template = services.create_template(actor=office, name="九个强化", title="{unit}简报")
    section = services.create_section(actor=office, template=template, heading="强化责任担当。")
    for metric, pattern in (
        (Metric.TASKS_ASSIGNED, "分解任务{n}项、"),
        (Metric.ASSIGNEES, "责任到人{n}名，"),
        (Metric.NOTICES, "发出督办单{n}份，"),
        (Metric.JOINT, "{n}项活动计入两项重点活动，"),
        (Metric.VOLUNTEER, "围绕{places}开展志愿服务{n}场，"),
        (Metric.ACCOUNTABILITY, "问责{n}起，"),
    ):
        services.create_line(actor=office, section=section, metric=metric, pattern=pattern)
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.issue_notice(actor=office, task=task, content="请加快进度")
    other = chain.create_campaign(
        actor=office,
        name="干部能力提升年",
        office_unit=world.office_unit,
        start_date=world.campaign.start_date,
        end_date=world.campaign.end_date,
    )
    now = timezone.now() - datetime.timedelta(hours=1)
    ledger.record_activity(
        actor=world.liaison,
        activity_type=types["morning"],
        unit=world.unit_a,
        title="晨读",
        starts_at=now,
        campaigns=[world.campaign, other],
    )
    theme = Theme.objects.create(
        campaign=world.campaign,
        year=now.year,
        month=now.month,
        title="文明实践进社区",
        created_by=office,
    )
    volunteer_type = ledger.create_activity_type(
        actor=office, name="志愿服务", category=Category.VOLUNTEER
    )
    for kind in ("prescribed", "prescribed", "chosen"):
        activity = ledger.record_activity(
            actor=world.liaison,
            activity_type=volunteer_type,
            unit=world.unit_a,
            title="志愿服务",
            starts_at=now,
        )
        ServiceActivity.objects.create(
            activity=activity,
            kind=kind,
            theme=theme,
            planned_hours=2,
            recruit_until=now,
        )
    today = timezone.localdate()
    briefing = write_briefing(
        user=world.office,
        template=template,
        unit=world.unit_a,
        date_from=today - datetime.timedelta(days=1),
        date_to=today,
    )
    assert briefing.paragraphs[0].text == (
        "（一）强化责任担当。分解任务1项、责任到人1名，发出督办单1份，1项活动计入两项重点活动，"
        f"围绕{now.month}月“文明实践进社区”主题（规定动作2场、自选动作1场）开展志愿服务3场。"
    )
