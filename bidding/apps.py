from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    verbose_name = _("投标与竞价")
    name = "bidding"

    def ready(self) -> None:
        # bdrefunds: refund scheduling, forfeitures and guarantee expiry on the chronograph.
        from bidding import refund_receivers  # noqa: F401
