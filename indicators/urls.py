from django.urls import path

from . import views, views_dashboard, views_review, views_sheets

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
    path("sheets/targets/", views_sheets.target_sheet_pick, name="target_sheet_pick"),
    path("sheets/targets/<int:year>/", views_sheets.target_sheet, name="target_sheet"),
    path(
        "sheets/targets/<int:year>/xlsx/", views_sheets.target_sheet_xlsx, name="target_sheet_xlsx"
    ),
    path(
        "sheets/targets/<int:year>/confirm/",
        views_sheets.target_sheet_confirm,
        name="target_sheet_confirm",
    ),
    path(
        "sheets/template/<str:period_code>/<str:unit_code>/",
        views_sheets.template_upload,
        name="template_upload",
    ),
    path(
        "sheets/template/<str:period_code>/<str:unit_code>/xlsx/",
        views_sheets.template_xlsx,
        name="template_xlsx",
    ),
    path(
        "sheets/template/<str:period_code>/<str:unit_code>/confirm/",
        views_sheets.template_confirm,
        name="template_confirm",
    ),
    path("", views.home, name="home"),
    path("reports/<str:period_code>/<str:unit_code>/", views.report_edit, name="report_edit"),
    path("summary/", views.summary, name="summary_pick"),
    path("summary/<str:period_code>/<str:unit_code>/", views.summary, name="summary"),
    path(
        "summary/<str:period_code>/<str:unit_code>/xlsx/",
        views.summary_xlsx,
        name="summary_xlsx",
    ),
    path(
        "summary/<str:period_code>/<str:unit_code>/docx/",
        views_dashboard.summary_docx,
        name="summary_docx",
    ),
    path("dashboard/", views_dashboard.dashboard_pick, name="dashboard_pick"),
    path(
        "dashboard/<str:period_code>/<str:unit_code>/",
        views_dashboard.dashboard,
        name="dashboard",
    ),
    path(
        "progress/<str:period_code>/<str:unit_code>/",
        views_dashboard.progress,
        name="progress",
    ),
]
