"""The reserve price (底价) of a live auction: decided by two of the desk's staff, sealed until the
close, revealed in the result (国土资源部令第39号 第10条: 底价实行集体决策，出让活动结束前保密).

Sealing (bidding/AUCTIONS.md "The reserve"): `Auction.reserve_sealed` = nonce (12 bytes) ‖
AES-256-GCM ciphertext and tag of the amount in cents as ASCII ("1234.50"), under
    key   = HKDF-SHA256(sealing_secret(), salt="", info=RESERVE_INFO + "lot=<lot id>", 32 bytes)
    AAD   = "lot=<lot id>"
    nonce = HMAC-SHA256(HKDF(..., info=NONCE_INFO + "lot=<lot id>"), amount)[:12].
The nonce is a function of the amount (synthetic, as in AES-GCM-SIV): the same amount under the
same lot seals to the same bytes, so the second staff member's amount is checked by sealing it
and comparing — nothing but `auction_reserve_reveal`, after the close, ever opens the seal.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from decimal import Decimal, InvalidOperation

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bidding.domain.auction import AMOUNT_MAX, CENT, Phase
from bidding.models.auctions import Auction
from bidding.services.auctions import auction_lock
from bidding.services.lot_keys import sealing_secret
from trading.clock import get_clock
from trading.models import Lot, User
from trading.selectors.access import operates_desk
from trading.services.ledger import ledger_append_tender

RESERVE_INFO = b"tianping/1/auction-reserve\x00"
NONCE_INFO = b"tianping/1/auction-reserve-nonce\x00"
NONCE_BYTES = 12


def _lot_label(lot_id: int) -> bytes:
    return f"lot={lot_id}".encode()


def _derive(info: bytes, lot_id: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"", info=info + _lot_label(lot_id)
    ).derive(sealing_secret())


def _plaintext(amount: Decimal) -> bytes:
    return f"{amount.quantize(CENT)}".encode("ascii")


def reserve_seal(lot_id: int, amount: Decimal) -> bytes:
    """The sealed bytes of `amount` as the reserve of lot `lot_id` (deterministic, see above)."""
    plaintext = _plaintext(amount)
    nonce = hmac.new(_derive(NONCE_INFO, lot_id), plaintext, hashlib.sha256).digest()[:NONCE_BYTES]
    sealed = AESGCM(_derive(RESERVE_INFO, lot_id)).encrypt(nonce, plaintext, _lot_label(lot_id))
    return nonce + sealed


def _unseal(lot_id: int, sealed: bytes) -> Decimal:
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        plaintext = AESGCM(_derive(RESERVE_INFO, lot_id)).decrypt(nonce, body, _lot_label(lot_id))
    except (InvalidTag, ValueError) as exc:
        raise ValidationError(
            _("底价无法解密：平台密封密钥与设定时不一致。"), code="reserve_unreadable"
        ) from exc
    return Decimal(plaintext.decode("ascii"))


def reserve_amount_parse(value: object) -> Decimal:
    """A reserve as typed: a positive amount in yuan with at most two decimals."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if (
        not amount.is_finite()
        or not Decimal(0) < amount <= AMOUNT_MAX
        or amount != amount.quantize(CENT)
    ):
        raise ValidationError(_("底价须为正数金额（元），最多两位小数。"), code="reserve_malformed")
    return amount.quantize(CENT)


def _check_open(lot: Lot, auction: Auction, actor: User) -> None:
    if not operates_desk(actor, lot.tender.desk_id):
        raise ValidationError(
            _("底价只能由本标段所属交易科室的工作人员设定。"), code="reserve_not_desk"
        )
    if auction.phase == Phase.CLOSED:
        raise ValidationError(_("竞价已结束，底价不能再设定或确认。"), code="reserve_closed")


def _ledger(lot: Lot, action: str, actor: User, now: datetime) -> None:
    # Never the amount: the ledger is read by the parties before the close.
    ledger_append_tender(
        tender_id=lot.tender_id,
        action=action,
        actor=actor,
        obj_type="lot",
        obj_id=str(lot.pk),
        payload={"lot": lot.pk},
        now=now,
    )


def auction_reserve_propose(lot: Lot, amount: object, actor: User) -> Auction:
    """A desk staff member proposes the reserve; sealed at once, it waits for a second one.

    A new proposal replaces an earlier one, confirmed or not: it needs its own confirmation.
    """
    value = reserve_amount_parse(amount)
    now = get_clock()()
    with transaction.atomic():
        locked_lot, auction = auction_lock(lot.pk)
        _check_open(locked_lot, auction, actor)
        auction.reserve_sealed = reserve_seal(lot.pk, value)
        auction.reserve_set_by = actor
        auction.reserve_confirmed_by = None
        auction.save(update_fields=["reserve_sealed", "reserve_set_by", "reserve_confirmed_by"])
        _ledger(locked_lot, "auction.reserve_proposed", actor, now)
    return auction


def auction_reserve_confirm(lot: Lot, amount: object, actor: User) -> Auction:
    """A second staff member types the same amount: the reserve stands (a collective decision)."""
    value = reserve_amount_parse(amount)
    now = get_clock()()
    with transaction.atomic():
        locked_lot, auction = auction_lock(lot.pk)
        _check_open(locked_lot, auction, actor)
        if auction.reserve_sealed is None or auction.reserve_set_by_id is None:
            raise ValidationError(_("尚无待确认的底价。"), code="reserve_none")
        if auction.reserve_confirmed_by_id is not None:
            raise ValidationError(_("底价已确认；如需更改，请重新提出。"), code="reserve_confirmed")
        if auction.reserve_set_by_id == actor.pk:
            raise ValidationError(
                _("底价须由提出人以外的另一名工作人员确认（集体决策）。"),
                code="reserve_same_person",
            )
        if not hmac.compare_digest(bytes(auction.reserve_sealed), reserve_seal(lot.pk, value)):
            raise ValidationError(
                _("您输入的金额与提出的底价不一致，底价未确认。请与提出人核对后重新输入。"),
                code="reserve_mismatch",
            )
        auction.reserve_confirmed_by = actor
        auction.save(update_fields=["reserve_confirmed_by"])
        _ledger(locked_lot, "auction.reserve_confirmed", actor, now)
    return auction


def auction_reserve_reveal(auction: Auction, *, actor: User | None = None) -> Decimal | None:
    """The reserve, once the auction is closed (None: no confirmed reserve); logged in the ledger.

    The only code that opens the seal. It reads the phase as stored, not the caller's copy: before
    the close it refuses (ValidationError). An unconfirmed proposal is no reserve.
    """
    now = get_clock()()
    with transaction.atomic():
        row = Auction.objects.select_for_update().select_related("lot").get(pk=auction.pk)
        if row.phase != Phase.CLOSED:
            raise ValidationError(_("竞价结束前底价保密，不能揭示。"), code="reserve_early")
        if row.reserve_sealed is None or row.reserve_confirmed_by_id is None:
            return None
        reserve = _unseal(row.lot_id, bytes(row.reserve_sealed))
        if row.reserve != reserve:
            row.reserve = reserve
            row.save(update_fields=["reserve"])
            ledger_append_tender(
                tender_id=row.lot.tender_id,
                action="auction.reserve_revealed",
                actor=actor,
                obj_type="lot",
                obj_id=str(row.lot_id),
                payload={"lot": row.lot_id, "reserve": str(reserve)},
                now=now,
            )
    auction.reserve = reserve
    return reserve
