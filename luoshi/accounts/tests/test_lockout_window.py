"""A lockout lasts fifteen minutes from the fifth failure: attempts while locked do not extend it
(otherwise an attacker keeps an account locked for ever with one guess every few minutes)."""

import datetime

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from luoshi.testing import PASSWORD

LOGIN = reverse("accounts:login")


def _login(client, password: str):
    return client.post(LOGIN, {"username": "staff", "password": password}, REMOTE_ADDR="10.0.0.7")


def test_attempts_while_locked_do_not_extend_the_lockout(client, world):
    for _ in range(5):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 429
    started = timezone.now() - datetime.timedelta(minutes=10)
    AccessAttempt.objects.update(attempt_time=started)
    # More guesses during the lockout are refused and leave its start where it was.
    for _ in range(3):
        assert _login(client, "wrong-password").status_code == 429
    assert AccessAttempt.objects.get(username="staff").attempt_time == started
    # Sixteen minutes after the fifth failure the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _login(client, PASSWORD).status_code == 302
