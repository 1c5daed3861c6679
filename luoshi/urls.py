"""URL map. Each app owns its urls.py; the JSON API lives under /api/."""

from django.contrib import admin
from django.urls import include, path

from luoshi import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("luoshi.accounts.urls")),
    path("org/", include("luoshi.org.urls")),
    path("files/", include("luoshi.files.urls")),
    path("audit/", include("luoshi.audit.urls")),
    path("ledgers/", include("luoshi.ledgers.urls")),
    path("api/", include("luoshi.api.urls")),
    path("", include("luoshi.campaigns.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
