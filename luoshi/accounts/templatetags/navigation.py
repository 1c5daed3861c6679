"""The menu bar of base.html, rendered once per process for each language and menu."""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = Library()

_MENUS: dict[tuple, SafeString] = {}
MAX_MENUS = 256  # languages × distinct sets of nav flags; a handful in practice


@register.simple_tag(takes_context=True)
def main_menu(context) -> SafeString:
    """The menu's links for the user's roles (`nav` from the navigation context processor).

    They are the same for every page and for everyone with the same menu: some 40 URLs reversed
    and 40 words translated, a fifth of an empty page's rendering. So the HTML is kept per
    language, URL prefix and conf, and the nav flags — everything main_menu.html reads — and
    rendered again only for a combination not seen yet (always under DEBUG, where templates
    change on disk).
    """
    nav = context.get("nav") or {}
    key = (
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        tuple(sorted(nav.items())),
    )
    html = _MENUS.get(key)
    if html is None or settings.DEBUG:
        html = mark_safe(render_to_string("main_menu.html", {"nav": nav}).strip())
        if len(_MENUS) >= MAX_MENUS:
            _MENUS.clear()
        _MENUS[key] = html
    return html


@receiver(setting_changed)
def _forget_menus(**kwargs) -> None:
    """Tests change URLs, languages and templates through settings: start afresh."""
    _MENUS.clear()
