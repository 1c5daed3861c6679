"""Who is calling: a personal access token (Authorization: Bearer ls_…) or the browser session.

Token requests carry no cookies, so they need no CSRF token; session requests that change
something must carry Django's CSRF token like any form would.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from luoshi.accounts.access import pending_requirement
from luoshi.accounts.backends import AccessTokenBackend
from luoshi.accounts.models import User
from luoshi.accounts.services import record_token_failed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """A personal access token, checked by accounts.backends.AccessTokenBackend.

    The backend is called directly rather than through django.contrib.auth.authenticate: there
    the login lockout (django-axes, by account and address) would count every bad token against
    the address with no account, so five bad tokens from a shared office address would lock
    every valid token behind it out. Guessing a 256-bit secret needs no lockout; a failed
    attempt is written to the audit log instead (with the first characters only, never the
    secret).
    """

    def authenticate(self, request: HttpRequest, token: str):
        user = AccessTokenBackend().authenticate(request, token=token)
        if user is None:
            record_token_failed(token=token, path=request.path)
            return None
        if (pending := pending_requirement(user)) is not None:
            # The account's tokens wait, like its session, until the password is changed (or
            # a second factor enrolled).
            raise pending
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check runs in `authenticate`, only for a logged-in session: a caller with no
        # credentials at all should hear 401, not a CSRF complaint.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试，或改用访问令牌。"))
        return user


def current_user(request: HttpRequest) -> User:
    """The caller, as TokenAuth or SessionAuth authenticated them (ninja's `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]
