"""URL map for the report tests: the project's own, with the learning report pages and API
mounted where urls.py / api.py do not (yet) include them — the import half of issue 4 owns
those files and is built at the same time. Once both include urls_reports and api_reports this
map is the project's unchanged. No tests here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, include, path, resolve, reverse
from ninja import NinjaAPI

from luoshi import urls as project
from luoshi.api.auth import SessionAuth, TokenAuth
from luoshi.learning import api_reports, urls_reports


def _pages_included() -> bool:
    try:
        reverse("learning:summary", urlconf="luoshi.urls")
    except NoReverseMatch:
        return False
    return True


def _api_included() -> bool:
    try:
        resolve("/api/learning/summaries", urlconf="luoshi.urls")
    except Resolver404:
        return False
    return True


def _test_api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace="learning-reports-test", auth=[TokenAuth(), SessionAuth()],
                   docs_url=None, openapi_url=None)  # fmt: skip

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "not found"}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=403)

    api.add_router("/", api_reports.router)
    return api


urlpatterns = list(project.urlpatterns)
if not _pages_included():
    from luoshi.learning import urls as learning_urls

    patterns = [*learning_urls.urlpatterns, *urls_reports.urlpatterns]
    urlpatterns.insert(0, path("learning/", include((patterns, "learning"))))  # type: ignore[arg-type]
if not _api_included():
    urlpatterns.insert(0, path("api/learning/", _test_api().urls))
