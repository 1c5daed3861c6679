"""Every API operation's input, checked once after its schema has parsed it (`api.add_decorator`).

The apps' schemas say which fields there are and of what type; what may not reach a service or
a query, whatever the schema, is refused here for all of them alike, with a 422 naming the field:
- a text (query, path or body, at any depth) is normalised by lib.text.clean_text (NFC, trimmed
  including full-width spaces) and refused with a control character, a lone surrogate or a bidi
  override; a required text that is empty once trimmed is refused;
- an integer outside the database's range (lib.params), a page number outside 1 … MAX_PAGE;
- a date or date-time outside 1900–2100, and a range whose end comes before its start (the pairs
  named by lib.params.range_pairs: from/to, date_from/date_to, starts_on/ends_on, …).
"""

import datetime
import enum
import functools
import inspect
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as RequestInvalid
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from luoshi.lib.params import DateRange, date_error, int_error, range_pairs
from luoshi.lib.text import clean_text

Location = tuple[str | int, ...]


class _Checker:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def fail(self, loc: Location, message: str) -> None:
        field = next(part for part in reversed(loc) if isinstance(part, str))
        self.errors.append({"loc": loc, "msg": f"{field}：{message}", "type": "value_error"})

    def value(self, value: Any, loc: Location, *, required: bool) -> Any:
        """`value` checked (texts normalised); errors collected at `loc`."""
        if value is None or isinstance(value, bool | enum.Enum):
            return value
        if isinstance(value, int):
            if message := int_error(value, page=loc[-1] == "page"):
                self.fail(loc, message)
            return value
        if isinstance(value, str):
            return self.text(value, loc, required=required)
        if isinstance(value, datetime.date):
            if message := date_error(value):
                self.fail(loc, message)
            return value
        if isinstance(value, BaseModel):
            return self.model(value, loc)
        if isinstance(value, list | tuple):
            items = [self.value(item, (*loc, i), required=False) for i, item in enumerate(value)]
            return type(value)(items)
        if isinstance(value, dict):
            return {
                key: self.value(item, (*loc, key), required=False) for key, item in value.items()
            }
        return value

    def text(self, value: str, loc: Location, *, required: bool) -> str:
        try:
            text = clean_text(value, multiline=True)
        except ValidationError as error:
            self.fail(loc, error.messages[0])
            return value
        if required and not text:
            self.fail(loc, _("不能为空（仅含空格也视为空）。"))
        return text

    def model(self, model: BaseModel, loc: Location) -> BaseModel:
        fields = type(model).model_fields
        for name, field in fields.items():
            current = getattr(model, name)
            key = field.alias or name
            checked = self.value(current, (*loc, key), required=field.is_required())
            if checked is not current:
                setattr(model, name, checked)
        if loc == ("query",):  # a body's ranges are its service's, with all its other errors
            values = {field.alias or name: getattr(model, name) for name, field in fields.items()}
            self.ranges(values, loc)
        return model

    def ranges(self, values: dict[str, Any], loc: Location) -> None:
        for start, end in range_pairs(list(values)):
            first, last = values[start], values[end]
            if not isinstance(first, datetime.date) or not isinstance(last, datetime.date):
                continue
            if message := DateRange(first, last).error():
                self.fail((*loc, end), f"{message}（{start} → {end}）")


def _required(parameter: inspect.Parameter) -> bool:
    default = parameter.default
    if default is inspect.Parameter.empty:
        return True
    return getattr(default, "default", None) in (Ellipsis, PydanticUndefined)


def check_inputs(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """The operation's view, called only with inputs that pass the checks above."""
    parameters = inspect.signature(view_func).parameters

    @functools.wraps(view_func)
    def checked(request: HttpRequest, *args: Any, **values: Any) -> Any:
        checker = _Checker()
        path = request.resolver_match.kwargs if request.resolver_match else {}
        for name, value in values.items():
            if isinstance(value, BaseModel):
                # A body schema is reported as ninja reports it (body.<param>.<field>); a query
                # schema's fields are flat query parameters.
                loc: Location = ("query",) if request.method == "GET" else ("body", name)
                checker.model(value, loc)
                continue
            parameter = parameters.get(name)
            required = parameter is not None and _required(parameter)
            source = "path" if name in path else "query"
            values[name] = checker.value(value, (source, name), required=required)
        checker.ranges(values, ("query",))
        if checker.errors:
            raise RequestInvalid(checker.errors)
        return view_func(request, *args, **values)

    return checked
