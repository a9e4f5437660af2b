from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    verbose_name = _("投标与竞价")
    name = "bidding"

    def ready(self) -> None:
        from bidding.selectors.enrolment import lot_participants_of
        from bidding.services.enrolment import participants_enrol
        from trading.participants import participants_register

        # Candidates, winners and negotiating parties come from the lot's enrolments.
        participants_register(participants_of=lot_participants_of, enrol=participants_enrol)
