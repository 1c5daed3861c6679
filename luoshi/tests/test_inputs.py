"""Bad input is a 422 naming the field (API) or a message on the page, never a 5xx, and never
stored: the schemathesis findings of issue 9 (integers above 2⁶³, reversed and absurd date
ranges, lone surrogates, texts of only spaces, NUL and bidi overrides)."""

import json

import pytest
from django.test import Client

from luoshi.accounts.forms import LoginForm
from luoshi.audit.models import AuditEvent
from luoshi.campaigns.models import Task
from luoshi.testing import PASSWORD, issued_task

pytestmark = pytest.mark.django_db

TOO_BIG = "99999999999999999999"
TWO_TO_64 = 18446744073709551616


def _post(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def _raw_post(client: Client, path: str, raw: str):
    """A JSON body written by hand, for what json.dumps would not send (a lone surrogate)."""
    return client.post(path, raw, content_type="application/json")


# --- integers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [("/api/tasks", "page"), ("/api/ledger/pivot", "unit"), ("/api/ledger/pivot", "campaign")],
)
def test_an_integer_query_parameter_above_2_63_is_422_naming_it(world, client_for, path, param):
    response = client_for(world.office).get(path, {param: TOO_BIG})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [param]


def test_an_integer_path_parameter_above_2_63_is_422(world, client_for):
    response = client_for(world.office).get(f"/api/tasks/{TOO_BIG}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["task_id"]


def test_an_integer_in_a_body_list_above_2_63_is_422_naming_it(world, client_for):
    plan = Task.objects.get(pk=issued_task(world)[0].parent_id)
    response = _post(
        client_for(world.office), f"/api/tasks/{plan.pk}/issue", {"unit_ids": [TWO_TO_64]}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["unit_ids.0"]


def test_a_page_number_below_one_or_absurdly_high_is_422(world, client_for):
    client = client_for(world.office)
    assert client.get("/api/tasks", {"page": "0"}).status_code == 422
    assert client.get("/api/tasks", {"page": str(2**62)}).status_code == 422
    assert client.get("/api/tasks", {"page": "2"}).status_code == 200


# --- dates ---------------------------------------------------------------------------------------


def test_a_start_date_after_today_alone_is_a_period_not_a_500(world, client_for):
    response = client_for(world.office).get("/api/ledger/pivot", {"from": "2100-01-01"})
    assert response.status_code == 200
    assert response.json()["months"] == ["2100-01"]


def test_a_reversed_date_range_is_422_on_the_api(world, client_for):
    response = client_for(world.office).get(
        "/api/ledger/pivot", {"from": "2027-01-01", "to": "2026-01-01"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["to"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_outside_1900_2100_is_422_on_the_api(world, client_for, day):
    response = client_for(world.office).get("/api/ledger/pivot", {"from": day})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["from"]
    assert "1900-01-01" in response.json()["errors"]["from"][0]


def test_a_reversed_date_range_on_the_page_is_a_message_not_a_500(world, client_for):
    client = client_for(world.office)
    response = client.get("/ledgers/", {"from": "2027-01-01", "to": "2026-01-01"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/ledgers/", 302)]
    assert "查询条件“to”未采用：结束时间不能早于开始时间。" in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_outside_1900_2100_on_the_page_is_dropped_with_a_message(world, client_for, day):
    response = client_for(world.office).get("/ledgers/", {"to": day}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/ledgers/", 302)]
    assert "查询条件“to”未采用" in response.content.decode()


def test_page_query_problems_name_each_parameter():
    from luoshi.lib.query import query_problems  # here, so the other tests run on older code

    problems = query_problems(
        {
            "unit": [TOO_BIG],
            "page": ["0"],
            "q": [TOO_BIG],
            "from": ["2026-02-01"],
            "to": ["2026-01-01"],
        }
    )
    assert sorted(problems) == ["from", "page", "to", "unit"]


# --- texts ---------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_comment_is_422(world, client_for):
    task = issued_task(world)[0]
    response = _raw_post(
        client_for(world.office), f"/api/tasks/{task.pk}/comments", '{"text": "好\\ud800"}'
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["text"]
    assert "不完整的编码" in response.json()["errors"]["text"][0]


def _new_task(client: Client, world, title: str):
    body = {"campaign_id": world.campaign.pk, "title": title, "deadline_working_days": 10}
    return _post(client, "/api/tasks", body)


def test_a_title_of_only_spaces_is_refused_not_saved_empty(world, client_for):
    before = Task.objects.count()
    response = _new_task(client_for(world.office), world, "   \u3000 ")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["title"]
    assert "不能为空" in response.json()["errors"]["title"][0]
    assert Task.objects.count() == before


@pytest.mark.parametrize(
    ("title", "words"),
    [("标题\x00", "U+0000"), ("invoice\u202etxt.exe", "U+202E")],
    ids=["nul", "rlo"],
)
def test_nul_and_bidi_overrides_in_a_title_are_refused(world, client_for, title, words):
    before = Task.objects.count()
    response = _new_task(client_for(world.office), world, title)
    assert response.status_code == 422
    assert words in response.json()["errors"]["title"][0]
    assert Task.objects.count() == before


def test_a_title_is_stored_normalised(world, client_for):
    response = _new_task(client_for(world.office), world, "\u3000 Cafe\u0301 学习会 ")
    assert response.status_code == 201
    assert Task.objects.get(pk=response.json()["id"]).title == "Café 学习会"


def test_a_text_on_a_page_form_is_refused_with_the_fields_label(world, client_for):
    task = issued_task(world)[0]
    client = client_for(world.office)
    response = client.post(f"/tasks/{task.pk}/comment/", {"text": "批示\u202e内容"})
    assert response.status_code == 400
    assert "U+202E" in response.content.decode()
    assert not task.events.filter(action="comment").exists()


def test_a_login_username_with_a_control_character_is_refused_before_any_attempt(world):
    form = LoginForm(data={"username": "x\x01y", "password": PASSWORD})
    assert not form.is_valid()
    assert "U+0001" in form.errors["username"][0]
    assert "账号" in form.errors["username"][0]
    response = Client().post("/accounts/login/", {"username": "x\x01y", "password": PASSWORD})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(verb="login_failed").exists()
