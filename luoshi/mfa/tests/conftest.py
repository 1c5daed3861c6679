"""Helpers for the two-factor tests: codes computed from a device's key as the phone would, an
enrolled account, and a session that has shown its code."""

import time

import axes.utils
import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.mfa import services

VERIFY = reverse("mfa:verify")
ENROL = reverse("mfa:enrol")


@pytest.fixture(autouse=True)
def _enforced(settings, db):
    """The test personas are demo accounts: here they are held to the policy like real ones."""
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = False
    axes.utils.reset()


def code_for(device: TOTPDevice) -> str:
    """The code the authenticator app shows now for `device`."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def next_step(device: TOTPDevice) -> None:
    """As if the next 30 seconds had come: the step last used may be used again."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """`user` enrolled through the services, with their recovery codes."""
    device = services.begin_enrolment(actor=user)
    confirmed = services.confirm_enrolment(actor=user, code=code_for(device))
    assert confirmed is not None
    device.refresh_from_db()
    next_step(device)
    return device, confirmed[1]


def verified_client(user, device: TOTPDevice) -> Client:
    """A session of `user` that has passed both factors."""
    client = Client()
    client.force_login(user)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302, response.content.decode()
    next_step(device)
    return client
