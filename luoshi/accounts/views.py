"""Login, logout, password change, the profile with personal access tokens, and notifications."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.org.access import get_person_for_user, has_perm
from luoshi.org.models import RoleGrant

from . import selectors, services
from .access import account_refusal, admin_networks, password_expired
from .forms import LoginForm, PasswordChangeForm, TokenForm, UnlockForm
from .models import LoginSession, User


@method_decorator(transaction.atomic, name="post")
class LoginView(auth_views.LoginView):
    """The login and its audit record (or the failed attempt's) commit together."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "address_throttled"):
            response.status_code = 429  # the address used up its failure budget
        return response

    def get_context_data(self, **kwargs):
        # Django's LoginView would name the site after the request's host.
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}


@method_decorator(transaction.atomic, name="post")
class LogoutView(auth_views.LogoutView):
    pass


@login_required
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key or ""
        services.change_password(
            actor=user,
            new_password=form.cleaned_data["new_password1"],
            current_session_key=old_key,
        )
        update_session_auth_hash(request, user)  # gives the session a new key
        services.rekey_session(old_key=old_key, new_key=request.session.session_key or "")
        messages.success(request, _("密码已修改。"))
        return redirect("home")
    reason = ""
    if request.GET.get("expired") and password_expired(user):
        reason = "first" if user.must_change_password else "age"
    context = {"form": form, "reason": reason, "password_max_age": settings.PASSWORD_MAX_AGE_DAYS}
    return render(request, "accounts/password_change.html", context)


def _profile(request: AuthenticatedRequest, **extra: object) -> HttpResponse:
    user = request.user
    context = {
        "memberships": user.memberships.select_related("unit").order_by("-is_primary", "id"),
        "grants": RoleGrant.objects.filter(person=user)
        .select_related("unit")
        .prefetch_related("custom_units")
        .order_by("role", "unit__path"),
        "tokens": user.access_tokens.order_by("revoked_at", "-created_at"),
        "session_count": selectors.sessions_of(user, user).count(),
        "token_form": TokenForm(),
        "can_manage_security": has_perm(user, "security.manage"),
        **extra,
    }
    return render(request, "accounts/profile.html", context)


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    return _profile(request)


@never_cache
@login_required
@require_POST
def token_create(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.create_token(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The secret is shown in this response only; it is stored nowhere but as a hash.
            return _profile(request, new_token=token, new_secret=secret)
    return _profile(request, token_form=form)


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(request.user.access_tokens, pk=pk)
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("accounts:profile")


@login_required
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "unread"
    notes = request.user.notifications.all()
    if show == "unread":
        notes = notes.unread()
    # Unread first, newest first within each group.
    notes = notes.order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")[:200]
    return render(request, "accounts/notifications.html", {"notes": notes, "show": show})


@login_required
@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(request.user.notifications, pk=pk)
    services.mark_read(actor=request.user, notification=note)
    note.refresh_from_db(fields=["read_at"])
    if request.POST.get("open") and _is_safe(request, note.url):
        return redirect(note.url)
    if request.htmx:
        return render(request, "accounts/notifications.html#note", {"note": note})
    return redirect(request.POST.get("next") or "accounts:notifications")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = services.mark_read(actor=request.user)
    messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return redirect("accounts:notifications")


@login_required
@require_POST
def first_steps_dismiss(request: AuthenticatedRequest) -> HttpResponse:
    """Close the first-steps card for good (for this person only: it takes no id)."""
    services.dismiss_first_steps(actor=request.user)
    if request.htmx:
        return HttpResponse("")
    next_url = request.POST.get("next", "")
    return redirect(
        next_url if _is_safe(request, next_url) else selectors.landing_url(request.user)
    )


@login_required
def lockout_list(request: AuthenticatedRequest) -> HttpResponse:
    lockouts = selectors.current_lockouts(request.user)
    context = {
        "lockouts": lockouts,
        "addresses": selectors.throttled_addresses(request.user),
        "address_limit": settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT,
        "admin_networks": [str(network) for network in admin_networks()],
    }
    return render(request, "accounts/lockouts.html", context)


@login_required
@require_POST
def lockout_release(request: AuthenticatedRequest) -> HttpResponse:
    selectors.current_lockouts(request.user)  # 404 for everyone but the security admin
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("解除锁定的请求不完整，请刷新页面后重试。"))
        return redirect("accounts:lockout-list")
    try:
        services.unlock_account(actor=request.user, **form.cleaned_data)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("已解除账号“%(username)s”的锁定。") % {"username": form.cleaned_data["username"]},
        )
    return redirect("accounts:lockout-list")


def _is_safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


# --- Sessions --------------------------------------------------------------------------------


@login_required
def session_list(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own active sessions, each of which they may end."""
    context = {
        "sessions": selectors.sessions_of(request.user, request.user),
        "current_hash": LoginSession.hash(request.session.session_key or ""),
        "max_hours": f"{settings.LUOSHI_SESSION_MAX_HOURS:g}",  # 12, not 12.0
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def session_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    login_session = get_object_or_404(request.user.login_sessions, pk=pk)
    services.end_session(actor=request.user, login_session=login_session)
    messages.success(request, _("会话已结束。"))
    return redirect("accounts:session-list")


def _person_for_security(request: AuthenticatedRequest, pk: int) -> User:
    """A person in the 安全管理员's scope (404 for everyone else)."""
    if not has_perm(request.user, "security.manage"):
        raise Http404
    return get_person_for_user(request.user, pk)


@login_required
def person_security(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The 安全管理员's view of one person's sessions and tokens (not another administrator's)."""
    person = _person_for_security(request, pk)
    refusal = account_refusal(request.user, person, "sessions")
    context = {
        "person": person,
        "refusal": refusal,
        "sessions": [] if refusal else selectors.sessions_of(request.user, person),
        "tokens": [] if refusal else selectors.tokens_of(request.user, person),
    }
    return render(request, "accounts/person_security.html", context, status=403 if refusal else 200)


@login_required
@require_POST
def person_sessions_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _person_for_security(request, pk)
    count = services.end_sessions(actor=request.user, person=person)
    messages.success(
        request, _("已结束 %(person)s 的 %(n)d 个会话。") % {"person": person, "n": count}
    )
    return redirect("accounts:person-security", pk=person.pk)


@login_required
@require_POST
def person_token_revoke(request: AuthenticatedRequest, pk: int, token_pk: int) -> HttpResponse:
    person = _person_for_security(request, pk)
    token = get_object_or_404(selectors.tokens_of(request.user, person), pk=token_pk)
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("accounts:person-security", pk=person.pk)
