"""The task page with its actions along the chain, and the campaign set-up pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import get_task_for_user


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    return render(request, "campaigns/task_detail.html", {"task": task})
