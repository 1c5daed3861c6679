"""A database too busy to take a write, answered as such instead of with a 500.

SQLite has one writer at a time. A write waits for the lock up to the busy timeout
(`LUOSHI_SQLITE_BUSY_TIMEOUT`, 20 s by default; IMMEDIATE transactions take the lock at BEGIN)
and then fails with `OperationalError: database is locked` ("database table is locked" for the
test suite's shared in-memory database). That is not a fault of the request: the person gets a
"系统繁忙，请稍后重试" page with status 503 and `Retry-After`, the API a 503 with code `busy`
(luoshi.api). Any other OperationalError stays a 500.

The page is plain HTML written here: rendering the site's templates could need the very
database that is busy.
"""

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

BUSY_MESSAGES = ("database is locked", "database table is locked")
RETRY_AFTER_SECONDS = 5


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite giving up on the write lock after its busy timeout."""
    return isinstance(exc, OperationalError) and str(exc).strip().lower().startswith(BUSY_MESSAGES)


def busy_message() -> str:
    return _("系统繁忙，请稍后重试。")


def busy_page() -> HttpResponse:
    """The 503 page: what happened, that nothing was saved, when to try again."""
    body = format_html(
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{title}</title></head>"
        '<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">'
        "<h1>{title}</h1><p>{detail}</p>"
        '<p><a href="javascript:history.back()">{back}</a></p></body></html>',
        title=busy_message(),
        detail=_("当前有其他操作正在写入数据，本次操作未保存。请稍等片刻后重新提交。"),
        back=_("返回上一页"),
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyDatabaseMiddleware:
    """Turn a view's "database is locked" into the 503 busy page (API views answer their own,
    in JSON, through the API kit's exception handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_busy(exception):
            return busy_page()
        return None
