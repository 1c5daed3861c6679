"""The platform around the apps: health check, the queue and its scheduled job, settings."""

import datetime

import pytest
from django.core import mail
from django.tasks import default_task_backend
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from luoshi.accounts.services import notify
from luoshi.accounts.tasks import send_notification_emails
from luoshi.campaigns import tasks as campaign_tasks
from luoshi.campaigns.models import Task
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_healthz_runs_one_query_and_no_session(client_for, world, django_assert_num_queries):
    client = client_for(world.liaison)  # a logged-in session would cost a load (and a save)
    with django_assert_num_queries(1) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert queries.captured_queries[0]["sql"] == "SELECT 1"
    assert "Set-Cookie" not in response.headers and "sessionid" not in response.cookies


def test_healthz_fails_when_the_queue_is_unreachable(client, monkeypatch):
    def broken():
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY.storage, "queue_size", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"] == "error: ConnectionError"


def _run_queue() -> int:
    """Run every job waiting in this worker's queue, as the consumer would."""
    ran = 0
    while (job := HUEY.dequeue()) is not None:
        HUEY.execute(job)
        ran += 1
    return ran


@pytest.mark.django_db(transaction=True)  # the worker step closes connections left in a transaction
def test_notification_mail_goes_through_the_queue(
    world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = True
    world.staff.email = "zhangsan@example.org"
    world.staff.save(update_fields=["email"])
    HUEY.flush()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff], title="催办：测试任务")
    assert default_task_backend.alias == "default"
    assert _run_queue() == 1
    assert [m.subject for m in mail.outbox] == ["【落实】催办：测试任务"]
    assert world.staff.notifications.get().emailed_at is not None


def test_send_notification_emails_skips_people_without_address(world):
    note = notify(recipients=[world.staff], title="无邮箱")[0]
    assert send_notification_emails.call([note.pk]) == 0
    assert mail.outbox == []


def test_daily_job_recomputes_warnings_and_reminds(world):
    # The move sets the warning (a deadline a day away is blue at once); the daily job catches
    # time passing: here a deadline that came near since the task was issued.
    assert issued_task(world, title="明天到期", days=1)[0].warning == "blue"
    task = issued_task(world, days=30)[0]
    assert task.warning == ""
    Task.objects.filter(pk=task.pk).update(
        deadline=timezone.localdate() + datetime.timedelta(days=1)
    )
    changed = campaign_tasks.daily_warnings.call_local()
    task.refresh_from_db()
    assert changed == 1 and task.warning == "blue"
    assert task.events.filter(action="remind").exists()
    assert world.liaison.notifications.filter(title__startswith="催办").exists()
