from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    verbose_name = _("公告与公开")
    name = "notices"

    def ready(self) -> None:
        # Event receivers, the scheduled-publication due work and the timeline lights.
        from notices import receivers  # noqa: F401
