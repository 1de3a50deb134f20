from django.urls import path

from . import views

app_name = "circulars"
urlpatterns = [
    path("", views.index, name="index"),
    path("files/<int:file_id>/", views.issued_file, name="file"),
    path("<str:period_code>/<str:unit_code>/", views.circular, name="circular"),
    path("<str:period_code>/<str:unit_code>/issue/", views.issue, name="issue"),
    path("<str:period_code>/<str:unit_code>/correct/", views.correct, name="correct"),
    path("<str:period_code>/<str:unit_code>/draft.docx", views.draft_docx, name="draft_docx"),
]
