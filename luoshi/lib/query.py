"""The pages' GET parameters, bounded once for every page (the API checks its own: api/inputs.py).

A page reads its filters from the query string (lib.params); what no filter may pass on to a
query — a number too large for the database, a page number out of range, a date outside
1900–2100, an end date before its start date, a control character — is taken out of the query
string here, and the page is shown again without it and with a message saying which filter was
dropped and why. So a hand-edited address never ends in a 500, and the person sees what
happened instead of a silently different list.
"""

import contextlib
import datetime
import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from .params import DateRange, date_error, int_error, range_pairs
from .text import clean_text

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WHOLE_NUMBER = re.compile(r"^-?\d+$")
# Free-text filters: a long string of digits there is a search word, not an id.
TEXT_KEYS = frozenset({"q", "search", "keyword", "value"})


def query_problems(query: dict[str, list[str]]) -> dict[str, str]:
    """{parameter: why it cannot be used} for a page's GET parameters."""
    problems: dict[str, str] = {}
    dates: dict[str, datetime.date] = {}
    for key, values in query.items():
        for value in values:
            if message := _value_problem(key, value):
                problems[key] = message
                break
        else:
            if len(values) == 1 and ISO_DATE.match(values[0]):
                with contextlib.suppress(ValueError):  # not a date: the page ignores it
                    dates[key] = datetime.date.fromisoformat(values[0])
    for start, end in range_pairs(list(dates)):
        if end not in problems and (message := DateRange(dates[start], dates[end]).error()):
            problems[end] = message
            problems.setdefault(start, message)  # neither end alone is what was meant
    return problems


def _value_problem(key: str, value: str) -> str | None:
    try:
        clean_text(value, multiline=True)
    except ValidationError as error:
        return error.messages[0]
    if key in TEXT_KEYS:
        return None
    if WHOLE_NUMBER.match(value) and len(value) < 4300:  # Python's own limit on int("…")
        return int_error(int(value), page=key == "page")
    if WHOLE_NUMBER.match(value):
        return int_error(2**64)
    if ISO_DATE.match(value):
        try:
            return date_error(datetime.date.fromisoformat(value))
        except ValueError:
            return None
    return None


class QueryBoundsMiddleware:
    """A page's GET with an unusable parameter is redirected to the same page without it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not request.path.startswith("/api/"):
            query = {key: request.GET.getlist(key) for key in request.GET}
            if problems := query_problems(query):
                for key, message in problems.items():
                    messages.error(
                        request,
                        _("查询条件“%(key)s”未采用：%(message)s")
                        % {"key": key, "message": message},
                    )
                kept = [
                    (key, value)
                    for key, values in query.items()
                    if key not in problems
                    for value in values
                ]
                return HttpResponseRedirect(request.path + ("?" + urlencode(kept) if kept else ""))
        return self.get_response(request)
