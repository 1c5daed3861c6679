"""The error pages' wiring beyond Django's handlers: a 405 drawn as a luoshi page, and expected
403/404s logged as one line.

Django's handlers (luoshi/urls.py → luoshi.views) draw the pages of raised errors. A 405 is not
raised: `require_POST` returns a bare `HttpResponseNotAllowed`, so `ErrorPageMiddleware` draws
the page for it (outside the API, which answers JSON). Django logs every 403 and 404 on
`django.request` with the exception's traceback; `ExpectedErrorFilter` keeps the line and drops
the traceback for those — a refused or missing page is expected, not a fault.
"""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed


class ErrorPageMiddleware:
    """A bare 405 of a page becomes the luoshi error page (with the Allow header kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not request.path.startswith("/api/"):
            from luoshi.views import error_page

            page = error_page(request, 405)
            page["Allow"] = response["Allow"]
            return page
        return response


class ExpectedErrorFilter(logging.Filter):
    """On `django.request`: a 403, 404 or 405 is logged as its one line, without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404, 405):
            record.exc_info = None
            record.exc_text = None
        return True
