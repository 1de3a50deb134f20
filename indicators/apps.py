from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("指标填报")

    def ready(self):
        # The conditions districts.access asks of reports (registered on import).
        from . import rules  # noqa: F401
