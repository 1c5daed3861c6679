from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    """Heritage (红色资源): sites, routes and exhibitions; activities held at a site are counted per site."""

    name = "luoshi.heritage"
    label = "heritage"
    verbose_name = _("红色资源")

    def ready(self) -> None:
        from luoshi.files.access import register

        from .access import can_view_heritage
        from .models import Exhibition, Site

        # Photos of sites and exhibitions: whoever sees the heritage pages sees them.
        register(Site, can_view_heritage)
        register(Exhibition, can_view_heritage)
