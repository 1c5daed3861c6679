from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    """Heritage (红色资源): sites, routes and exhibitions; activities held at a site are counted per site."""

    name = "luoshi.heritage"
    label = "heritage"
    verbose_name = _("红色资源")
