"""A supervisor looks behind a bidder number in a live auction (管办分离: the regulator may see
who bids; 国土资源部令第39号 第18条 keeps it from everyone else). Each look is a ledgered act the
desk is told of, so a look is never silent.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.models import Enrolment
from trading.clock import Clock, get_clock
from trading.models import Lot, User
from trading.selectors.access import desk_staff_list, supervises
from trading.services.ledger import ledger_append_tender
from trading.services.notifications import notification_send
from trading.translatable import Message

BIDDER_NUMBER_MAX = 20


def auction_bidder_reveal(
    *, lot: Lot, bidder_number: object, actor: User, clock: Clock | None = None
) -> str:
    """The name of the organisation (the lead, for a consortium) behind `bidder_number`."""
    if not supervises(actor, lot.tender):
        raise PermissionDenied(_("只有监督人员可以查看竞买人身份。"))
    number = bidder_number.strip() if isinstance(bidder_number, str) else ""
    if not number or len(number) > BIDDER_NUMBER_MAX:
        raise ValidationError(_("请填写要查看的竞买人编号。"))
    enrolment = (
        Enrolment.objects.select_related("lead").filter(lot=lot, bidder_number=number).first()
    )
    if enrolment is None:
        raise ValidationError(_("本标段没有编号为 %(number)s 的竞买人。") % {"number": number})
    now = (clock or get_clock())()
    with transaction.atomic():
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="auction.bidder_revealed",
            actor=actor,
            obj_type="enrolment",
            obj_id=str(enrolment.pk),
            payload={"lot": lot.pk, "bidder_number": number},
            now=now,
        )
        notification_send(
            recipients=desk_staff_list(lot.tender.desk),
            kind="auction.bidder_revealed",
            title=Message(
                gettext_noop("监督人员查看了标段 %(lot)s 竞买人 %(number)s 的身份"),
                lot=lot.code,
                number=number,
            ),
            clock=lambda: now,
        )
    return enrolment.lead.name
