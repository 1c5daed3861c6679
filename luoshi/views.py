"""Project-level views: the landing redirect and the health check."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from luoshi.ops.health import health


def home(request: HttpRequest) -> HttpResponse:
    return redirect("campaigns:workbench" if request.user.is_authenticated else "accounts:login")


def healthz(request: HttpRequest) -> JsonResponse:
    """The health check; `ops.health.HealthCheckMiddleware` answers it before this view runs."""
    return health()
