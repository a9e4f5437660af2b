from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    verbose_name = _("投标与竞价")
    name = "bidding"

    def ready(self) -> None:
        from bidding.demo import demo_vault_seed
        from bidding.services.vault import CERTIFICATE_EXPIRY
        from trading.chronograph import register_due_work
        from trading.services.demo import demo_seeder_register

        # The certificate vault's expiry notices, and the demo bidders' vaults.
        register_due_work(CERTIFICATE_EXPIRY)
        demo_seeder_register("bidding.vault", demo_vault_seed)
        # Refund scheduling, forfeitures and guarantee expiry on the chronograph.
        from bidding import refund_receivers  # noqa: F401
