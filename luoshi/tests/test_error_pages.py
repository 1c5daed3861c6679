"""Error pages are luoshi pages (issue 11): in the UI language, with the menu, the service's
reason where there is one and a way back; a reload after a refused form is no 405; expected
403/404s are logged as one line."""

import io
import logging

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from luoshi import views
from luoshi.campaigns import services as chain
from luoshi.errors import ExpectedErrorFilter
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

MENU = 'id="mainnav"'


def _is_luoshi_page(response, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-status="{status}"' in html and MENU in html and 'id="error-back"' in html
    return html


def test_404_is_a_page_with_the_menu(world, client_for):
    html = _is_luoshi_page(client_for(world.staff).get("/tasks/987654/"), 404)
    assert "页面不存在" in html and "Not Found" not in html


def test_403_shows_the_services_reason(world, client_for):
    response = client_for(world.staff).get(
        reverse("media:publication-create"), HTTP_REFERER="http://testserver/media/"
    )
    html = _is_luoshi_page(response, 403)
    assert "稿件由单位联络员登记。" in html and "403 Forbidden" not in html
    assert 'href="http://testserver/media/"' in html  # back where the person came from


def test_405_is_a_page(world, client_for):
    response = client_for(world.staff).get(reverse("accounts:token-create"))
    html = _is_luoshi_page(response, 405)
    assert "表单提交" in html and response["Allow"] == "POST"


def test_reload_after_an_empty_notice_reply_goes_back_to_the_task(world, client_for):
    task = issued_task(world)[0]
    notice = chain.issue_notice(actor=world.office, task=task, content="请加快进度")
    client = client_for(world.liaison)
    url = reverse("campaigns:notice-reply", args=[notice.pk])
    refused = client.post(url, {"reply": ""})
    assert refused.status_code == 400  # the task page again, the error at the field
    reloaded = client.get(url)
    assert reloaded.status_code == 302
    assert reloaded["Location"] == reverse("campaigns:task-detail", args=[task.pk])


def test_csrf_failure_is_a_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.liaison)
    html = _is_luoshi_page(client.post(reverse("accounts:token-create"), {}), 403)
    assert "页面已过期" in html


def test_500_is_a_page(world):
    request = RequestFactory().get("/tasks/")
    request.user = world.staff
    request.session = {}
    response = views.server_error(request)
    html = _is_luoshi_page(response, 500)
    assert "系统出错了" in html


def test_error_pages_speak_english_in_english_mode(world, client_for):
    client = client_for(world.staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _is_luoshi_page(client.get("/tasks/987654/"), 404)
    assert "页面不存在" not in html and "Page not found" in html


def test_expected_403_and_404_are_one_line_in_the_log(world, client_for):
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ExpectedErrorFilter) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        client = client_for(world.staff)
        client.get(reverse("media:publication-create"))
        client.get("/tasks/987654/")
    finally:
        handler.setStream(old)
    lines = stream.getvalue().strip().splitlines()
    assert any("Forbidden" in line for line in lines), lines
    assert any("Not Found" in line for line in lines), lines
    assert "Traceback" not in stream.getvalue() and len(lines) == 2
