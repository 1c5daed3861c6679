"""Check-in: type or scan the six-digit code."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from luoshi.accounts.http import AuthenticatedRequest

from .. import forms as f
from .. import services


@login_required
def checkin(request: AuthenticatedRequest) -> HttpResponse:
    """Type or scan the six-digit code; one tap checks the logged-in person in."""
    form = f.CheckinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            activity, created = services.check_in(
                actor=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error.messages)
        else:
            # the page shows the result itself, large, for a phone held at arm's length
            result = {"title": activity.title, "created": created}
    return render(request, "ledgers/checkin.html", {"form": form, "result": result})
