"""The rectification part of the demo, loaded on the demo's organisation, campaign and types."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns.models import Task, TaskState
from luoshi.demo.data import DemoBuilder
from luoshi.ledgers import demo as ledger_demo
from luoshi.rectification import demo
from luoshi.rectification.models import Finding, Problem, TaskForce

pytestmark = pytest.mark.django_db


def test_demo_lists_the_four_problems_and_the_bureau_inspections(client_for):
    builder = DemoBuilder()
    builder.build_organisation()
    builder.build_campaign()
    ledger_demo.load(builder)
    demo.load(builder)
    titles = set(Problem.objects.values_list("title", flat=True))
    assert titles == {"宣传宣讲不解渴", "媒体融合发展见效慢", "文艺创作精品少", "网络管控缺手段"}
    assert TaskForce.objects.count() == 4
    for force in TaskForce.objects.all():
        units = {m.unit_id for p in force.members.all() for m in p.memberships.all()}
        assert len(units) >= 2, force.name  # people from several units
    states = {p.title: p.task.state for p in Problem.objects.select_related("task")}
    assert states["宣传宣讲不解渴"] == TaskState.CLOSED
    assert states["网络管控缺手段"] == TaskState.ISSUED
    assert Task.objects.get(rectification_problem__title="文艺创作精品少").warning == "red"
    assert set(
        Task.objects.filter(kind="rectification", unit__isnull=False).values_list("kind", flat=True)
    ) == {"rectification"}
    findings = Finding.objects.select_related("task", "activity", "unit")
    assert findings.count() == 3
    assert {f.unit.name for f in findings} == {"文化市场综合执法大队"}
    assert findings.filter(task__state=TaskState.CLOSED).count() == 1
    inspections = builder.built.units["wtl_law"]
    wtl = client_for(builder.built.people["wtl"])
    since = (timezone.localdate() - datetime.timedelta(days=60)).isoformat()
    page = wtl.get(reverse("rectification:inspection-list") + f"?from={since}")
    assert len(page.context["inspections"]) == 7  # the article's 2022 records are the ledger's
    assert all(a.unit == inspections for a in page.context["inspections"])
    closed = findings.get(task__state=TaskState.CLOSED)
    detail = wtl.get(reverse("rectification:inspection-detail", args=[closed.activity_id]))
    assert "已销号" in detail.content.decode()
