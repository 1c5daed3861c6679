"""Personal access tokens for the JSON API (Authorization: Bearer ls_…)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from .access import require_admin_address
from .middleware import client_ip
from .models import AccessToken, User


class AccessTokenBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        *,
        token: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # username and password keep the signature of ModelBackend's; only a token logs in here.
        if not token:
            return None
        now = timezone.now()
        access = (
            AccessToken.objects.select_related("user")
            .filter(token_hash=AccessToken.hash(token), revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if access is None or not self.user_can_authenticate(access.user):
            return None
        if access.user.deleted_at is not None:
            return None
        # An admin account's token works only from the admin networks (403, not "invalid").
        require_admin_address(access.user, client_ip(request) if request is not None else None)
        AccessToken.objects.filter(pk=access.pk).update(last_used_at=now)
        return access.user
