"""一月一主题 pages: the themes of a year, a theme with its prescribed actions and each unit's
counted progress (the page counts again before it shows), adding and issuing actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.forms import add_service_errors
from luoshi.lib.params import parse_int
from luoshi.org.access import require_perm

from .. import forms as f
from .. import selectors, services
from ..access import get_theme_for_user, is_centre, require_use, visible_themes


@login_required
def theme_list(request: AuthenticatedRequest) -> HttpResponse:
    require_use(request.user)
    year = parse_int(request.GET.get("year")) or timezone.localdate().year
    themes = visible_themes(request.user).filter(year=year).prefetch_related("actions")
    return render(
        request,
        "volunteering/theme_list.html",
        {
            "year": year,
            "themes": sorted(themes, key=lambda t: t.month),
            "may_create": is_centre(request.user),
        },
    )


@login_required
def theme_create(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "volunteer.centre")
    today = timezone.localdate()
    form = f.ThemeForm(
        request.POST or None, user=request.user, initial={"year": today.year, "month": today.month}
    )
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.create_theme(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已设置%(theme)s。") % {"theme": theme})
            return redirect("volunteering:theme-detail", theme.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("设置月度主题")})


@login_required
def theme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    theme = get_theme_for_user(request.user, pk)
    participating = {unit.pk for unit in services.participating_units()}
    remaining = {}
    for action in theme.actions.select_related("plan_task"):
        services.sync_action_progress(action)
        issued = set()
        if action.plan_task is not None:
            issued = set(action.plan_task.children.alive().values_list("unit_id", flat=True))
        remaining[action.pk] = len(participating - issued)
    return render(
        request,
        "volunteering/theme_detail.html",
        {
            "theme": theme,
            "actions": selectors.action_progress(request.user, theme),
            "may_manage": is_centre(request.user),
            "activities": selectors.theme_activities(theme)[:50],
            "remaining_keys": [pk for pk, left in remaining.items() if left],
        },
    )


@login_required
def action_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    theme = get_theme_for_user(request.user, pk, write=True)
    form = f.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_action(actor=request.user, theme=theme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加规定动作，请下发给参与单位。"))
            return redirect("volunteering:theme-detail", theme.pk)
    title = _("添加规定动作：%(theme)s") % {"theme": theme}
    return render(request, "volunteering/form.html", {"form": form, "title": title})


@login_required
@require_POST
def action_issue(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    theme = get_theme_for_user(request.user, pk, write=True)
    action = get_object_or_404(theme.actions, pk=action_pk)
    try:
        tasks = services.issue_action(actor=request.user, action=action)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已下发给 %(n)d 个单位。") % {"n": len(tasks)})
    return redirect("volunteering:theme-detail", theme.pk)
