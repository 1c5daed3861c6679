"""The health check (`/healthz`): the database answers a `SELECT 1` and the queue answers.

`HealthCheckMiddleware` stands first in MIDDLEWARE and answers `/healthz` itself, so that a load
balancer's probe costs one query and one queue round trip — no session, no user, no CSRF, no
other middleware.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from huey.contrib.djhuey import HUEY

PATH = "/healthz"


def _ping_queue() -> None:
    """One round trip to the queue: its size (LLEN on Redis, a COUNT on SqliteHuey's file)."""
    HUEY.storage.queue_size()


def health() -> JsonResponse:
    """200 when the database and the queue answer, 503 with the failing part otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; say which
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        _ping_queue()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers GET/HEAD `/healthz` before any other middleware runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return health()
        return self.get_response(request)
