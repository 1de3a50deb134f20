from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/<str:period_code>/<str:unit_code>/", views.report_edit, name="report_edit"),
    path("summary/", views.summary, name="summary_pick"),
    path("summary/<str:period_code>/<str:unit_code>/", views.summary, name="summary"),
    path(
        "summary/<str:period_code>/<str:unit_code>/xlsx/",
        views.summary_xlsx,
        name="summary_xlsx",
    ),
]
