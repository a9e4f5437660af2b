from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    verbose_name = _("公告与公开")
    name = "notices"
