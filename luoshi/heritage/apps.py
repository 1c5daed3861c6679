from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    """Heritage (红色资源): sites, routes and exhibitions; activities held at a site are counted per site."""

    name = "luoshi.heritage"
    label = "heritage"
    verbose_name = _("红色资源")

    def ready(self) -> None:
        from luoshi.files.access import register
        from luoshi.ledgers.hooks import RecordPart, register_part

        from . import forms, selectors, services
        from .access import can_view_heritage
        from .models import Exhibition, Site

        # Photos of sites and exhibitions: whoever sees the heritage pages sees them.
        register(Site, can_view_heritage)
        register(Exhibition, can_view_heritage)
        # The ledger's record says at which site an activity was held (kept in SiteVisit).
        register_part(
            RecordPart(
                name="site",
                after="place",
                form_field=forms.activity_site_field,
                current=selectors.activity_site,
                related="site_visit__site",
                lookup=services.site_by_id,
                check=services.check_activity_site,
                save=services.save_activity_site,
                default_place=lambda site: site.name if site is not None else "",
                held_at=selectors.held_at,
            )
        )
