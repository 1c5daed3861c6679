from django.urls import path

from . import views

app_name = "heritage"
urlpatterns = [
    path("", views.site_list, name="site-list"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site-edit"),
    path("counts/", views.counts, name="counts"),
    path("routes/", views.route_list, name="route-list"),
    path("routes/new/", views.route_create, name="route-create"),
    path("routes/<int:pk>/", views.route_detail, name="route-detail"),
    path("routes/<int:pk>/edit/", views.route_edit, name="route-edit"),
    path("exhibitions/", views.exhibition_list, name="exhibition-list"),
    path("exhibitions/new/", views.exhibition_create, name="exhibition-create"),
    path("exhibitions/<int:pk>/", views.exhibition_detail, name="exhibition-detail"),
    path("exhibitions/<int:pk>/edit/", views.exhibition_edit, name="exhibition-edit"),
]
