"""Heritage sites, routes and exhibitions are shared reference data: everyone holding
`ledger.view` sees them (404 for anyone else), the campaign office (`ledger.configure`) changes
them. Activities held at a site stay scoped by the ledger's own rules."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from luoshi.org.access import has_perm

from .models import Exhibition, Route, Site


def can_view_heritage(user, obj=None) -> bool:
    return has_perm(user, "ledger.view")


def can_configure_heritage(user) -> bool:
    return has_perm(user, "ledger.configure")


def _check(user, write: bool) -> None:
    if not can_view_heritage(user):
        raise Http404
    if write and not can_configure_heritage(user):
        raise PermissionDenied


def get_site_for_user(user, pk: int, *, write: bool = False) -> Site:
    _check(user, write)
    site = Site.objects.select_related("unit").filter(pk=pk).first()
    if site is None:
        raise Http404
    return site


def get_route_for_user(user, pk: int, *, write: bool = False) -> Route:
    _check(user, write)
    route = Route.objects.select_related("unit").filter(pk=pk).first()
    if route is None:
        raise Http404
    return route


def get_exhibition_for_user(user, pk: int, *, write: bool = False) -> Exhibition:
    _check(user, write)
    exhibition = Exhibition.objects.select_related("site", "unit").filter(pk=pk).first()
    if exhibition is None:
        raise Http404
    return exhibition
