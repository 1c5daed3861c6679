"""The request behind a service call (address, user agent), for the audit log."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""


current_request: ContextVar[RequestContext] = ContextVar("luoshi_request", default=RequestContext())  # noqa: B039 (frozen)
