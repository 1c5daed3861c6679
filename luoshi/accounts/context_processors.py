"""What the base template needs on every page: the menu for the user's roles, unread count."""

from typing import cast

from django.conf import settings
from django.http import HttpRequest

from luoshi.org.access import has_perm, scope_for

from .models import User


def navigation(request: HttpRequest) -> dict[str, object]:
    """Computed once per request and kept on it: a page that renders partials with the request
    (htmx fragments, included forms) asks again for each, and the unread count is a query."""
    cached = getattr(request, "_luoshi_navigation", None)
    if cached is None:
        cached = request._luoshi_navigation = _navigation(request)  # type: ignore[attr-defined]
    return cached


def _navigation(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {"site_name": settings.SITE_NAME}
    if not getattr(request.user, "is_authenticated", False):
        return context
    user = cast(User, request.user)  # authenticated, so an account rather than AnonymousUser
    context["nav"] = {
        "tasks": has_perm(user, "task.view") or user.owned_tasks.exists(),
        "campaign_manage": has_perm(user, "campaign.manage"),
        "org": has_perm(user, "unit.view"),
        "org_manage": has_perm(user, "unit.manage"),
        "roles": has_perm(user, "role.manage"),
        "audit": has_perm(user, "audit.view"),
        "calendar": has_perm(user, "calendar.manage"),
        "ledger": has_perm(user, "ledger.view"),
        "ledger_record": has_perm(user, "ledger.record"),
        "ledger_configure": has_perm(user, "ledger.configure"),
        # pages over units (briefings, rankings) need a unit in reach, not only one's own records
        "briefing": scope_for(user, "ledger.view").covers_units(),
        "learning": has_perm(user, "learning.view"),
        "ranking": scope_for(user, "learning.view").covers_units(),
        "learning_import": has_perm(user, "learning.import"),
        "learning_configure": has_perm(user, "learning.configure"),
        "volunteer": any(
            has_perm(user, perm)
            for perm in ("volunteer.join", "volunteer.view", "volunteer.manage")
        ),
        "volunteer_view": has_perm(user, "volunteer.view"),
        "volunteer_manage": has_perm(user, "volunteer.manage"),
        "volunteer_centre": has_perm(user, "volunteer.centre"),
        "assessment": any(
            has_perm(user, perm)
            for perm in ("assessment.view", "assessment.manage", "assessment.self")
        ),
    }
    context["unread_count"] = user.notifications.unread().count()
    return context
