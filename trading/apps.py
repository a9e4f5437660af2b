from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    name = "trading"
    verbose_name = _("交易")

    def ready(self) -> None:
        from trading import receivers  # noqa: F401 - registers trading's own event receivers
