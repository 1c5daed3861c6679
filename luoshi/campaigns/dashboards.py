"""The workbench, the campaign overview and the task lists (with filters and Excel export)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/workbench.html", {})
