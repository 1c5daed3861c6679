"""The study and outreach parts of the demo (one load for both: it takes a while): the reading
list, groups, recent records with 优秀 essays, the lecture team, targets and a coverage table with
gaps, as the bureau's liaison and the office see them."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from luoshi.demo.data import load_demo
from luoshi.ledgers.models import Activity
from luoshi.outreach.models import Lecture, LectureTarget, LectureTeam
from luoshi.study.models import Reading, StudyGroup, StudySettings

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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
