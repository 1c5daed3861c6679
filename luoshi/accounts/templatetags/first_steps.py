"""`{% first_steps_card %}`: the first-steps card on the page a person lands on (the workbench,
or an administrator's console) until they dismiss it. Rendered from base.html, so that it follows
the landing page wherever that is; it costs nothing once dismissed."""

from django import template
from django.template.loader import render_to_string

from luoshi.accounts.selectors import first_steps, landing_url

register = template.Library()


@register.simple_tag(takes_context=True)
def first_steps_card(context: template.Context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    user = request.user
    if user.first_steps_dismissed_at is not None or request.path != landing_url(user):
        return ""
    card = first_steps(user, context.get("nav") or {})
    if card is None:
        return ""
    return render_to_string("accounts/_first_steps.html", {"card": card}, request=request)
