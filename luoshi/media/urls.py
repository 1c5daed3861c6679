from django.urls import path

from . import views

app_name = "media"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("publications/", views.publication_list, name="publication-list"),
    path("publications/new/", views.publication_create, name="publication-create"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("targets/", views.target_list, name="target-list"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel-edit"),
]
