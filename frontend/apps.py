from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendConfig(AppConfig):
    verbose_name = _("界面")
    name = "frontend"
