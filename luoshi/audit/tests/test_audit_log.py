"""The audit log page: only the audit administrator sees it; search, detail, audited export;
nothing can change or delete a row (model, Django admin, and on PostgreSQL the database)."""

import datetime
import io
import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.accounts.models import User
from luoshi.audit.context import RequestContext, current_request
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.org import services as org

LIST = reverse("audit:event-list")
EXPORT = reverse("audit:event-export")


@pytest.fixture
def events(world):
    """A renamed unit (by 系统管理员 from 10.0.0.1) and a staff login from 10.0.0.2."""
    token = current_request.set(RequestContext(ip="10.0.0.1"))
    try:
        org.update_unit(actor=world.sysadmin, unit=world.unit_b, name="冷湖行政委员会")
    finally:
        current_request.reset(token)
    token = current_request.set(RequestContext(ip="10.0.0.2"))
    try:
        record(actor=world.staff, action=AuditEvent.Action.LOGIN, obj=world.staff, note="晨读打卡")
    finally:
        current_request.reset(token)
    return {
        "rename": AuditEvent.objects.get(action="update", object_type="org.unit"),
        "login": AuditEvent.objects.get(action="login", actor=world.staff),
    }


@pytest.mark.parametrize(
    "persona", ["office", "liaison", "staff", "leader", "outsider", "sysadmin", "secadmin"]
)
@pytest.mark.parametrize("url_name", ["event-list", "event-export", "event-detail"])
def test_only_the_audit_admin_sees_the_log(client_for, world, events, persona, url_name):
    args = [events["login"].pk] if url_name == "event-detail" else []
    client = client_for(getattr(world, persona))
    assert client.get(reverse(f"audit:{url_name}", args=args)).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_auditor_sees_the_log(client_for, world, events):
    response = client_for(world.auditor).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "冷湖行政委员会" in page and "10.0.0.1" in page and "张三" in page
    assert "导出 Excel" in page


def listed(client, **params) -> set[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {event.pk for event in response.context["page"].object_list}


def test_search_filters(client_for, world, events):
    client = client_for(world.auditor)
    rename, login = events["rename"].pk, events["login"].pk
    assert listed(client, actor="xtgly") == {rename}  # pinyin initials of 系统管理员
    assert listed(client, actor="张") == {login}
    auditor_login = AuditEvent.objects.get(action="login", actor=world.auditor).pk
    assert listed(client, action="login") == {login, auditor_login}
    assert listed(client, object_type="org.unit") == {rename}
    assert listed(client, object_id=str(world.staff.pk), action="login") == {login}
    assert listed(client, ip="10.0.0.2") == {login}
    assert listed(client, text="晨读") == {login}
    assert listed(client, text="冷湖") == {rename}
    today = timezone.localdate()
    assert {rename, login} <= listed(client, date_from=today, date_to=today)
    assert listed(client, date_to=today - datetime.timedelta(days=1)) == set()


def test_bad_filter_input_gets_a_message(client_for, world, events):
    """A reversed date range is dropped with a message (every page's query guard, lib.query);
    the address the form cannot read is a form error on the page it lands on."""
    today = timezone.localdate()
    client = client_for(world.auditor)
    query = {"ip": "not-an-ip", "date_from": today, "date_to": today - datetime.timedelta(1)}
    response = client.get(LIST, query)
    assert response.status_code == 302 and response["Location"] == LIST + "?ip=not-an-ip"
    page = client.get(response["Location"]).content.decode()
    assert "结束时间不能早于开始时间" in page and "IPv4" in page


def test_list_is_paginated(client_for, world):
    for index in range(55):
        record(actor=world.staff, action="update", object_type="x.y", object_repr=f"行{index}")
    client = client_for(world.auditor)
    first = client.get(LIST, {"object_type": "x.y"})
    assert len(first.context["page"].object_list) == 50
    assert "?object_type=x.y&page=2" in first.content.decode()
    assert len(client.get(LIST, {"object_type": "x.y", "page": 2}).context["page"]) == 5


def test_detail_shows_before_and_after(client_for, world, events):
    response = client_for(world.auditor).get(
        reverse("audit:event-detail", args=[events["rename"].pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "冷湖镇" in page and "冷湖行政委员会" in page
    assert "名称" in page  # the field's verbose name
    assert re.search(r"冷湖镇</td>\s*<td[^>]*>冷湖行政委员会</td>", page)


def test_export_contains_the_filtered_rows_and_is_audited(client_for, world, events):
    response = client_for(world.auditor).get(EXPORT, {"action": "update"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    text = str(values)
    assert "冷湖行政委员会" in text and "晨读打卡" not in text
    assert "操作：修改" in text  # the filter is written into the sheet
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.actor == world.auditor and "修改" in export.note


def test_rows_cannot_be_changed_or_deleted_through_the_models(world, events):
    event = events["login"]
    event.note = "改写"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(note="改写")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_django_admin_is_read_only(client, world, events):
    admin = User.objects.create_superuser(
        "root", password="Root#2026pass", name="超级管理员", must_change_password=False
    )
    client.force_login(admin)
    event = events["login"]
    base = "/django-admin/audit/auditevent/"
    assert client.get(base).status_code == 200
    assert client.get(base + "add/").status_code == 403
    assert client.get(f"{base}{event.pk}/delete/").status_code == 403
    response = client.post(f"{base}{event.pk}/change/", {"note": "改写"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note == "晨读打卡"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_trigger_refuses_update_and_delete(world, events):
    pk = events["login"].pk
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE audit_auditevent SET note = 'x' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql, [pk])
    assert AuditEvent.objects.get(pk=pk).note == "晨读打卡"
