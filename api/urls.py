from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views, views_tokens

app_name = "api"
P, U = "periods/<str:period_code>", "units/<str:unit_code>"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views_tokens.docs, name="docs"),
    path("units/", views.UnitList.as_view(), name="units"),
    path(f"{U}/", views.UnitDetail.as_view(), name="unit"),
    path("periods/", views.PeriodList.as_view(), name="periods"),
    path(f"{P}/indicators/", views.IndicatorList.as_view(), name="indicators"),
    path(f"{P}/{U}/figures/", views.FigureList.as_view(), name="figures"),
    path(f"{P}/{U}/summary/", views.SummaryView.as_view(), name="summary"),
    path(f"{P}/{U}/completeness/", views.CompletenessView.as_view(), name="completeness"),
    path(f"{P}/{U}/report/", views.ReportView.as_view(), name="report"),
    path(f"{P}/{U}/report/correction/", views.CorrectionView.as_view(), name="correction"),
]


# The person's own tokens: a page of the site, outside the API (zzip/urls.py: /tokens/).
tokens_urlpatterns = ([path("", views_tokens.token_list, name="tokens")], "tokens")
