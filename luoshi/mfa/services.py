"""Enrolling a second factor, checking codes, recovery codes, the unit policy and the reset.

Every wrong code is counted (CodeFailure) and audited, in a transaction that commits: the
services return None for a wrong code rather than raise, so that the count is never rolled
back. Past MFA_FAILURE_LIMIT wrong codes in MFA_FAILURE_WINDOW_MINUTES, every code is refused
unchecked (TooManyCodes) until the oldest of them leaves the window; those refusals are not
counted, so the wait does not grow while it lasts.
"""

import hashlib
import secrets
from base64 import b32encode
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.org.access import require_perm
from luoshi.org.models import Unit

from .access import is_enrolled, must_use_mfa, require_resettable
from .models import CodeFailure, EnrolmentDemand, UnitRequirement

# Recovery codes: 12 characters of an alphabet without look-alikes (0/o, 1/l/i), about 59 bits,
# shown as xxxx-xxxx-xxxx.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12


class TooManyCodes(ValidationError):
    """Too many wrong codes lately: refused without being checked."""

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            _(
                "验证码错误次数过多（%(minutes)d 分钟内 %(limit)d 次），为保护账号安全已暂停验证，"
                "请于 %(at)s 后再试。"
            )
            % {
                "minutes": settings.MFA_FAILURE_WINDOW_MINUTES,
                "limit": settings.MFA_FAILURE_LIMIT,
                "at": timezone.localtime(retry_at).strftime("%H:%M"),
            },
            code="too_many_codes",
        )


def normalise_code(code: str) -> str:
    """A code as typed, without spaces (full-width ones too) and hyphens, in lower case."""
    return "".join(ch for ch in code.lower() if ch not in " -\u3000\t")


def hash_recovery_code(code: str) -> str:
    """What is stored of a recovery code: 80 bits of its SHA-256 (more than the code holds),
    base32, to fit django-otp's 16-character token column."""
    digest = hashlib.sha256(f"luoshi-recovery:{normalise_code(code)}".encode()).digest()
    return b32encode(digest).decode().lower()[:16]


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def retry_at(user: User) -> datetime | None:
    """When `user` may enter a code again, or None if they may now."""
    limit = settings.MFA_FAILURE_LIMIT
    window = timedelta(minutes=settings.MFA_FAILURE_WINDOW_MINUTES)
    recent = list(
        CodeFailure.objects.filter(user=user, at__gt=timezone.now() - window)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + window


def _check_rate(user: User) -> None:
    if (at := retry_at(user)) is not None:
        raise TooManyCodes(at)


def _record_failure(user: User, *, during: str) -> None:
    now = timezone.now()
    CodeFailure.objects.create(user=user, at=now)
    window = timedelta(minutes=settings.MFA_FAILURE_WINDOW_MINUTES)
    CodeFailure.objects.filter(user=user, at__lte=now - window).delete()
    record(
        actor=user,
        action=AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        verb="mfa_code_failed",
        note=_("双因素验证码错误（%(during)s）") % {"during": during},
    )


def _totp_for_update(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()


def _replace_recovery_codes(user: User) -> list[str]:
    """New recovery codes for `user` (the old ones stop working); only their hashes are kept."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [_new_recovery_code() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=hash_recovery_code(code)) for code in codes
    )
    return codes


# --- Enrolment -----------------------------------------------------------------------------------


@transaction.atomic
def begin_enrolment(*, actor: User) -> TOTPDevice:
    """The authenticator secret `actor` is about to enrol: the unconfirmed one kept from an
    earlier visit of the page (so a reload does not invalidate a scanned code), or a new one."""
    if is_enrolled(actor):
        raise ValidationError(_("您已绑定身份验证器；如需更换，请先解除绑定。"))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(*, actor: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm `actor`'s new authenticator with a current `code`; returns the device and the
    new recovery codes (shown once), or None for a wrong code (counted and audited)."""
    _check_rate(actor)
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=actor, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        raise ValidationError(_("绑定页面已失效，请重新打开绑定页面扫码。"))
    if not device.verify_token(normalise_code(code)):
        _record_failure(actor, during=_("绑定身份验证器"))
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    codes = _replace_recovery_codes(actor)
    EnrolmentDemand.objects.filter(user=actor).delete()
    actor._luoshi_mfa_enrolled = True  # type: ignore[attr-defined]
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=actor,
        verb="mfa_enrol",
        note=_("绑定身份验证器，生成 %(count)d 个恢复码") % {"count": len(codes)},
    )
    return device, codes


# --- Verification --------------------------------------------------------------------------------


@transaction.atomic
def verify_code(*, actor: User, code: str) -> Device | None:
    """The device that accepts `code` for `actor` after the password: the authenticator for six
    digits (each time step once only), else a recovery code (used up). None for a wrong code,
    counted and audited; TooManyCodes past the limit."""
    _check_rate(actor)
    code = normalise_code(code)
    device: Device | None = None
    note = ""
    if code.isdigit():
        totp = _totp_for_update(actor)
        if totp is not None and totp.verify_token(code):
            device, note = totp, _("动态验证码")
    elif code:
        static = StaticDevice.objects.select_for_update().filter(user=actor).first()
        if static is not None and static.verify_token(hash_recovery_code(code)):
            left = static.token_set.count()
            device, note = static, _("恢复码（剩余 %(left)d 个）") % {"left": left}
    if device is None:
        _record_failure(actor, during=_("登录验证"))
        return None
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=actor,
        verb="mfa_verify",
        note=_("双因素鉴别通过：%(how)s") % {"how": note},
    )
    return device


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def regenerate_recovery_codes(*, actor: User, code: str) -> list[str] | None:
    """New recovery codes for `actor`, who proves it with a current authenticator code; the old
    codes stop working. None for a wrong code (counted and audited)."""
    _check_rate(actor)
    totp = _totp_for_update(actor)
    if totp is None:
        raise ValidationError(_("您尚未绑定身份验证器。"))
    if not totp.verify_token(normalise_code(code)):
        _record_failure(actor, during=_("重新生成恢复码"))
        return None
    codes = _replace_recovery_codes(actor)
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=actor,
        verb="mfa_recovery_regenerate",
        note=_("重新生成 %(count)d 个恢复码，原恢复码作废") % {"count": len(codes)},
    )
    return codes


def _delete_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user._luoshi_mfa_enrolled = False  # type: ignore[attr-defined]


@transaction.atomic
def remove_device(*, actor: User, code: str) -> bool:
    """`actor` gives up their own second factor, proving it with a current code; refused for
    whoever must use one. False for a wrong code (counted and audited)."""
    if must_use_mfa(actor):
        raise PermissionDenied(_("您的账号须使用双因素鉴别，不能解除绑定。"))
    _check_rate(actor)
    totp = _totp_for_update(actor)
    if totp is None:
        raise ValidationError(_("您尚未绑定身份验证器。"))
    if not totp.verify_token(normalise_code(code)):
        _record_failure(actor, during=_("解除绑定"))
        return False
    _delete_devices(actor)
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=actor,
        verb="mfa_remove",
        note=_("解除本人身份验证器绑定，恢复码作废"),
    )
    return True


# --- The 安全管理员 --------------------------------------------------------------------------------


@transaction.atomic
def reset_mfa(*, actor: User, person: User) -> None:
    """Remove `person`'s authenticator and recovery codes and make them enrol again at their
    next request (their sessions and tokens wait until they have). The 安全管理员 only, and
    only for business accounts."""
    require_resettable(actor, person)
    had_device = TOTPDevice.objects.filter(user=person, confirmed=True).exists()
    _delete_devices(person)
    EnrolmentDemand.objects.update_or_create(
        user=person, defaults={"demanded_by": actor, "demanded_at": timezone.now()}
    )
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=person,
        verb="mfa_reset",
        note=_("重置双因素鉴别（原已绑定身份验证器），须重新绑定")
        if had_device
        else _("重置双因素鉴别（原未绑定身份验证器），须重新绑定"),
    )


@transaction.atomic
def require_for_unit(*, actor: User, unit: Unit) -> UnitRequirement:
    """Make two-factor authentication required for the people of `unit` and the units below."""
    require_perm(actor, "security.manage", unit)
    requirement, created = UnitRequirement.objects.get_or_create(
        unit=unit, defaults={"required_by": actor}
    )
    if created:
        record(
            actor=actor,
            action=AuditEvent.Action.SECURITY,
            obj=unit,
            verb="mfa_unit_require",
            note=_("要求本单位及下级单位人员使用双因素鉴别"),
        )
    return requirement


@transaction.atomic
def release_unit(*, actor: User, requirement: UnitRequirement) -> None:
    """Make two-factor authentication optional again for the unit's people (the fixed roles
    still need it)."""
    require_perm(actor, "security.manage", requirement.unit)
    unit = requirement.unit
    requirement.delete()
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=unit,
        verb="mfa_unit_release",
        note=_("取消对本单位及下级单位人员双因素鉴别的要求"),
    )


@transaction.atomic
def reset_mfa_at_console(*, person: User, reason: str) -> None:
    """The operator's reset at the server (`manage.py mfa_reset`), for an administrator who has
    lost both the phone and the recovery codes: no one on luoshi's pages may reset an
    administrator. Audited with the reason, the actor left empty."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请说明重置原因（如核实身份的经过）。")})
    _delete_devices(person)
    EnrolmentDemand.objects.update_or_create(
        user=person, defaults={"demanded_by": None, "demanded_at": timezone.now()}
    )
    record(
        actor=None,
        action=AuditEvent.Action.SECURITY,
        obj=person,
        verb="mfa_reset",
        note=_("运维人员在服务器上重置双因素鉴别，须重新绑定。原因：%(reason)s")
        % {"reason": reason},
    )
