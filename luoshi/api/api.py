"""The JSON API (django-ninja): the same services and scope rules as the pages.

Every object is looked up through the apps' access helpers (404 outside the caller's scope);
every change goes through a service, which checks the permission (403) and writes the timeline
and the audit log. The exception handlers below turn the services' exceptions into JSON.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from luoshi.lib.busy import RETRY_AFTER_SECONDS, busy_message, is_busy
from luoshi.lib.errors import Conflict

from .auth import SessionAuth, TokenAuth
from .inputs import check_inputs
from .messages import translated

api = NinjaAPI(
    title="luoshi API",
    version="1",
    description=(
        "落实 · 专项行动管理平台的数据接口：单位、人员、专项行动、任务及其轨迹、进度报告和督办单。"
        "以登录会话（修改类请求须带 CSRF 令牌）或个人访问令牌（Authorization: Bearer …）认证。"
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    # Swagger UI from ninja's own static files ("ninja" is an installed app, so nothing comes
    # from a CDN: the intranet has no internet)
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth()],
)
# Texts, integers and dates of every operation are checked once, here (see inputs.py).
api.add_decorator(check_inputs)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("未登录或访问令牌无效、已过期、已撤销。")}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="luoshi"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same words whether the object does not exist or lies outside the caller's scope.
    return api.create_response(
        request, {"detail": _("未找到该对象，或不在您的数据范围内。")}, status=404
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    body = {"detail": str(exc) or _("您没有此项操作的权限。")}
    if code := getattr(exc, "code_name", None):  # e.g. password_change_required
        body["code"] = code
    return api.create_response(request, body, status=403)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _field_errors(exc)
    first = next(iter(errors.values()))[0]
    return api.create_response(request, {"detail": first, "errors": errors}, status=422)


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    """The request does not match the schema (a missing field, a word where a number goes)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = list(error.get("loc", ()))
        if location[:1] in (["body"], ["form"], ["file"]) and len(location) > 2:
            location = location[2:]  # drop the source and the payload parameter's name
        elif location:
            location = location[1:]
        field = ".".join(str(part) for part in location) or "__all__"
        errors.setdefault(field, []).append(translated(error))
    return api.create_response(
        request,
        {
            "detail": _("请求数据格式有误，请检查：%(fields)s") % {"fields": "、".join(errors)},
            "errors": errors,
        },
        status=422,
    )


def _unparsable(request: HttpRequest) -> HttpResponse:
    detail = _("请求内容无法解析：请按接口说明以 UTF-8 编码的 JSON 或表单发送。")
    return api.create_response(
        request, {"detail": detail, "errors": {"__all__": [detail]}}, status=422
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals; its 400 is a body that is not JSON at all, which is answered as
    every other malformed request is (422 with the field errors' shape), in Chinese."""
    if exc.status_code != 400:
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    return _unparsable(request)


@api.exception_handler(MultiPartParserError)
def multipart_unparsable(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A form body that is not multipart at all: the same 422 (not Django's 400 and traceback)."""
    return _unparsable(request)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    """A change refused by the object's current state (an illegal move, a stale edit)."""
    return api.create_response(
        request,
        {"detail": " ".join(exc.messages), "code": exc.code_name, **exc.extra()},
        status=409,
    )


@api.exception_handler(OperationalError)
def busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """SQLite's write lock not had within the busy timeout: 503 `busy`, to retry (lib.busy)."""
    if not is_busy(exc):
        raise exc
    response = api.create_response(request, {"detail": busy_message(), "code": "busy"}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _register_routers() -> None:
    from luoshi.assessment import api as assessment_api
    from luoshi.campaigns import api as campaigns_api
    from luoshi.files import api as files_api
    from luoshi.heritage import api as heritage_api
    from luoshi.learning import api as learning_api
    from luoshi.ledgers import api as ledger_api
    from luoshi.media import api as media_api
    from luoshi.meetings import api as meetings_api
    from luoshi.org import api as org_api
    from luoshi.outreach import api as outreach_api
    from luoshi.rectification import api as rectification_api
    from luoshi.reports import api as reports_api
    from luoshi.study import api as study_api
    from luoshi.volunteering import api as volunteering_api

    api.add_router("/units", org_api.units_router)
    api.add_router("/people", org_api.people_router)
    api.add_router("", campaigns_api.router)  # /campaigns, /tasks, /notices, /workbench
    api.add_router("/files", files_api.router)
    api.add_router("/ledger", ledger_api.router)
    api.add_router("/study", study_api.router)
    api.add_router("/outreach", outreach_api.router)
    api.add_router("/rectification", rectification_api.router)
    api.add_router("/meetings", meetings_api.router)
    api.add_router("/media", media_api.router)
    api.add_router("/heritage", heritage_api.router)
    api.add_router("/learning", learning_api.router)
    api.add_router("/reports", reports_api.router)
    api.add_router("/assessment", assessment_api.router)
    api.add_router("/volunteering", volunteering_api.router)


_register_routers()
