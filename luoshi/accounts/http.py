"""Request types for the type checker.

Django's HttpRequest says request.user may be an AnonymousUser and knows nothing of the
attributes middleware adds. A view behind login_required annotates its request as
AuthenticatedRequest: the user is a real account, and django-htmx's middleware has set
request.htmx.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxRequest(HttpRequest):
    """Any request that passed django-htmx's middleware (every request here)."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A request of a logged-in user (views decorated with login_required)."""

    user: User
