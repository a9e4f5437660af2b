from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    verbose_name = _("公告与公开")
    name = "notices"

    def ready(self) -> None:
        # Event receivers, the scheduled-publication due work and the timeline lights.
        from bidding.opening_records import opening_record_link_register
        from bidding.result_notices import result_notices_register
        from notices import complaint_delivery, opening_records, receivers  # noqa: F401
        from notices.bidder_results import result_notices_of
        from notices.complaint_triggers import (
            complaint_document_trigger_removal_statements,
            complaint_document_trigger_statements,
        )
        from notices.db_triggers import (
            notice_trigger_removal_statements,
            notice_trigger_statements,
        )
        from notices.opening_record_triggers import (
            opening_record_trigger_removal_statements,
            opening_record_trigger_statements,
        )
        from notices.opening_records import opening_record_link_of
        from trading.db_triggers import FlushGuard, register_flush_guard
        from trading.services.demo_documents import demo_document_maker_register

        # The demo's files are real documents printed by this app's renderer.
        demo_document_maker_register(_demo_document_make)
        # The bidder's workspace (bidding) links each lot's candidates and result notices.
        result_notices_register(result_notices_of)
        # The opening room links the lot's published opening record.
        opening_record_link_register(opening_record_link_of)

        # Published notices refuse DELETE; emptying the whole database (flush) may lift that.
        register_flush_guard(
            FlushGuard(
                "notices.immutable", notice_trigger_statements, notice_trigger_removal_statements
            )
        )
        # Stored complaint documents refuse DELETE likewise.
        register_flush_guard(
            FlushGuard(
                "notices.complaint_documents_immutable",
                complaint_document_trigger_statements,
                complaint_document_trigger_removal_statements,
            )
        )
        # And stored opening records.
        register_flush_guard(
            FlushGuard(
                "notices.opening_records_immutable",
                opening_record_trigger_statements,
                opening_record_trigger_removal_statements,
            )
        )


def _demo_document_make(*args: Any, **kwargs: Any) -> Any:
    # Imported on first use: WeasyPrint costs every process 0.6 s at start-up, and only the
    # demo seed and the render worker print documents.
    from notices.tender_documents import demo_document_make

    return demo_document_make(*args, **kwargs)
