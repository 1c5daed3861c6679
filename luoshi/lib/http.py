"""Small helpers for reading requests (no app's models: see luoshi.accounts.http for the typed
request of a logged-in user)."""

from django.http import HttpRequest


def wants_xlsx(request: HttpRequest) -> bool:
    """The list page was asked for its Excel export (?export=xlsx)."""
    return request.GET.get("export") == "xlsx"
