"""Who must use a second factor beyond the fixed roles, who was made to enrol again, and the
wrong codes counted for the rate limit. The devices themselves are django-otp's: a TOTPDevice
(the authenticator app) and a StaticDevice holding the recovery codes, stored hashed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitRequirement(models.Model):
    """A unit whose people (members of it or of any unit below it) must use two-factor
    authentication, chosen by the 安全管理员."""

    unit = models.OneToOneField(
        "org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    required_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("须双因素鉴别的单位")
        verbose_name_plural = _("须双因素鉴别的单位")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return str(self.unit)


class EnrolmentDemand(models.Model):
    """A person whose second factor the 安全管理员 reset: they must enrol again at their next
    request, whatever the policy says of them; gone once they have."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_demand"
    )
    demanded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    demanded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("须重新绑定的人员")
        verbose_name_plural = _("须重新绑定的人员")

    def __str__(self) -> str:
        return str(self.user)


class CodeFailure(models.Model):
    """One wrong code entered by a person (at verification, enrolment or regeneration), counted
    for the limit of MFA_FAILURE_LIMIT in MFA_FAILURE_WINDOW_MINUTES."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_failures"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("验证码错误记录")
        verbose_name_plural = _("验证码错误记录")
        indexes = [models.Index(fields=["user", "at"], name="mfa_failure_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.at:%Y-%m-%d %H:%M}"
