from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    verbose_name = _("投标与竞价")
    name = "bidding"

    def ready(self) -> None:
        # Registering receivers and due work is what importing refund_receivers does.
        from bidding import (  # noqa: F401
            auction_receivers,
            lot_key_receivers,
            opening_receivers,
            refund_receivers,
        )
        from bidding.db_triggers import books_trigger_removal_statements, books_trigger_statements
        from bidding.demo import demo_vault_seed
        from bidding.selectors.auctions import auction_running
        from bidding.selectors.enrolment import lot_participants_of
        from bidding.selectors.opened_bids import lot_counted_by_platform, lot_opened_bids_list
        from bidding.services.demo_auction import auction_demo_seed
        from bidding.services.demo_deposits import deposit_demo_seed
        from bidding.services.demo_opening import opening_demo_seed
        from bidding.services.enrolment import participants_enrol
        from bidding.services.reconciliation import RECONCILIATION
        from bidding.services.vault import CERTIFICATE_EXPIRY
        from trading.chronograph import register_due_work
        from trading.db_triggers import FlushGuard, register_flush_guard
        from trading.openings import auctions_register, openings_register
        from trading.participants import participants_register
        from trading.services.demo import demo_seeder_register

        # The books refuse edits; only `flush` lifts their triggers.
        register_flush_guard(
            FlushGuard("bidding.books", books_trigger_statements, books_trigger_removal_statements)
        )
        # Certificate expiry notices, the daily reconciliation; refunds, forfeitures and
        # guarantee expiry register themselves in refund_receivers.
        register_due_work(CERTIFICATE_EXPIRY)
        register_due_work(RECONCILIATION)
        demo_seeder_register("bidding.vault", demo_vault_seed)
        # After the vaults: the deposits pay from the basic accounts the profiles name.
        demo_seeder_register("bidding.deposits", deposit_demo_seed)
        # After the deposits: the opening demonstration pays its own and seals two bids.
        demo_seeder_register("bidding.opening_demo", opening_demo_seed)
        # After the deposits too: a land listing whose close comes minutes after start-up.
        demo_seeder_register("bidding.auction_demo", auction_demo_seed)
        # Candidates, winners and negotiating parties come from the lot's enrolments.
        participants_register(participants_of=lot_participants_of, enrol=participants_enrol)
        # The platform's openings count the bids and start the evaluation form.
        openings_register(
            counted_by_platform=lot_counted_by_platform, opened_bids=lot_opened_bids_list
        )
        # A live auction the platform runs is decided by its bids, not typed in by staff.
        auctions_register(run_by_platform=auction_running)
