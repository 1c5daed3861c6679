"""The bare project's one URL (bench/bare_settings.py): any path answers the same small page."""

from django.http import HttpRequest, HttpResponse
from django.urls import re_path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [re_path(r"^", bare)]
