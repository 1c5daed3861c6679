"""The auditor reads the log in the UI language: object types by their names, a state by its name,
a time in local time (Asia/Shanghai), not "outreach", "verified → closed" or ISO UTC (issue 11)."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese_afterwards():
    """An English request leaves English active in the thread; later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def moved(world):
    task = issued_task(world)[0]
    return record(
        actor=world.office,
        action=AuditEvent.Action.TRANSITION,
        obj=task,
        changes={
            "state": ["verified", "closed"],
            "verified_at": ["2026-12-02T08:05:00+00:00", None],
        },
    )


def test_detail_names_the_type_the_state_and_local_time(client_for, world, moved):
    page = client_for(world.auditor).get(reverse("audit:event-detail", args=[moved.pk]))
    text = page.content.decode()
    assert "已办结" in text and "已销号" in text
    assert ">verified<" not in text and ">closed<" not in text
    assert "2026-12-02 16:05" in text and "08:05:00+00:00" not in text
    assert page.context["type_name"] == "任务"


def test_export_changes_in_words(client_for, world, moved):
    response = client_for(world.auditor).get(reverse("audit:event-export"))
    text = str([list(row) for row in load_workbook(io.BytesIO(response.content)).active.values])
    assert "状态: 已办结 → 已销号" in text
    assert "verified" not in text and "+00:00" not in text


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("reports.briefing", "工作简报"),
        ("volunteering.return", "志愿服务月报"),
        ("outreach", None),
        ("org.unit", "单位"),
    ],
)
def test_object_types_not_models_are_named_too(client_for, world, label, name):
    from django.apps import apps

    record(actor=world.office, action=AuditEvent.Action.EXPORT, object_type=label)
    auditor = client_for(world.auditor)
    options = dict(
        auditor.get(reverse("audit:event-list")).context["form"].fields["object_type"].choices
    )
    expected = name or str(apps.get_app_config(label).verbose_name)
    assert options[label] == expected and expected != label
    auditor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    options = dict(
        auditor.get(reverse("audit:event-list")).context["form"].fields["object_type"].choices
    )
    assert options[label] != expected


@pytest.mark.parametrize(
    ("object_type", "key", "label"),
    [("assessment.unitcategory", "items", "方案指标"), ("workdays.holidayyear", "days", "节假日")],
)
def test_a_change_to_a_reverse_relation_is_named_by_its_records(
    client_for, world, object_type, key, label
):
    """A category's indicator list or a year's holidays are reverse relations, which have no
    verbose_name: the export names them by the records they hold (it was a 500)."""
    record(
        actor=world.office,
        action=AuditEvent.Action.UPDATE,
        object_type=object_type,
        object_id="1",
        changes={key: [None, ["a", "b"]]},
    )
    auditor = client_for(world.auditor)
    response = auditor.get(reverse("audit:event-export"))
    assert response.status_code == 200
    text = str([list(row) for row in load_workbook(io.BytesIO(response.content)).active.values])
    assert f"{label}: " in text
    assert auditor.get(reverse("audit:event-list")).status_code == 200
