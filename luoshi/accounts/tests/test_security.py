"""The 等保 baseline: Argon2, password rules, forced change, idle sessions, CSP, check --deploy,
no default passwords."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from luoshi import settings as project_settings
from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.org import services as org
from luoshi.testing import PASSWORD

CHANGE = reverse("accounts:password-change")
NEW_PASSWORD = "Qinghai#2026go"


def test_argon2_is_the_first_hasher(world, settings):
    # conftest switches tests to MD5; the project's own setting is what production uses.
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    world.staff.set_password(NEW_PASSWORD)
    world.staff.save(update_fields=["password"])
    world.staff.refresh_from_db()
    assert world.staff.password.startswith("argon2")
    assert world.staff.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "至少"),  # 7 characters
        ("abcdefgh12", "至少 3 类"),  # two classes
        ("Password1", "太常见"),  # common
        ("93017428564139", "只包含数字"),  # numeric
    ],
)
def test_weak_passwords_are_refused_in_chinese(world, password, message):
    with pytest.raises(ValidationError) as error:
        validate_password(password, world.staff)
    assert message in " ".join(error.value.messages)


def test_good_password_passes(world):
    validate_password(NEW_PASSWORD, world.staff)


def test_password_change_page_shows_rule_violations(client_for, world):
    response = client_for(world.staff).post(
        CHANGE, {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()
    world.staff.refresh_from_db()
    assert world.staff.check_password(PASSWORD)


def test_password_change_keeps_session_resets_flags_and_is_audited(client_for, world):
    User.objects.filter(pk=world.staff.pk).update(must_change_password=True, is_demo=False)
    client = client_for(world.staff)
    response = client.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.check_password(NEW_PASSWORD)
    assert not world.staff.must_change_password
    assert timezone.now() - world.staff.password_changed_at < datetime.timedelta(minutes=1)
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in
    event = AuditEvent.objects.get(action=AuditEvent.Action.SECURITY, verb="password_change")
    assert event.actor == world.staff
    assert NEW_PASSWORD not in str(event.changes) + event.note


def test_wrong_old_password_is_refused(client_for, world):
    response = client_for(world.staff).post(
        CHANGE,
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200 and "旧密码" in response.content.decode()


def test_first_login_forces_a_password_change(client_for, world):
    User.objects.filter(pk=world.staff.pk).update(must_change_password=True, is_demo=False)
    client = client_for(world.staff)
    response = client.get("/")
    assert response.status_code == 302 and response.url == CHANGE + "?expired=1"
    page = client.get(response.url).content.decode()
    assert "首次登录" in page


def test_old_password_forces_a_change_after_the_maximum_age(client_for, world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    old = timezone.now() - datetime.timedelta(days=91)
    User.objects.filter(pk=world.staff.pk).update(
        must_change_password=False, is_demo=False, password_changed_at=old
    )
    client = client_for(world.staff)
    response = client.get("/")
    assert response.status_code == 302 and response.url == CHANGE + "?expired=1"
    assert "90 天" in client.get(response.url).content.decode()
    settings.PASSWORD_MAX_AGE_DAYS = 0  # 0 disables the rotation
    assert client.get("/").url != CHANGE + "?expired=1"


def test_recent_password_and_demo_accounts_are_not_forced(client_for, world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=world.staff.pk).update(
        must_change_password=False,
        is_demo=False,
        password_changed_at=timezone.now() - datetime.timedelta(days=89),
    )
    assert client_for(world.staff).get("/").url != CHANGE + "?expired=1"
    User.objects.filter(pk=world.staff2.pk).update(
        must_change_password=True, is_demo=True, password_changed_at=None
    )
    assert client_for(world.staff2).get("/").url != CHANGE + "?expired=1"


def test_no_default_password_outside_the_demo(world):
    person = org.create_person(
        actor=world.sysadmin, username="newcomer", name="新同事", unit=world.unit_a
    )
    assert not person.has_usable_password()
    assert person.must_change_password
    assert not person.is_demo


def test_idle_session_timeout_is_thirty_minutes_and_refreshed(client, world, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # refreshed at most once a minute instead
    client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
    key = client.session.session_key
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert client.get(reverse("accounts:profile")).status_code == 200
    expires = Session.objects.get(pk=key).expire_date
    assert expires - timezone.now() > datetime.timedelta(minutes=29)


def test_reads_within_a_minute_do_not_write_the_session(client, world):
    client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
    key = client.session.session_key
    client.get(reverse("accounts:profile"))
    stored = Session.objects.get(pk=key).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:profile")).status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert writes and all(sql.startswith("SELECT") for sql in writes)
    assert Session.objects.get(pk=key).expire_date == stored
    # Once the stored expiry is a minute behind, the next read pushes it forward again.
    Session.objects.filter(pk=key).update(expire_date=stored - datetime.timedelta(seconds=61))
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert Session.objects.get(pk=key).expire_date > stored


def test_idle_session_expires(client, world):
    client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
    key = client.session.session_key
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url_name", ["accounts:login", "accounts:profile", "audit:event-list"])
def test_csp_header_on_pages(client_for, world, url_name):
    response = client_for(world.auditor).get(reverse(url_name), follow=True)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    # A production environment: nothing of the test process's own switches (the browser tests
    # set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly warns about).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "luoshi.settings",
        "LUOSHI_HTTPS": "1",
        "LUOSHI_DEBUG": "0",
        "LUOSHI_SECRET_KEY": secrets.token_urlsafe(64),
        "LUOSHI_ALLOWED_HOSTS": "luoshi.example.gov.cn",
        "LUOSHI_VAR_DIR": str(tmp_path),
    }
    root = Path(django_settings.BASE_DIR)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "ERRORS" not in output
