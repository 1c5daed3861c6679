"""Until the second factor is done, the session can do nothing else.

After the password step (and after accounts' PasswordPolicyMiddleware, so a due password change
comes first), a session whose account has an authenticator but has not shown a code in this
session is sent to the verify page, and one whose account must enrol but has not is sent to
the enrolment page; the API answers 403 with the code `mfa_required` or
`mfa_enrolment_required`. Tokens of an account that must enrol are refused in the API kit's
TokenAuth through accounts' pending checks (see apps.py).
"""

from functools import cache
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from luoshi.accounts.access import password_expired

from .access import MfaRequired, session_pending

EXEMPT_PREFIXES = ("/static/", "/healthz", "/i18n/")
ALWAYS_OPEN = ("accounts:logout", "accounts:login")
VERIFY_OPEN = (*ALWAYS_OPEN, "mfa:verify")
ENROL_OPEN = (*ALWAYS_OPEN, "mfa:enrol")


@cache
def _paths(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


class MfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        if request.path == reverse("accounts:password-change") and password_expired(user):
            return self.get_response(request)  # the password first: accounts' middleware
        pending = session_pending(user)
        if pending is None:
            return self.get_response(request)
        verifying = isinstance(pending, MfaRequired)
        if request.path in _paths(VERIFY_OPEN if verifying else ENROL_OPEN):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(pending), "code": pending.code_name}, status=403)
        if not verifying:
            return redirect("mfa:enrol")
        target = reverse("mfa:verify")
        if request.method == "GET" and not request.htmx:
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
