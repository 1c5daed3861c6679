"""Who must use a second factor, whether they have one, and the refusals while it is pending.

Required for the three administrators (系统管理员, 安全管理员, 审计管理员) and the campaign office
(行动办), for the people of the units the 安全管理员 has chosen (a unit and every unit below it),
and for anyone whose second factor the 安全管理员 has reset. Anyone else may enrol of their own
accord; once enrolled, every login asks for a code.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.accounts.access import ChangePending
from luoshi.org.access import require_perm, roles_of, scope_for
from luoshi.org.models import ADMIN_ROLES, Membership, Role

from .models import EnrolmentDemand, UnitRequirement

REQUIRED_ROLES = frozenset(ADMIN_ROLES | {Role.OFFICE})


class MfaRequired(PermissionDenied):
    """The session has passed the password but not yet the second factor."""

    code_name = "mfa_required"

    def __init__(self) -> None:
        super().__init__(_("请先完成双因素鉴别：输入身份验证器上的动态验证码或一个恢复码。"))


class MfaEnrolmentRequired(ChangePending):
    """The account must enrol a second factor before it may do anything else (one of accounts'
    pending changes: its pages go to the enrolment page, its API calls and tokens get 403)."""

    code_name = "mfa_enrolment_required"
    url_name = "mfa:enrol"

    def __init__(self) -> None:
        super().__init__(
            _("请先绑定身份验证器：您的账号须使用双因素鉴别（口令加动态验证码）后才能继续操作。")
        )


def is_enrolled(user) -> bool:
    """Whether `user` has a confirmed authenticator (TOTP device); kept for the request."""
    cached = getattr(user, "_luoshi_mfa_enrolled", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        user._luoshi_mfa_enrolled = cached
    return cached


def required_because(user) -> str:
    """Why `user` must use a second factor (shown on the enrolment page), or "" if they need
    not."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_demo and settings.MFA_EXEMPT_DEMO_ACCOUNTS:
        return ""
    if roles_of(user) & REQUIRED_ROLES:
        return _("您担任管理员或行动办角色，须使用双因素鉴别。")
    if EnrolmentDemand.objects.filter(user=user).exists():
        return _("安全管理员已重置您的双因素鉴别，请重新绑定身份验证器。")
    if _unit_requires(user):
        return _("安全管理员要求您所在单位的人员使用双因素鉴别。")
    return ""


def must_use_mfa(user) -> bool:
    return bool(required_because(user))


def _unit_requires(user) -> bool:
    required = list(UnitRequirement.objects.values_list("unit__path", flat=True))
    if not required:
        return False
    own = Membership.objects.filter(person=user).values_list("unit__path", flat=True)
    return any(path.startswith(prefix) for path in own for prefix in required)


def enrolment_pending(user) -> ChangePending | None:
    """The refusal for an account that must enrol but has not (registered with accounts'
    pending checks, so its tokens and token creation wait too), else None."""
    if must_use_mfa(user) and not is_enrolled(user):
        return MfaEnrolmentRequired()
    return None


def session_pending(user) -> PermissionDenied | None:
    """What the logged-in session `user` (as OTPMiddleware set it) must still do: show a code
    (enrolled, not yet verified in this session), enrol, or nothing."""
    if user.is_verified():
        return None
    if is_enrolled(user):
        return MfaRequired()
    return enrolment_pending(user)


def get_requirement_for_user(user, pk: int) -> UnitRequirement:
    """A unit requirement the 安全管理员 `user` may lift, else 404."""
    requirement = UnitRequirement.objects.select_related("unit").filter(pk=pk).first()
    if requirement is None or not scope_for(user, "security.manage").contains(requirement.unit):
        raise Http404
    return requirement


def require_resettable(actor, person) -> None:
    """PermissionDenied unless `actor` may reset `person`'s second factor: the 安全管理员, and
    only for a business account (never an administrator's, their own included)."""
    require_perm(actor, "security.manage")
    if roles_of(person) & ADMIN_ROLES:
        raise PermissionDenied(
            _("不能重置管理员账号（系统管理员、安全管理员、审计管理员）的双因素鉴别。")
        )
