"""Project-level views: the landing redirect, the health check and the error pages."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy

from luoshi.accounts.selectors import console_url
from luoshi.ops.health import health


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the login page, an administrator's own console, else the workbench."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(console_url(request.user) or reverse("campaigns:workbench"))


def healthz(request: HttpRequest) -> JsonResponse:
    """The health check; `ops.health.HealthCheckMiddleware` answers it before this view runs."""
    return health()


# --- Error pages -----------------------------------------------------------------------------------
# Every error a person can meet in the pages is a luoshi page in the UI language, with the menu,
# the reason the service gave where there is one, and a way back. The API keeps its JSON errors
# (luoshi/api): these handlers answer only outside /api/.

ERROR_TITLES = {
    400: gettext_lazy("请求有误"),
    403: gettext_lazy("没有权限"),
    404: gettext_lazy("页面不存在"),
    405: gettext_lazy("不能这样打开此页面"),
    500: gettext_lazy("系统出错了"),
}
ERROR_HINTS = {
    400: gettext_lazy("提交的内容无法处理，请返回后重试。"),
    403: gettext_lazy("您没有打开此页面或执行此操作的权限。"),
    404: gettext_lazy("您要找的页面不存在，或不在您的查看范围内。"),
    405: gettext_lazy("此地址只接受表单提交，请从页面上的按钮操作。"),
    500: gettext_lazy("处理请求时出错，已记录在系统日志中。请稍后重试，或联系系统管理员。"),
}


def _reason(exception) -> str:
    """The service's own words (PermissionDenied("稿件由单位联络员登记。")), if it gave any."""
    if exception is None:
        return ""
    message = exception.args[0] if getattr(exception, "args", None) else ""
    return message if isinstance(message, str) else ""


def _back_url(request: HttpRequest) -> str:
    """Where "返回" leads: the page the person came from on this site, else the workbench."""
    referer = request.META.get("HTTP_REFERER", "")
    if (
        referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and referer != request.build_absolute_uri()
    ):
        return referer
    return reverse("home")


def error_page(request: HttpRequest, status: int, reason: str = "") -> HttpResponse:
    """The page of an error `status`, with the menu when it can be drawn (a 500 whose cause is
    the database falls back to the same page without it)."""
    context = {
        "status": status,
        "title": ERROR_TITLES.get(status, ERROR_TITLES[400]),
        "hint": ERROR_HINTS.get(status, ERROR_HINTS[400]),
        "reason": reason,
        "back_url": _back_url(request),
        "home_url": reverse("home"),
    }
    try:
        return render(request, "error.html", context, status=status)
    except Exception:  # noqa: BLE001 — the error page must not fail in turn
        logging.getLogger(__name__).exception("error page %s could not be drawn in full", status)
        return render(request, "error_bare.html", context, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 403, _reason(exception))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an expired or missing CSRF token (a page left open overnight)."""
    return error_page(request, 403, gettext("页面已过期或会话已更新，请返回上一页刷新后重新提交。"))
