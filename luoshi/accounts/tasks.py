"""Background work of the accounts app."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.tasks import task
from django.utils import timezone

from .models import Notification


@task
def send_notification_emails(notification_ids: list[int]) -> int:
    """Mail the given notifications to recipients who have an address; returns how many went."""
    notes = list(
        Notification.objects.select_related("recipient").filter(
            pk__in=notification_ids, emailed_at__isnull=True
        )
    )
    messages = [
        (
            f"【落实】{note.title}",
            note.body or note.title,
            settings.DEFAULT_FROM_EMAIL,
            [note.recipient.email],
        )
        for note in notes
        if note.recipient.email
    ]
    sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    Notification.objects.filter(pk__in=[note.pk for note in notes if note.recipient.email]).update(
        emailed_at=timezone.now()
    )
    return sent
