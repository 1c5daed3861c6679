"""Enrolment: the QR code and the secret, the first code, recovery codes shown once and stored
hashed, regenerating them, giving the authenticator up; every step audited."""

import re
from base64 import b32encode

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.audit.models import AuditEvent
from luoshi.mfa import services

from .conftest import ENROL, code_for, enrol, next_step, verified_client

CODES = reverse("mfa:recovery-codes")
REMOVE = reverse("mfa:remove")


def test_the_library_computes_rfc_6238():
    # RFC 6238, appendix B: SHA-1, the 20-byte ASCII key "12345678901234567890", 8 digits.
    totp = TOTP(b"12345678901234567890", step=30, t0=0, digits=8)
    for at, expected in [(59, 94287082), (1111111109, 7081804), (20000000000, 65353130)]:
        totp.time = at
        assert totp.token() == expected


def test_the_page_shows_a_qr_code_and_the_secret(world, client_for):
    response = client_for(world.staff).get(ENROL)
    assert response.status_code == 200
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=world.staff)
    assert not device.confirmed
    assert "<svg" in page and 'class="segno"' in page
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page)
    assert shown and shown.group(1).replace(" ", "") == secret
    # A reload keeps the secret the phone has already scanned.
    client_for(world.staff).get(ENROL)
    assert TOTPDevice.objects.filter(user=world.staff).count() == 1


def test_a_wrong_first_code_enrols_nothing_and_is_audited(world, client_for):
    client = client_for(world.staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.staff)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.filter(device__user=world.staff).exists()
    failed = AuditEvent.objects.get(verb="mfa_code_failed")
    assert failed.action == AuditEvent.Action.LOGIN_FAILED
    assert failed.actor == world.staff


def test_the_right_code_enrols_and_shows_ten_hashed_recovery_codes_once(world, client_for):
    client = client_for(world.staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.staff)
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(
        r"<li class=\"col\">([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", response.content.decode()
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    stored = set(
        StaticToken.objects.filter(device__user=world.staff).values_list("token", flat=True)
    )
    assert stored == {services.hash_recovery_code(code) for code in codes}
    assert not stored & {code.replace("-", "") for code in codes}
    enrolled = AuditEvent.objects.get(verb="mfa_enrol")
    assert enrolled.actor == world.staff and enrolled.action == AuditEvent.Action.SECURITY
    # The session that enrolled has shown its code; the page now shows the state, not the codes.
    status = client.get(ENROL)
    assert status.status_code == 200
    assert "已绑定身份验证器" in status.content.decode()
    assert codes[0] not in status.content.decode()


def test_regenerating_needs_a_current_code_and_voids_the_old_codes(world):
    device, old = enrol(world.staff)
    client = verified_client(world.staff, device)
    response = client.post(CODES, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert StaticToken.objects.filter(token=services.hash_recovery_code(old[0])).exists()

    response = client.post(CODES, {"code": code_for(device)})
    assert response.status_code == 200
    new = re.findall(r"([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})", response.content.decode())
    assert len(set(new)) == 10 and not set(new) & set(old)
    stored = set(
        StaticToken.objects.filter(device__user=world.staff).values_list("token", flat=True)
    )
    assert stored == {services.hash_recovery_code(code) for code in new}
    assert AuditEvent.objects.filter(verb="mfa_recovery_regenerate", actor=world.staff).count() == 1


def test_a_person_who_need_not_may_give_the_authenticator_up(world):
    device, _codes = enrol(world.staff)
    client = verified_client(world.staff, device)
    response = client.post(REMOVE, {"code": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.staff).exists()
    assert not StaticToken.objects.filter(device__user=world.staff).exists()
    assert AuditEvent.objects.filter(verb="mfa_remove", actor=world.staff).count() == 1
    assert client.get("/api/tasks").status_code == 200  # no second factor is asked any more


def test_whoever_must_use_it_cannot_give_it_up(world):
    device, _codes = enrol(world.office)
    client = verified_client(world.office, device)
    response = client.post(REMOVE, {"code": code_for(device)}, follow=True)
    assert "不能解除绑定" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.office, confirmed=True).exists()
    assert not AuditEvent.objects.filter(verb="mfa_remove").exists()
    next_step(device)


def test_the_profile_links_to_the_two_factor_pages(world, client_for):
    assert ENROL in client_for(world.staff).get(reverse("accounts:profile")).content.decode()
