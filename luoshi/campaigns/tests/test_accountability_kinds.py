"""The office configures the kinds of accountability action (问责方式): list with filters and an
audited Excel export, create and edit with validation at the field, deactivate instead of delete;
a new kind is offered on a red task's page and can be recorded, an inactive one is not."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import AccountabilityAction, AccountabilityKind, Task
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

LIST = reverse("campaigns:accountability-kind-list")
CREATE = reverse("campaigns:accountability-kind-create")


def edit_url(kind: AccountabilityKind) -> str:
    return reverse("campaigns:accountability-kind-edit", args=[kind.pk])


def toggle_url(kind: AccountabilityKind) -> str:
    return reverse("campaigns:accountability-kind-toggle", args=[kind.pk])


def _red_task(world) -> Task:
    task = issued_task(world)[0]
    # past its deadline (time passing), so every move's recomputation keeps it red
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Task.objects.filter(pk=task.pk).update(deadline=yesterday, warning="red")
    task.refresh_from_db()
    return task


def test_office_creates_a_kind_and_it_is_audited(world, client_for):
    office = client_for(world.office)
    assert office.get(CREATE).status_code == 200
    response = office.post(CREATE, {"name": " 诫勉谈话 ", "severity": 4, "score_deduction": "6.5"})
    assert response.status_code == 302
    kind = AccountabilityKind.objects.get(name="诫勉谈话")
    assert (kind.severity, kind.score_deduction, kind.is_active) == (4, Decimal("6.5"), True)
    event = AuditEvent.objects.get(
        action="create", object_type="campaigns.accountabilitykind", object_id=str(kind.pk)
    )
    assert event.actor == world.office
    assert event.changes["name"] == [None, "诫勉谈话"]
    page = office.get(LIST).content.decode()
    assert "诫勉谈话" in page and "6.5" in page


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"name": "约谈", "severity": 1, "score_deduction": "1"}, "已有名为“约谈”的问责方式"),
        ({"name": "新方式", "severity": 1, "score_deduction": "100.5"}, "扣分须在 0 到 100 之间"),
        ({"name": "新方式", "severity": 1, "score_deduction": "-1"}, "扣分须在 0 到 100 之间"),
        ({"name": "新方式", "severity": 0, "score_deduction": "1"}, "严重程度须在 1 到 99 之间"),
    ],
)
def test_bad_input_is_refused_at_the_field(world, client_for, data, field_message):
    before = AccountabilityKind.objects.count()
    response = client_for(world.office).post(CREATE, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert field_message in page
    assert 'class="invalid-feedback d-block"' in page
    assert AccountabilityKind.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="campaigns.accountabilitykind").exists()


def test_office_edits_a_kind_with_before_and_after_in_the_audit(world, client_for):
    kind = AccountabilityKind.objects.get(name="约谈")
    office = client_for(world.office)
    page = office.get(edit_url(kind)).content.decode()
    assert 'value="约谈"' in page
    response = office.post(
        edit_url(kind), {"name": "约谈提醒", "severity": 2, "score_deduction": "4"}
    )
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name, kind.score_deduction) == ("约谈提醒", Decimal("4.0"))
    event = AuditEvent.objects.get(action="update", object_id=str(kind.pk))
    assert event.changes == {"name": ["约谈", "约谈提醒"], "score_deduction": ["3.0", "4.0"]}


def test_renaming_to_an_existing_name_is_refused(world, client_for):
    kind = AccountabilityKind.objects.get(name="约谈")
    response = client_for(world.office).post(
        edit_url(kind), {"name": "通报批评", "severity": 2, "score_deduction": "3"}
    )
    assert response.status_code == 200
    assert "已有名为“通报批评”的问责方式" in response.content.decode()
    kind.refresh_from_db()
    assert kind.name == "约谈"


def test_new_kind_is_offered_on_a_red_task_and_can_be_recorded(world, client_for):
    office = client_for(world.office)
    office.post(CREATE, {"name": "诫勉谈话", "severity": 4, "score_deduction": "6"})
    kind = AccountabilityKind.objects.get(name="诫勉谈话")
    task = _red_task(world)
    page = office.get(reverse("campaigns:task-detail", args=[task.pk])).content.decode()
    assert f'<option value="{kind.pk}">诫勉谈话</option>' in page
    response = office.post(
        reverse("campaigns:accountability-create", args=[task.pk]),
        {"kind": kind.pk, "target_unit": "on", "reason": "逾期未完成"},
    )
    assert response.status_code == 302
    action = AccountabilityAction.objects.get(task=task)
    assert action.kind == kind and action.unit == world.unit_a
    listing = office.get(LIST).content.decode()
    row = listing.split("诫勉谈话", 1)[1].split("</tr>", 1)[0]
    assert '<td class="text-end">1</td>' in row


def test_deactivated_kind_is_not_offered_and_cannot_be_recorded(world, client_for):
    office = client_for(world.office)
    kind = AccountabilityKind.objects.get(name="约谈")
    task = _red_task(world)
    chain.record_accountability(
        actor=world.office, task=task, kind=kind, reason="逾期", unit=world.unit_a
    )
    response = office.post(toggle_url(kind), {"active": "0"})
    assert response.status_code == 302
    kind.refresh_from_db()
    assert not kind.is_active
    assert AccountabilityKind.objects.filter(pk=kind.pk).exists()  # never deleted
    event = AuditEvent.objects.get(action="update", object_id=str(kind.pk))
    assert event.verb == "deactivate" and event.changes == {"is_active": [True, False]}
    page = office.get(reverse("campaigns:task-detail", args=[task.pk])).content.decode()
    assert f'<option value="{kind.pk}">约谈</option>' not in page
    assert ">提醒谈话</option>" in page  # the form is there, without the inactive kind
    response = office.post(
        reverse("campaigns:accountability-create", args=[task.pk]),
        {"kind": kind.pk, "target_unit": "on", "reason": "再次逾期"},
    )
    assert AccountabilityAction.objects.filter(task=task).count() == 1
    # and back again
    office.post(toggle_url(kind), {"active": "1"})
    kind.refresh_from_db()
    assert kind.is_active
    assert AuditEvent.objects.filter(object_id=str(kind.pk), verb="activate").exists()


def test_list_filters_and_audited_export(world, client_for):
    office = client_for(world.office)
    AccountabilityKind.objects.filter(name="通报批评").update(is_active=False)
    page = office.get(LIST, {"active": "1"}).content.decode()
    assert "约谈" in page and "通报批评" not in page
    page = office.get(LIST, {"q": "通报"}).content.decode()
    assert "通报批评" in page and "提醒谈话" not in page
    assert "导出 Excel" in page
    response = office.get(LIST, {"active": "0", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[2] == ("名称", "严重程度", "扣分", "状态", "使用次数")
    assert rows[3][:4] == ("通报批评", 3, 5, "停用")
    assert len(rows) == 4
    event = AuditEvent.objects.get(action="export", object_type="campaigns.accountabilitykind")
    assert event.actor == world.office


def test_campaign_page_links_the_kinds_for_the_office_only(world, client_for):
    detail = reverse("campaigns:campaign-detail", args=[world.campaign.pk])
    assert LIST in client_for(world.office).get(detail).content.decode()
    assert LIST not in client_for(world.liaison).get(detail).content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", 200),
        ("liaison", 403),
        ("staff", 403),
        ("leader", 403),
        ("outsider", 403),
        ("sysadmin", 403),
        ("auditor", 403),
    ],
)
def test_permission_matrix(world, client_for, persona, expected):
    client = client_for(getattr(world, persona))
    kind = AccountabilityKind.objects.get(name="约谈")
    assert client.get(LIST).status_code == expected
    assert client.get(LIST, {"export": "xlsx"}).status_code == expected
    assert client.get(CREATE).status_code == expected
    assert client.get(edit_url(kind)).status_code == expected
    if expected == 200:
        return
    assert (
        client.post(CREATE, {"name": "越权", "severity": 1, "score_deduction": "1"}).status_code
        == 403
    )
    assert (
        client.post(
            edit_url(kind), {"name": "越权", "severity": 1, "score_deduction": "1"}
        ).status_code
        == 403
    )
    assert client.post(toggle_url(kind), {"active": "0"}).status_code == 403
    kind.refresh_from_db()
    assert kind.name == "约谈" and kind.is_active
    assert not AccountabilityKind.objects.filter(name="越权").exists()
    assert not AuditEvent.objects.filter(object_type="campaigns.accountabilitykind").exists()


def test_unknown_kind_is_404_for_the_office(world, client_for):
    office = client_for(world.office)
    assert (
        office.get(reverse("campaigns:accountability-kind-edit", args=[99999])).status_code == 404
    )
    assert (
        office.post(reverse("campaigns:accountability-kind-toggle", args=[99999])).status_code
        == 404
    )
