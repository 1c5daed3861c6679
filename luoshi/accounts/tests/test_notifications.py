"""The notification inbox: unread first, mark read (htmx and plain), open the linked page."""

from django.urls import reverse

from luoshi.accounts.models import Notification
from luoshi.accounts.services import notify

INBOX = reverse("accounts:notifications")


def inbox(world):
    notify(recipients=[world.staff], title="旧消息（已读）")
    Notification.objects.filter(title="旧消息（已读）").update(read_at="2026-01-01T00:00Z")
    notify(recipients=[world.staff], title="请签收任务", url="/accounts/profile/", level="red")
    notify(recipients=[world.staff2], title="别人的消息")
    return {note.title: note for note in Notification.objects.all()}


def test_inbox_shows_own_unread_by_default_and_all_on_request(client_for, world):
    inbox(world)
    client = client_for(world.staff)
    page = client.get(INBOX).content.decode()
    assert "请签收任务" in page and "旧消息" not in page and "别人的消息" not in page
    page = client.get(INBOX + "?show=all").content.decode()
    assert page.index("请签收任务") < page.index("旧消息（已读）")
    assert "别人的消息" not in page


def test_mark_one_read_with_htmx_returns_the_row(client_for, world):
    note = inbox(world)["请签收任务"]
    response = client_for(world.staff).post(
        reverse("accounts:notification-read", args=[note.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="note-{note.pk}"' in html and "<html" not in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_marks_read_and_follows_the_link(client_for, world):
    note = inbox(world)["请签收任务"]
    response = client_for(world.staff).post(
        reverse("accounts:notification-read", args=[note.pk]), {"open": "1"}
    )
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_offsite_link_is_not_followed(client_for, world):
    [note] = notify(recipients=[world.staff], title="钓鱼", url="https://evil.example/")
    response = client_for(world.staff).post(
        reverse("accounts:notification-read", args=[note.pk]), {"open": "1"}
    )
    assert response.status_code == 302 and "evil" not in response.url


def test_mark_all_read_touches_only_own(client_for, world):
    notes = inbox(world)
    response = client_for(world.staff).post(reverse("accounts:notification-read-all"))
    assert response.status_code == 302
    assert not world.staff.notifications.unread().exists()
    notes["别人的消息"].refresh_from_db()
    assert notes["别人的消息"].read_at is None


def test_anothers_notification_is_404(client_for, world):
    note = inbox(world)["别人的消息"]
    response = client_for(world.staff).post(reverse("accounts:notification-read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_read_needs_post(client_for, world):
    note = inbox(world)["请签收任务"]
    url = reverse("accounts:notification-read", args=[note.pk])
    assert client_for(world.staff).get(url).status_code == 405
