from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    verbose_name = _("投标与竞价")
    name = "bidding"

    def ready(self) -> None:
        # bdmoney: the books refuse edits (lifted only by flush); the daily reconciliation.
        from bidding.db_triggers import books_trigger_removal_statements, books_trigger_statements
        from bidding.services.reconciliation import RECONCILIATION
        from trading.chronograph import register_due_work
        from trading.db_triggers import FlushGuard, register_flush_guard

        register_flush_guard(
            FlushGuard("bidding.books", books_trigger_statements, books_trigger_removal_statements)
        )
        register_due_work(RECONCILIATION)
