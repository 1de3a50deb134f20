from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from api import urls as api_urls


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on every page, the admin's included."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("districts.urls")),
    path("", include("notices.urls")),
    path("circulars/", include("circulars.urls")),
    path("api/v1/", include("api.urls")),
    path("tokens/", include(api_urls.tokens_urlpatterns)),
    path("", include("indicators.urls")),
]
