"""Project-level views: the landing redirect and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from huey.contrib.djhuey import HUEY


def home(request: HttpRequest) -> HttpResponse:
    return redirect("campaigns:workbench" if request.user.is_authenticated else "accounts:login")


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the queue answer, 503 with the failing part otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; say which
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        HUEY.storage.queue_size()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
