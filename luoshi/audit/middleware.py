"""Make the client's address known to the audit log for the length of a request."""

from axes.helpers import get_client_ip_address

from .context import RequestContext, current_request


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = get_client_ip_address(request) or request.META.get("REMOTE_ADDR")
        token = current_request.set(
            RequestContext(ip=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:200])
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
