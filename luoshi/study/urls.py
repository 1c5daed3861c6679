from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.home, name="home"),
    path("books/new/", views.book_new, name="book-new"),
    path("essays/new/", views.essay_new, name="essay-new"),
    path("books/", views.book_list, name="book-list"),
    path("essays/", views.essay_list, name="essay-list"),
    path("essays/<int:pk>/commend/", views.essay_commend, name="essay-commend"),
    path("counts/", views.counts, name="counts"),
    path("groups/", views.group_list, name="group-list"),
    path("groups/new/", views.group_create, name="group-create"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group-delete"),
    path("readings/", views.reading_list, name="reading-list"),
    path("readings/<int:pk>/edit/", views.reading_edit, name="reading-edit"),
    path("readings/<int:pk>/delete/", views.reading_delete, name="reading-delete"),
]
