from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    verbose_name = _("行政监督")
    name = "supervision"
