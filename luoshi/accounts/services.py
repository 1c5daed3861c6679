"""Notifications (in the app, and by email when SMTP is configured)."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from .models import Notification, User


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    task=None,
) -> list[Notification]:
    """Put one message in each recipient's inbox (deduplicated); mail it after commit."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    notes = Notification.objects.bulk_create(
        Notification(recipient=user, title=title[:200], body=body, url=url, level=level, task=task)
        for user in unique.values()
    )
    if settings.EMAIL_ENABLED and notes:
        from .tasks import send_notification_emails

        ids = [note.pk for note in notes if note.pk]
        if ids:
            transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return notes
