"""点单 pages behind the login: the orders (the centre: all; a team's unit: those dispatched to
its teams), one order with the move each reader may make, entering an order for a resident."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import require_perm

from .. import exports, selectors
from .. import forms as f
from ..access import can_handle_order, get_order_for_user, is_centre, require_use
from ..models import ServiceOrder
from ..services import orders as moves


@login_required
def order_list(request: AuthenticatedRequest) -> HttpResponse:
    require_use(request.user)
    status = request.GET.get("status", "")
    found = selectors.order_list(request.user, status=status)
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="volunteering.serviceorder",
            title=_("群众点单"),
            headers=exports.order_headers(),
            rows=exports.order_rows(found),
            filters=[_("状态：%(s)s") % {"s": ServiceOrder.Status(status).label}]
            if status in ServiceOrder.Status.values
            else [],
        )
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/order_list.html",
        {
            "page": page,
            "orders": list(page.object_list),
            "status": status,
            "statuses": ServiceOrder.Status.choices,
            "query": f"status={status}" if status else "",
            "may_enter": is_centre(request.user),
        },
    )


@login_required
def order_enter(request: AuthenticatedRequest) -> HttpResponse:
    """A community worker (the centre, a liaison) enters a resident's order for them."""
    require_perm(request.user, "volunteer.manage")
    form = f.OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = moves.place_order(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已代录点单，编号 %(code)s。") % {"code": order.code})
            return redirect("volunteering:order-detail", order.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("代群众点单")})


@login_required
def order_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request.user, pk)
    centre = is_centre(request.user)
    unit_side = can_handle_order(request.user, order)
    context = {
        "order": order,
        "centre": centre,
        "unit_side": unit_side,
        "identity": centre or unit_side,
        "activities": list(order.activities.select_related("activity")),
    }
    if centre and order.status == ServiceOrder.Status.SUBMITTED:
        context["review_form"] = f.ReviewForm()
    if centre and order.status == ServiceOrder.Status.ACCEPTED:
        context["dispatch_form"] = f.DispatchForm(user=request.user)
    if unit_side and order.status == ServiceOrder.Status.DISPATCHED:
        context["hand_back_form"] = f.HandBackForm()
    if unit_side and order.status == ServiceOrder.Status.TAKEN:
        context["close_form"] = f.CloseOrderForm(order=order)
    return render(request, "volunteering/order_detail.html", context)


def _done(request, order, error: ValidationError | None, success: str) -> HttpResponse:
    if error is not None:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("volunteering:order-detail", order.pk)


@login_required
@require_POST
def order_move(request: AuthenticatedRequest, pk: int, move: str) -> HttpResponse:
    """One move on an order: review, dispatch, take, hand back, close."""
    order = get_order_for_user(request.user, pk)
    user = request.user
    try:
        if move == "review":
            review = f.ReviewForm(request.POST)
            if not review.is_valid():
                raise ValidationError([e for errs in review.errors.values() for e in errs])
            moves.review_order(actor=user, order=order, **review.cleaned_data)
        elif move == "dispatch":
            dispatch = f.DispatchForm(request.POST, user=user)
            if not dispatch.is_valid():
                raise ValidationError([e for errs in dispatch.errors.values() for e in errs])
            moves.dispatch_order(actor=user, order=order, **dispatch.cleaned_data)
        elif move == "take":
            moves.take_order(actor=user, order=order)
        elif move == "hand-back":
            moves.hand_back_order(actor=user, order=order, reason=request.POST.get("reason", ""))
        elif move == "close":
            closing = f.CloseOrderForm(request.POST, order=order)
            if not closing.is_valid():
                raise ValidationError([e for errs in closing.errors.values() for e in errs])
            moves.close_order(actor=user, order=order, service=closing.cleaned_data["service"])
        else:
            from django.http import Http404

            raise Http404
    except ValidationError as error:
        return _done(request, order, error, "")
    return _done(request, order, None, _("已办理。"))
