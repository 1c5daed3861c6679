from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.holiday_list, name="holiday-list"),
    path("<int:year>/", views.holiday_edit, name="holiday-edit"),
]
