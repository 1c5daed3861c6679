"""URL map. Each app owns its urls.py; the JSON API lives under /api/."""

from django.contrib import admin
from django.urls import include, path

from luoshi import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("luoshi.accounts.urls")),
    path("accounts/mfa/", include("luoshi.mfa.urls")),
    path("org/", include("luoshi.org.urls")),
    path("files/", include("luoshi.files.urls")),
    path("holidays/", include("luoshi.workdays.urls")),
    path("audit/", include("luoshi.audit.urls")),
    path("ledgers/", include("luoshi.ledgers.urls")),
    path("study/", include("luoshi.study.urls")),
    path("outreach/", include("luoshi.outreach.urls")),
    path("rectification/", include("luoshi.rectification.urls")),
    path("meetings/", include("luoshi.meetings.urls")),
    path("media/", include("luoshi.media.urls")),
    path("heritage/", include("luoshi.heritage.urls")),
    path("volunteering/", include("luoshi.volunteering.urls")),
    path("learning/", include("luoshi.learning.urls")),
    path("assessment/", include("luoshi.assessment.urls")),
    path("reports/", include("luoshi.reports.urls")),
    path("api/", include("luoshi.api.urls")),
    path("", include("luoshi.campaigns.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

handler400 = "luoshi.views.bad_request"
handler403 = "luoshi.views.permission_denied"
handler404 = "luoshi.views.page_not_found"
handler500 = "luoshi.views.server_error"
