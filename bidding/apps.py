from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    verbose_name = _("投标与竞价")
    name = "bidding"

    def ready(self) -> None:
        from bidding.services.vault import CERTIFICATE_EXPIRY
        from trading.chronograph import register_due_work

        # bdvault: expiry notices of the certificate vault.
        register_due_work(CERTIFICATE_EXPIRY)
