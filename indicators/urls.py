from django.urls import path

from . import views, views_review

app_name = "indicators"
urlpatterns = [
    path("review/<str:period_code>/<str:unit_code>/", views_review.review, name="review"),
    path(
        "completeness/<str:period_code>/<str:unit_code>/",
        views_review.completeness_view,
        name="completeness",
    ),
    path(
        "extensions/<str:period_code>/<str:unit_code>/",
        views_review.extension_grant,
        name="extension_grant",
    ),
    path("notices/<int:notice_id>/read/", views_review.notice_read, name="notice_read"),
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
