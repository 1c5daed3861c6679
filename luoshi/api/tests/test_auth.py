"""Authentication: personal access tokens (valid, revoked, expired, wrong) and the session with
CSRF for unsafe methods. Unauthenticated callers get 401 JSON."""

import datetime

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from luoshi.accounts.models import AccessToken
from luoshi.audit.models import AuditEvent
from luoshi.campaigns.models import TaskState
from luoshi.testing import issued_task

from .conftest import make_token

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_valid_token_authenticates_and_is_marked_used(world):
    secret = make_token(world.office)
    response = Client().get("/api/campaigns", headers=_bearer(secret))
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [world.campaign.pk]
    token = AccessToken.objects.get(user=world.office)
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - datetime.timedelta(days=1)},
    ],
    ids=["revoked", "expired"],
)
def test_revoked_or_expired_token_gets_401(world, fields):
    secret = make_token(world.office, **fields)
    response = Client().get("/api/campaigns", headers=_bearer(secret))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in response.json()["detail"]


def test_token_not_yet_expired_works(world):
    secret = make_token(world.office, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert Client().get("/api/campaigns", headers=_bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer ls_wrong-secret", "Bearer ", "Token abc", None],
    ids=["wrong", "empty", "other-scheme", "none"],
)
def test_wrong_or_missing_credentials_get_401(world, header):
    make_token(world.office)
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get("/api/tasks", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_unauthenticated_post_gets_401_not_a_csrf_error(world):
    task = issued_task(world)[0]
    response = Client(enforce_csrf_checks=True).post(f"/api/tasks/{task.pk}/sign")
    assert response.status_code == 401


def test_token_of_a_deleted_person_gets_401(world):
    secret = make_token(world.staff)
    world.staff.deleted_at = timezone.now()
    world.staff.save(update_fields=["deleted_at"])
    assert Client().get("/api/tasks", headers=_bearer(secret)).status_code == 401


def test_token_request_needs_no_csrf(world):
    task = issued_task(world)[0]
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/tasks/{task.pk}/sign",
        "{}",
        content_type="application/json",
        headers=_bearer(make_token(world.liaison)),
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.state == TaskState.SIGNED and task.signed_by == world.liaison


def test_session_reads_without_csrf_but_writes_need_it(world):
    task = issued_task(world)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.liaison)
    assert client.get(f"/api/tasks/{task.pk}").status_code == 200

    refused = client.post(f"/api/tasks/{task.pk}/sign", "{}", content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    task.refresh_from_db()
    assert task.state == TaskState.ISSUED

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        f"/api/tasks/{task.pk}/sign",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert accepted.status_code == 200, accepted.content
    task.refresh_from_db()
    assert task.state == TaskState.SIGNED


def test_token_acts_as_its_owner_with_the_owners_scope(world):
    task = issued_task(world)[0]
    response = Client().get(f"/api/tasks/{task.pk}", headers=_bearer(make_token(world.outsider)))
    assert response.status_code == 404


def test_bad_tokens_are_audited_and_never_lock_out_valid_ones(world):
    good = make_token(world.office)
    for _attempt in range(7):
        response = Client().get("/api/tasks", headers=_bearer("ls_guess"))
        assert response.status_code == 401
    failures = AuditEvent.objects.filter(action="login_failed", verb="token")
    assert failures.count() == 7
    assert all("ls_guess" not in (f.object_repr + f.note) for f in failures)
    assert Client().get("/api/tasks", headers=_bearer(good)).status_code == 200
