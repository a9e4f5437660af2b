"""Bidding's pages."""

from __future__ import annotations

from django.urls import path

from bidding.views import (
    auction_bids,
    auction_reserve,
    auction_room,
    deposits,
    deposits_refunds,
    enrolment,
    members,
    opening_room,
    roster,
    sealed_bids,
    vault,
)

urlpatterns = [
    # bdvault: the bidder's profile, users and certificate vault.
    path("bidding/profile/", vault.profile, name="bidding_profile"),
    path(
        "bidding/organisations/<int:organisation_id>/",
        vault.organisation_particulars,
        name="bidding_organisation_particulars",
    ),
    path("bidding/users/", members.members, name="bidding_members"),
    path("bidding/users/<int:pk>/remove/", members.member_remove, name="bidding_member_remove"),
    path(
        "bidding/invitation/<uidb64>/<token>/",
        members.invitation,
        name="bidding_invitation",
    ),
    path("bidding/certificates/", vault.certificates, name="bidding_certificates"),
    path("bidding/certificates/add/", vault.certificate_add_view, name="bidding_certificate_add"),
    path(
        "bidding/certificates/<int:pk>/replace/",
        vault.certificate_replace_view,
        name="bidding_certificate_replace",
    ),
    path(
        "bidding/certificates/<int:pk>/retire/",
        vault.certificate_retire_view,
        name="bidding_certificate_retire",
    ),
    path(
        "bidding/certificates/<int:pk>/file/",
        vault.certificate_file,
        name="bidding_certificate_file",
    ),
    # The bidder's one deposit page per enrolment: how to pay, guarantees, refund, forfeiture.
    path(
        "bidding/enrolments/<int:pk>/deposit/",
        deposits_refunds.enrolment_deposit,
        name="enrolment_deposit",
    ),
    path(
        "bidding/enrolments/<int:pk>/deposit/guarantee/apply/",
        deposits_refunds.enrolment_guarantee_apply,
        name="enrolment_guarantee_apply",
    ),
    path(
        "bidding/enrolments/<int:pk>/deposit/guarantee/register/",
        deposits_refunds.enrolment_guarantee_register,
        name="enrolment_guarantee_register",
    ),
    # bdmoney: deposits, the bank's webhook, the demo bank, the reconciliation's differences.
    path("bank/notifications/", deposits.bank_notification, name="bank_notification"),
    path(
        "bidding/deposits/<int:enrolment_id>/demo-transfer/",
        deposits.deposit_demo_transfer,
        name="deposit_demo_transfer",
    ),
    path(
        "staff/deposits/discrepancies/",
        deposits.deposit_discrepancies,
        name="deposit_discrepancies",
    ),
    # --- enrolment (bdenrol): 报名, withdrawal, the bidder's enrolments ---
    path("lots/<int:pk>/enrolment/", enrolment.enrolment_lot_view, name="enrolment_lot"),
    path(
        "lots/<int:pk>/enrolment/withdraw/",
        enrolment.enrolment_withdraw_view,
        name="enrolment_withdraw",
    ),
    path(
        "lots/<int:pk>/enrolment/agreement/",
        enrolment.enrolment_agreement_view,
        name="enrolment_agreement",
    ),
    path("workspace/enrolments/", enrolment.enrolment_list_view, name="enrolment_list"),
    # --- the bidder's workspace (bdworkspace): the lot's enrolment list after the opening ---
    path("lots/<int:pk>/enrolments/", roster.lot_roster_view, name="lot_roster"),
    # --- sealed bids (sbsubmit): the bidder's bid page, its client's endpoints, receipts ---
    path("lots/<int:pk>/bid/", sealed_bids.sealed_bid_lot, name="sealed_bid_lot"),
    path("lots/<int:pk>/bid/start/", sealed_bids.sealed_bid_start_view, name="sealed_bid_start"),
    path(
        "lots/<int:pk>/bid/withdraw/",
        sealed_bids.sealed_bid_withdraw_view,
        name="sealed_bid_withdraw",
    ),
    path(
        "bidding/bids/<uuid:token>/files/<int:index>/chunks/<int:counter>/",
        sealed_bids.sealed_bid_chunk,
        name="sealed_bid_chunk",
    ),
    path(
        "bidding/bids/<uuid:token>/commit/",
        sealed_bids.sealed_bid_commit_view,
        name="sealed_bid_commit",
    ),
    path(
        "bidding/bids/<uuid:token>/receipt/",
        sealed_bids.sealed_bid_receipt,
        name="sealed_bid_receipt",
    ),
    # Public: whoever holds a receipt checks its signature; no lookup by lot or bidder number.
    path(
        "receipts/verify/",
        sealed_bids.sealed_bid_receipt_verify_view,
        name="sealed_bid_receipt_verify",
    ),
    # --- the opening room (sbroom): its page; the socket is ws/lots/<lot_id>/opening/ ---
    path(
        "bidding/lots/<int:lot_id>/opening/",
        opening_room.opening_room_view,
        name="bidding_opening_room",
    ),
    # --- the auction room (auroom): its page, public; the socket is ws/lots/<lot_id>/auction/ ---
    path(
        "bidding/lots/<int:lot_id>/auction/",
        auction_room.auction_room_view,
        name="bidding_auction_room",
    ),
    # --- live auctions (aubid): a bid and 要求报价 over HTTP, the socket's path ---
    path(
        "bidding/lots/<int:lot_id>/auction/bid/",
        auction_bids.auction_bid_view,
        name="auction_bid",
    ),
    path(
        "bidding/lots/<int:lot_id>/auction/declare/",
        auction_bids.auction_declare_view,
        name="auction_declare",
    ),
    # --- live auctions (aurules): the desk's reserve price (底价), proposed and confirmed ---
    path(
        "bidding/lots/<int:lot_id>/auction/reserve/",
        auction_reserve.auction_reserve_view,
        name="auction_reserve",
    ),
]
