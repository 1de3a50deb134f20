from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("notices/read/<int:notice_id>/", views.read, name="read"),
]
