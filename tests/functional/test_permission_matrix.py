"""The permission matrix: every route × every role × GET and POST, against a table written by hand.

The rule the table states (DESIGN.md §3, 管办分离):
- public pages answer everybody; signed-in pages send anonymous visitors to log in;
- a role's console (the desks, the review queue, the verification queue, the notice queue, the
  owners' projects, the supervision console) answers 403 to signed-in users of another role;
- an object answers 404 to whoever may not know it exists and 403 to whoever may know it but not
  act on it — a published tender, its lots and documents are known to everybody (the portal lists
  them and links their pages), a draft only to its owner's side, a submitted one to the desk's
  staff and the regulators of its jurisdiction too;
- superuser status grants nothing on transactions; a method a route does not offer is 405 for all.

A route missing from the table fails `test_matrix_covers_every_route`: whoever adds a route adds
its row. `tests/matrix.py` builds the world, runs the cells and prints the mismatches.
"""

from __future__ import annotations

import re
from collections.abc import Set
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from tests.auction_bidders import matrix_auction
from tests.conftest import ControlledClock
from tests.deposits import matrix_enrolment
from tests.matrix import (
    ACCEPT,
    ADMIN_LOGIN,
    AGENCY,
    ANONYMOUS,
    BIDDER,
    CENTER_ADMIN,
    CLOSE,
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    OTHER_DESK_STAFF,
    OTHER_OWNER,
    OTHER_REGULATOR,
    OWNER,
    REGULATOR,
    ROLES,
    SIGNED_IN,
    STAFF,
    SUPERUSER,
    UNVERIFIED_BIDDER,
    Case,
    Cell,
    MatrixWorld,
    Route,
    SocketCase,
    build_world,
    console,
    everyone,
    http_routes,
    mismatch_table,
    on_object,
    run_http,
    session_keys,
    signed_in_only,
    websocket_routes,
    world_state,
)
from tests.sealed_bids import matrix_bid

# --- who is who to the world's objects -----------------------------------------------------------

OWNER_SIDE = {OWNER, AGENCY}  # the owner of the objects under test and its agency
PARTIES = {OWNER, AGENCY, OTHER_OWNER}  # the owners' console: every owner and agency
DESK_STAFF = {STAFF, OTHER_DESK_STAFF}  # center users holding a desk
CENTER = DESK_STAFF | {CENTER_ADMIN}
REGULATORS = {REGULATOR, OTHER_REGULATOR}
BIDDERS = {BIDDER, UNVERIFIED_BIDDER}  # a bidding organisation's own pages
# Who may view a submitted tender and its lots: the owner's side, its desk, its regulator, and
# the center's administrator (every desk, read-only).
VIEWERS = OWNER_SIDE | {STAFF, REGULATOR, CENTER_ADMIN}

# Whether everybody may know that a published tender, its lots and documents exist: the portal
# lists them and links each open lot's page ("登录报名"). False reads "knows" as "may view it
# through access_lot", which turns the 403s below into 404s for everybody outside VIEWERS.
PUBLISHED_OBJECTS_ARE_KNOWN = True


def published(*, ok: Set[str], also_known_to: Set[str] = frozenset()) -> dict[str, str]:
    """An object of a published tender: `ok` use it, whoever else knows it gets 403."""
    knows = SIGNED_IN if PUBLISHED_OBJECTS_ARE_KNOWN else VIEWERS | also_known_to
    return on_object(ok=ok, knows=knows)


def submitted(*, ok: Set[str]) -> dict[str, str]:
    """A tender awaiting review: known to its viewers only."""
    return on_object(ok=ok, knows=VIEWERS)


def drafted() -> dict[str, str]:
    """The owner's draft: nobody else may know it exists (staff see it once it is submitted)."""
    return on_object(ok=OWNER_SIDE)


def _bdrefunds_enrolment(world: MatrixWorld) -> dict[str, Any]:
    """bdrefunds: the first bidder's enrolment in the published lot (sealed: its bidder only)."""
    from bidding.models import Enrolment, EnrolmentMember

    lot = world.published.lots.order_by("pk").first()
    assert lot is not None and lot.opens_at is not None
    bidder, user = world.people.bidders[0], world.people.bidder_users[0]
    enrolment, created = Enrolment.objects.get_or_create(
        lot=lot,
        lead=bidder,
        defaults={"bidder_number": "M001", "enrolled_at": lot.opens_at, "enrolled_by": user},
    )
    if created:
        EnrolmentMember.objects.create(
            enrolment=enrolment, lot=lot, organisation=bidder, is_lead=True
        )
    return {"pk": enrolment.pk}


def _auction_lot(world: MatrixWorld) -> dict[str, Any]:
    """aurules: the published lot with a live auction (its listing), made once for every cell."""
    from bidding.models.auctions import Auction, AuctionKind, AuctionPhase

    lot = world.lots["published"]
    assert lot.opens_at is not None and lot.closes_at is not None
    Auction.objects.get_or_create(
        lot=lot,
        defaults={
            "kind": AuctionKind.LISTING,
            "start_price": Decimal("1000000.00"),
            "step": Decimal("10000.00"),
            "phase": AuctionPhase.LISTING,
            "opens_at": lot.opens_at,
            "ends_at": lot.closes_at,
        },
    )
    return {"lot_id": lot.pk}


PUBLIC = everyone(OK)
GET_ONLY = everyone(NOT_ALLOWED)  # the POST row of a page that only reads
POST_ONLY = everyone(NOT_ALLOWED)  # the GET row of an action

# Who sits in a sealed-bid lot's opening room (bidding.selectors.opening.access_opening_room).
OPENING_ROOM = (
    everyone(FORBIDDEN)
    | dict.fromkeys(OWNER_SIDE | {STAFF, REGULATOR, BIDDER}, OK)
    | dict.fromkeys({UNVERIFIED_BIDDER, OTHER_REGULATOR}, HIDDEN)
    | {ANONYMOUS: LOGIN}
)
OPENING_ROOM_SOCKET = {role: ACCEPT if got == OK else CLOSE for role, got in OPENING_ROOM.items()}

# --- the table -----------------------------------------------------------------------------------

CASES = [
    Case(
        "admin/",
        path="/admin/",
        get=everyone(ADMIN_LOGIN) | {SUPERUSER: OK},
        post=everyone(ADMIN_LOGIN) | {SUPERUSER: OK},
        why="the admin site as a whole: platform administrators only, reference data only",
    ),
    Case("set_language", get=PUBLIC, post=PUBLIC),
    # Accounts: a signed-in user asking for the login or registration page is sent on.
    Case("login", get=PUBLIC, post=PUBLIC),
    Case("logout", get=POST_ONLY, post=PUBLIC),
    Case("register", get=PUBLIC, post=PUBLIC),
    # Everybody's own pages.
    Case("workspace", get=signed_in_only(), post=GET_ONLY),
    Case("inbox", get=signed_in_only(), post=GET_ONLY),
    Case("inbox_read_all", get=POST_ONLY, post=signed_in_only()),
    Case(
        "notification_read",
        kwargs=lambda w: {"pk": w.notification.pk},
        get=POST_ONLY,
        post=on_object(ok={OWNER}),
    ),
    Case("my_documents", get=signed_in_only(), post=GET_ONLY),
    # The consoles. A center user without a desk is told on the desks' page why it is empty.
    Case("staff_console", get=console(*CENTER), post=GET_ONLY),
    # The holiday table: the center's administrator only (not its desk staff).
    Case("calendar_years", get=console(CENTER_ADMIN), post=GET_ONLY),
    Case(
        "calendar_year_enter",
        kwargs=lambda w: {"year": 2027},
        get=console(CENTER_ADMIN),
        post=console(CENTER_ADMIN),
    ),
    Case("desk_list", get=console(*CENTER), post=GET_ONLY),
    Case("staff_review_queue", get=console(*DESK_STAFF), post=GET_ONLY),
    # Registrations: desk staff and the center's administrator check them.
    Case("organisation_queue", get=console(*CENTER), post=GET_ONLY),
    Case(
        "organisation_verify",
        kwargs=lambda w: {"pk": w.awaiting.pk},
        get=POST_ONLY,
        post=console(*CENTER),
    ),
    Case(
        "organisation_return",
        kwargs=lambda w: {"pk": w.awaiting.pk},
        get=POST_ONLY,
        post=console(*CENTER),
    ),
    Case(
        "organisation_refuse",
        kwargs=lambda w: {"pk": w.awaiting.pk},
        get=POST_ONLY,
        post=console(*CENTER),
    ),
    # The licence: whoever checks it and the organisation itself; nobody else may learn that
    # the organisation registered.
    Case(
        "organisation_licence",
        kwargs=lambda w: {"pk": w.awaiting.pk},
        get=on_object(ok=CENTER),
        post=GET_ONLY,
    ),
    # Every user's own registration (a platform administrator has none); only a returned one
    # may be posted again, by its own administrator.
    Case(
        "organisation_mine",
        get=signed_in_only() | {SUPERUSER: FORBIDDEN},
        post=everyone(FORBIDDEN) | {ANONYMOUS: LOGIN},
    ),
    # bdvault: the bidder's profile, users and certificate vault. Its own users read them and the
    # staff checking registrations read them; the world's bidders are not their organisation's
    # administrators, so every change is refused them (403); nobody else may learn of them (404).
    Case(
        "bidding_profile",
        get=console(*BIDDERS),
        post=everyone(FORBIDDEN) | {ANONYMOUS: LOGIN},
    ),
    Case(
        "bidding_organisation_particulars",
        kwargs=lambda w: {"organisation_id": w.people.bidders[0].pk},
        get=on_object(ok={BIDDER} | CENTER),
        post=GET_ONLY,
    ),
    Case(
        "bidding_members",
        get=console(*BIDDERS),
        post=everyone(FORBIDDEN) | {ANONYMOUS: LOGIN},
    ),
    Case(
        "bidding_member_remove",
        kwargs=lambda w: {"pk": w.people.bidder_users[0].pk},
        get=POST_ONLY,
        post=on_object(ok=set(), knows={BIDDER}, console_of=BIDDERS),
    ),
    # The invitee's one-time link, signed in or not; a bad link says so.
    Case(
        "bidding_invitation",
        kwargs=lambda w: {"uidb64": "MQ", "token": "spent-token"},
        get=PUBLIC,
        post=PUBLIC,
    ),
    Case("bidding_certificates", get=console(*BIDDERS), post=GET_ONLY),
    Case("bidding_certificate_add", get=console(*BIDDERS), post=console(*BIDDERS)),
    Case(
        "bidding_certificate_replace",
        kwargs=lambda w: {"pk": w.certificate.pk},
        get=on_object(ok={BIDDER}, console_of=BIDDERS),
        post=on_object(ok={BIDDER}, console_of=BIDDERS),
    ),
    Case(
        "bidding_certificate_retire",
        kwargs=lambda w: {"pk": w.certificate.pk},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}, console_of=BIDDERS),
    ),
    Case(
        "bidding_certificate_file",
        kwargs=lambda w: {"pk": w.certificate.pk},
        get=on_object(ok={BIDDER} | CENTER),
        post=GET_ONLY,
    ),
    # The center administrator's console and its desk grants.
    Case("center_console", get=console(CENTER_ADMIN), post=GET_ONLY),
    Case("center_grant_assign", get=POST_ONLY, post=console(CENTER_ADMIN)),
    Case("center_grant_revoke", get=POST_ONLY, post=console(CENTER_ADMIN)),
    Case("owner_console", get=console(*PARTIES), post=GET_ONLY),
    Case("project_create", get=console(*PARTIES), post=console(*PARTIES)),
    Case(
        "tender_create",
        kwargs=lambda w: {"project_id": w.draft.project_id},
        get=on_object(ok=OWNER_SIDE, console_of=PARTIES),
        post=on_object(ok=OWNER_SIDE, console_of=PARTIES),
    ),
    Case("supervision_console", get=console(*REGULATORS), post=GET_ONLY),
    # A regulator's interventions on a lot of its jurisdiction: 403 outside the regulators'
    # console, 404 to a regulator of another jurisdiction (管办分离). An empty POST is refused
    # for its missing reason (400) and changes nothing.
    Case(
        "supervision_lot",
        state="published",
        kwargs=lambda w: {"lot_id": w.lots["published"].pk},
        get=on_object(ok={REGULATOR}, console_of=REGULATORS),
        post=GET_ONLY,
    ),
    *(
        Case(
            key,
            state="published",
            kwargs=lambda w: {"lot_id": w.lots["published"].pk},
            get=POST_ONLY,
            post=on_object(ok={REGULATOR}, console_of=REGULATORS),
        )
        for key in (
            "supervision_lot_hold",
            "supervision_lot_terminate",
            "supervision_lot_reevaluate",
        )
    ),
    Case(
        "supervision_tender_hold",
        state="published",
        kwargs=lambda w: {"tender_id": w.published.pk},
        get=POST_ONLY,
        post=on_object(ok={REGULATOR}, console_of=REGULATORS),
    ),
    Case(
        "supervision_hold_lift",
        state="objected",
        kwargs=lambda w: {"hold_id": w.objection.lot.holds.get().pk},
        get=POST_ONLY,
        post=on_object(ok={REGULATOR}, console_of=REGULATORS),
        why="the objection's hold is lifted by the owner's answer: the regulator is told so (400)",
    ),
    Case("supervision_export", get=console(*REGULATORS), post=GET_ONLY),
    Case(
        "supervision_tender",
        state="published",
        kwargs=lambda w: {"tender_id": w.published.pk},
        get=on_object(ok={REGULATOR}, console_of=REGULATORS),
        post=GET_ONLY,
        why="a tender outside the other regulator's jurisdiction does not exist for it",
    ),
    Case(
        "supervision_tender",
        state="pending",
        kwargs=lambda w: {"tender_id": w.pending.pk},
        get=on_object(ok={REGULATOR}, console_of=REGULATORS),
        post=GET_ONLY,
    ),
    Case(
        "supervision_tender",
        state="draft",
        kwargs=lambda w: {"tender_id": w.draft.pk},
        get=on_object(ok=(), console_of=REGULATORS),
        post=GET_ONLY,
        why="an owner's draft is not yet the regulators' business",
    ),
    # Tenders.
    Case(
        "tender_detail",
        state="published",
        kwargs=lambda w: {"pk": w.published.pk},
        get=published(ok=VIEWERS),
        post=GET_ONLY,
    ),
    Case(
        "tender_detail",
        state="draft",
        kwargs=lambda w: {"pk": w.draft.pk},
        get=drafted(),
        post=GET_ONLY,
    ),
    Case("tender_edit", kwargs=lambda w: {"pk": w.draft.pk}, get=drafted(), post=drafted()),
    Case("lot_create", kwargs=lambda w: {"tender_id": w.draft.pk}, get=drafted(), post=drafted()),
    Case(
        "document_upload",
        kwargs=lambda w: {"tender_id": w.draft.pk},
        get=drafted(),
        post=drafted(),
    ),
    Case("tender_submit", kwargs=lambda w: {"pk": w.draft.pk}, get=POST_ONLY, post=drafted()),
    Case(
        "tender_publish",
        kwargs=lambda w: {"pk": w.pending.pk},
        get=POST_ONLY,
        post=submitted(ok={STAFF}),
    ),
    Case(
        "tender_reject",
        kwargs=lambda w: {"pk": w.pending.pk},
        get=POST_ONLY,
        post=submitted(ok={STAFF}),
    ),
    Case(
        "question_answer",
        kwargs=lambda w: {"pk": w.published.pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
    ),
    Case(
        "tender_amend",
        kwargs=lambda w: {"pk": w.published.pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
    ),
    # Documents: the tender's viewers read any of them; bidders obtain the tender documents.
    Case(
        "document_download",
        kwargs=lambda w: {"pk": w.document.pk},
        get=published(ok=VIEWERS),
        post=GET_ONLY,
    ),
    Case(
        "tender_document_download",
        kwargs=lambda w: {"pk": w.document.pk},
        get=published(ok={BIDDER}, also_known_to={UNVERIFIED_BIDDER}),
        post=GET_ONLY,
        why="an unverified bidder sees the document listed but may not obtain it yet",
    ),
    # Lots.
    Case(
        "lot_detail",
        state="published",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=published(ok=VIEWERS),
        post=GET_ONLY,
    ),
    Case(
        "lot_detail",
        state="draft",
        kwargs=lambda w: {"pk": w.lots["draft"].pk},
        get=drafted(),
        post=GET_ONLY,
    ),
    Case(
        "lot_live",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=published(ok=VIEWERS),
        post=GET_ONLY,
    ),
    Case("lot_edit", kwargs=lambda w: {"pk": w.lots["draft"].pk}, get=drafted(), post=drafted()),
    Case(
        "lot_bid_count",
        state="opening",
        kwargs=lambda w: {"pk": w.lots["opening"].pk},
        get=POST_ONLY,
        post=published(ok={STAFF}),
    ),
    Case(
        "lot_evaluation",
        state="evaluation",
        kwargs=lambda w: {"pk": w.lots["evaluation"].pk},
        get=POST_ONLY,
        post=published(ok={STAFF}),
    ),
    Case(
        "lot_terminate",
        state="published",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
        why="the owner terminates before the award (实施条例 第31条); a regulator through "
        "an intervention of the supervision console, not here",
    ),
    Case(
        "award_confirm",
        state="publicity",
        kwargs=lambda w: {"pk": w.lots["publicity"].pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
    ),
    Case(
        "contract_record",
        state="awarded",
        kwargs=lambda w: {"pk": w.lots["awarded"].pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
    ),
    Case(
        "report_file",
        state="contracted",
        kwargs=lambda w: {"pk": w.lots["contracted"].pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
    ),
    Case(
        "lot_reject_all",
        state="evaluation",
        kwargs=lambda w: {"pk": w.lots["evaluation"].pk},
        get=POST_ONLY,
        post=published(ok={STAFF}),
        why="the desk records the committee's rejection of every bid (招标投标法 第42条)",
    ),
    Case(
        "lot_negotiation",
        state="evaluation",
        kwargs=lambda w: {"pk": w.lots["evaluation"].pk},
        get=POST_ONLY,
        post=published(ok={STAFF}),
        why="the desk records a negotiation; the world has no negotiated lot, so staff get the "
        "status refusal (400) and everybody else the access refusal",
    ),
    Case(
        "award_decline",
        state="awarded",
        kwargs=lambda w: {"pk": w.lots["awarded"].pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
        why="the owner records the winner's refusal (实施条例 第55条)",
    ),
    Case(
        "lot_retender",
        state="evaluation",
        kwargs=lambda w: {"pk": w.lots["evaluation"].pk},
        get=POST_ONLY,
        post=published(ok=OWNER_SIDE),
        why="the owner tenders a failed lot again (实施条例 第44条); the world has no failed lot, "
        "so the owner's side gets the status refusal (400)",
    ),
    Case(
        "objection_answer",
        kwargs=lambda w: {"pk": w.objection.pk},
        get=POST_ONLY,
        post=on_object(ok=OWNER_SIDE, knows=VIEWERS | {BIDDER}),
        why="the bidder who objected knows the objection; nobody else outside the lot does",
    ),
    # Complaints (投诉): the bidder who objected files from the lot; the complaint is known only
    # to its complainant and the parties asked for a statement, and to the regulators of its
    # jurisdiction, who handle it from the supervision console (another regulator: 404).
    Case(
        "complaint_file",
        kwargs=lambda w: {"pk": w.complaint.lot_id},
        get=published(ok={BIDDER}),
        post=published(ok={BIDDER}),
        why="实施条例 第60条: only a bidder who objected first may complain",
    ),
    Case(
        "complaint_detail",
        kwargs=lambda w: {"pk": w.complaint.pk},
        get=on_object(ok={BIDDER, OWNER}),
        post=GET_ONLY,
        why="the complainant and the owner, asked for a statement; the regulator reads it in "
        "the supervision console",
    ),
    Case(
        "complaint_withdraw",
        kwargs=lambda w: {"pk": w.complaint.pk},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}, knows={OWNER}),
        why="财政部令第94号 第24条: the complainant withdraws",
    ),
    Case(
        "complaint_statement",
        kwargs=lambda w: {"pk": w.complaint.statements.get().pk},
        get=POST_ONLY,
        post=on_object(ok={OWNER}),
        why="the party asked for the statement answers it",
    ),
    # A complaint's documents (受理通知书 …): the parties, the regulator of the jurisdiction and the
    # lot's desk download them; nobody else may learn that the complaint exists.
    Case(
        "complaint_document",
        kwargs=lambda w: {"pk": w.complaint.pk, "kind": w.complaint_document.kind},
        get=on_object(ok=OWNER_SIDE | {BIDDER, STAFF, REGULATOR}),
        post=GET_ONLY,
        why="实施条例 第61条: delivered to the parties; the desk carries out holds and orders",
    ),
    Case("portal_complaint_decisions", get=PUBLIC, post=GET_ONLY),
    Case(
        "portal_complaint_decision_pdf",
        kwargs=lambda w: {"pk": w.complaint_document.pk},
        get=everyone(HIDDEN),
        post=GET_ONLY,
        why="only procurement decisions are published (政府采购法实施条例 第58条); an "
        "engineering acceptance is not, for anyone",
    ),
    Case("supervision_complaints", get=console(*REGULATORS), post=GET_ONLY),
    Case(
        "supervision_complaint",
        kwargs=lambda w: {"pk": w.complaint.pk},
        get=on_object(ok={REGULATOR}, console_of=REGULATORS),
        post=GET_ONLY,
    ),
    Case(
        "supervision_complaint_act",
        kwargs=lambda w: {"pk": w.complaint.pk, "action": "decide"},
        get=POST_ONLY,
        post=on_object(ok={REGULATOR}, console_of=REGULATORS),
        why="every step (accept, refuse, hold, statements, extend, decide) is one route",
    ),
    # The procedures' own closes (issue 8): staff record what a close produced, the transferor
    # of a property disclosure decides what follows when none qualified (32号令 第18条). An
    # empty POST reaches the form (400) for whoever may act, whatever the lot's state.
    *(
        Case(
            key,
            kwargs=lambda w: {"pk": w.lots["published"].pk},
            get=POST_ONLY,
            post=published(ok={STAFF}),
        )
        for key in ("lot_listing_close", "lot_transferees", "lot_deal", "lot_prequalification")
    ),
    *(
        Case(
            key,
            kwargs=lambda w: {"pk": w.lots["published"].pk},
            get=POST_ONLY,
            post=published(ok=OWNER_SIDE),
        )
        for key in ("lot_extend_disclosure", "lot_redisclose", "lot_end_disclosure")
    ),
    # Enrolment (报名, bidding): a bidder's pages. Other roles get 403 before any lot is looked
    # up, so the pages say nothing about a lot's enrolments to them (招标投标法 第22条).
    Case(
        "enrolment_lot",
        state="published",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=console(*BIDDERS),
        post=console(*BIDDERS),
        why="an unverified bidder sees the page and is told it may not enrol yet (400)",
    ),
    Case(
        "enrolment_lot",
        state="draft",
        kwargs=lambda w: {"pk": w.lots["draft"].pk},
        get=on_object(ok=(), console_of=BIDDERS),
        post=on_object(ok=(), console_of=BIDDERS),
    ),
    Case(
        "enrolment_withdraw",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=POST_ONLY,
        post=console(*BIDDERS),
        why="a bidder without an enrolment is sent back to the lot's page with the reason",
    ),
    Case(
        "enrolment_agreement",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=on_object(ok=(), console_of=BIDDERS),
        post=GET_ONLY,
        why="a consortium's agreement is its members' own: nobody in the matrix leads one",
    ),
    Case("enrolment_list", get=console(*BIDDERS), post=GET_ONLY),
    # The lot's enrolment list (bdworkspace): nothing before the opening, not even to its desk
    # and owner (404); theirs after it; the lot's other readers get 403 (招标投标法 第22条).
    Case(
        "lot_roster",
        state="published",
        kwargs=lambda w: {"pk": w.lots["published"].pk},
        get=published(ok=frozenset()) | dict.fromkeys(OWNER_SIDE | {STAFF}, HIDDEN),
        post=GET_ONLY,
    ),
    Case(
        "lot_roster",
        state="evaluation",
        kwargs=lambda w: {"pk": w.lots["evaluation"].pk},
        get=published(ok=OWNER_SIDE | {STAFF}),
        post=GET_ONLY,
    ),
    # The public portal, open data and verification.
    Case("home", get=PUBLIC, post=GET_ONLY),
    Case("portal_notices", get=PUBLIC, post=GET_ONLY),
    Case("portal_results", get=PUBLIC, post=GET_ONLY),
    Case("portal_open_tenders", get=PUBLIC, post=GET_ONLY),
    Case("portal_rules", get=PUBLIC, post=GET_ONLY),
    Case(
        "portal_notice_detail",
        kwargs=lambda w: {"pk": w.notices["published"].pk},
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Case("verify", get=PUBLIC, post=PUBLIC),
    Case(
        "verify_pdf",
        kwargs=lambda w: {"code": w.notices["published"].verification_code},
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Case(
        "ocds_release_package",
        kwargs=lambda w: {"code": w.published.code},
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Case("notice_changes", get=PUBLIC, post=GET_ONLY),
    Case(
        "notice_feed",
        kwargs=lambda w: {
            "region_code": w.people.region.code,
            "business_type_code": w.people.business_type.code,
        },
        get=PUBLIC,
        post=GET_ONLY,
    ),
    # The desks' notices: staff of another desk may not know a draft, but a published notice
    # is on the portal.
    # Desk staff review their desks' notices; the center's administrator reads every desk's.
    Case("notice_queue", get=console(*CENTER), post=GET_ONLY),
    Case(
        "notice_edit",
        state="draft",
        kwargs=lambda w: {"pk": w.notices["draft"].pk},
        get=on_object(ok={STAFF}, console_of=DESK_STAFF),
        post=on_object(ok={STAFF}, console_of=DESK_STAFF),
    ),
    Case(
        "notice_approve",
        state="draft",
        kwargs=lambda w: {"pk": w.notices["draft"].pk},
        get=POST_ONLY,
        post=on_object(ok={STAFF}, console_of=DESK_STAFF),
    ),
    Case(
        "notice_retry",
        state="failed",
        kwargs=lambda w: {"pk": w.notices["failed"].pk},
        get=POST_ONLY,
        post=on_object(ok={STAFF}, console_of=DESK_STAFF),
    ),
    Case(
        "notice_correct",
        state="published",
        kwargs=lambda w: {"pk": w.notices["published"].pk},
        get=POST_ONLY,
        post=on_object(ok={STAFF}, knows=SIGNED_IN, console_of=DESK_STAFF),
    ),
    # The bidder's one deposit page per enrolment; nobody else learns the enrolment exists.
    Case(
        "enrolment_deposit",
        kwargs=_bdrefunds_enrolment,
        get=on_object(ok={BIDDER}),
        post=everyone(NOT_ALLOWED),
    ),
    Case(
        "enrolment_guarantee_apply",
        kwargs=_bdrefunds_enrolment,
        get=POST_ONLY,
        post=on_object(ok={BIDDER}),
    ),
    Case(
        "enrolment_guarantee_register",
        kwargs=_bdrefunds_enrolment,
        get=POST_ONLY,
        post=on_object(ok={BIDDER}),
    ),
    # bdmoney: deposits. The bank's webhook has no session: its signature is the credential, so
    # an unsigned POST is 403 whoever sends it, and a role's session opens nothing.
    Case(
        "bank_notification",
        get=everyone(NOT_ALLOWED),
        post=everyone(FORBIDDEN),
        why="the bank's, signature-checked (HMAC-SHA256), no session",
    ),
    # A deposit is the enrolment's own: nobody else may learn who enrolled (法 第22条).
    Case(
        "deposit_demo_transfer",
        kwargs=lambda w: {"enrolment_id": matrix_enrolment(w).pk},
        get=on_object(ok={BIDDER}),
        post=on_object(ok={BIDDER}),
    ),
    Case("deposit_discrepancies", get=console(*CENTER), post=GET_ONLY),
    # Sealed bids (sbsubmit): the bidder's own, before the opening nobody else learns whether
    # it bid — a bid id of anybody else's is not found, whoever asks (招标投标法 第22条).
    Case(
        "sealed_bid_lot",
        kwargs=lambda w: {"pk": matrix_enrolment(w).lot_id},
        get=on_object(ok={BIDDER}, console_of=BIDDERS),
        post=GET_ONLY,
        why="a bidder that did not enrol is told the lot's bids are not found",
    ),
    Case(
        "sealed_bid_start",
        kwargs=lambda w: {"pk": matrix_enrolment(w).lot_id},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}, console_of=BIDDERS),
    ),
    Case(
        "sealed_bid_withdraw",
        kwargs=lambda w: {"pk": matrix_enrolment(w).lot_id},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}, console_of=BIDDERS),
        why="with no committed bid the bidder is sent back to its bid page with the reason",
    ),
    Case(
        "sealed_bid_chunk",
        kwargs=lambda w: {"token": matrix_bid(w).token, "index": 0, "counter": 0},
        get=on_object(ok={BIDDER}),
        post=on_object(ok={BIDDER}),
        why="an empty chunk is refused with a reason (400)",
    ),
    Case(
        "sealed_bid_commit",
        kwargs=lambda w: {"token": matrix_bid(w).token},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}),
        why="an empty commit body is refused with a reason (400)",
    ),
    Case(
        "sealed_bid_receipt",
        kwargs=lambda w: {"token": matrix_bid(w).token},
        get=on_object(ok={BIDDER}),
        post=GET_ONLY,
    ),
    # Public: whoever holds a receipt checks it; nothing is looked up by lot or bidder number.
    Case("sealed_bid_receipt_verify", get=PUBLIC, post=PUBLIC),
    # The opening room (sbroom): the host's side, the desk's staff, the lot's own bidder and its
    # regulator (read-only) sit in it; a bidder that did not enrol — and the other jurisdiction's
    # regulator — may not learn of it (404); other signed-in users know the lot, not the room.
    Case(
        "bidding_opening_room",
        kwargs=lambda w: {"lot_id": matrix_enrolment(w).lot_id},
        get=OPENING_ROOM,
        post=GET_ONLY,
    ),
    # The auction room (auroom): public — the price, the countdown and bidder numbers are for
    # everybody to watch (国土资源部令第39号 第18条); the seat decides what one may do in it.
    Case(
        "bidding_auction_room",
        kwargs=lambda w: {"lot_id": matrix_auction(w).lot_id},
        get=PUBLIC,
        post=GET_ONLY,
    ),
    # Live auctions (aubid): the lot's own bidder bids and declares; a bidder that did not enrol
    # is not told of the auction (404), other roles may not bid (403).
    Case(
        "auction_bid",
        kwargs=lambda w: {"lot_id": matrix_auction(w).lot_id},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}, console_of=BIDDERS),
        why="an empty form is sent back to the auction with the reason",
    ),
    Case(
        "auction_declare",
        kwargs=lambda w: {"lot_id": matrix_auction(w).lot_id},
        get=POST_ONLY,
        post=on_object(ok={BIDDER}, console_of=BIDDERS),
        why="outside the declaration window the bidder is sent back with the reason",
    ),
    # Live auctions (aurules): the reserve price is the lot's desk's (two of its staff decide);
    # everybody else who knows the published lot gets 403, the same page and action.
    Case(
        "auction_reserve",
        kwargs=_auction_lot,
        get=published(ok={STAFF}),
        post=published(ok={STAFF}),
    ),
]

# Includes covered by one entry each (their own pages are the admin's, not ours).
WHOLE = ("admin/",)

WEBSOCKET_CASES = [
    SocketCase("ws-time", everyone(ACCEPT) | {ANONYMOUS: CLOSE}),
    SocketCase(
        "ws-opening",
        OPENING_ROOM_SOCKET,
        kwargs=lambda w: {"lot_id": matrix_enrolment(w).lot_id},
    ),
    SocketCase(
        "ws-auction", everyone(ACCEPT), kwargs=lambda w: {"lot_id": matrix_auction(w).lot_id}
    ),
]

# --- the tests -----------------------------------------------------------------------------------


@pytest.fixture
def _quiet(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notices import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(tasks.notice_render, "apply_async", lambda *a, **k: None)


def _missing_and_stale(
    cases: list[Case] | list[SocketCase], routes: list[Route]
) -> tuple[list[str], list[str]]:
    keys = {route.key for route in routes}
    covered = {case.key for case in cases}
    return sorted(keys - covered), sorted(covered - keys)


def test_matrix_covers_every_route() -> None:
    routes = http_routes(whole=WHOLE)
    keys = [route.key for route in routes]
    assert len(keys) == len(set(keys)), "two routes share a name: give the table one each"
    missing, stale = _missing_and_stale(CASES, routes)
    assert not missing, f"routes without a row in the permission matrix: {missing}"
    assert not stale, f"rows of the permission matrix for no route: {stale}"
    ws_missing, ws_stale = _missing_and_stale(WEBSOCKET_CASES, websocket_routes())
    assert not ws_missing, f"WebSocket routes without a row: {ws_missing}"
    assert not ws_stale, f"WebSocket rows for no route: {ws_stale}"
    for case in CASES:
        assert set(case.get) == set(case.post) == set(ROLES), f"{case.label}: a role is missing"
    for socket in WEBSOCKET_CASES:
        assert set(socket.expected) == set(ROLES), f"{socket.label}: a role is missing"


@pytest.mark.django_db
@pytest.mark.timeout(600)
def test_matrix_http(_quiet: None, clock: ControlledClock) -> None:
    world = build_world(clock)
    arguments = {route.key: route.arguments for route in http_routes(whole=WHOLE)}
    for case in CASES:
        given = set(case.kwargs(world)) if case.kwargs else set()
        assert given == arguments[case.key], f"{case.label}: fill exactly {arguments[case.key]}"
    before = world_state(world)
    mismatches = run_http(CASES, world)
    assert world_state(world) == before, "a cell changed the world: cells must roll back"
    if mismatches:
        pytest.fail(mismatch_table(mismatches, total=len(CASES) * 2 * len(ROLES)), pytrace=False)


# --- WebSockets ----------------------------------------------------------------------------------

ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")


def _ws_path(pattern: str, kwargs: dict[str, Any]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern)


async def _ws_outcome(path: str, session_key: str | None) -> str:
    from config.asgi import application

    headers = [ORIGIN, HOST]
    if session_key is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        connected, _ = await communicator.connect()
    except Exception as error:
        return f"500 {type(error).__name__}: {str(error)[:80]}"
    if connected:
        await communicator.disconnect()
        return ACCEPT
    return CLOSE


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300)
async def test_matrix_websocket(_quiet: None, clock: ControlledClock) -> None:
    world: MatrixWorld = await sync_to_async(build_world)(clock, publish_notice=False)
    keys = await sync_to_async(session_keys)(world.users)
    patterns = {route.key: route.pattern for route in websocket_routes()}
    mismatches = []
    for socket in WEBSOCKET_CASES:
        kwargs = await sync_to_async(socket.kwargs)(world) if socket.kwargs else {}
        path = _ws_path(patterns[socket.key], kwargs)
        for role in ROLES:
            got = await _ws_outcome(path, keys[role])
            if got != socket.expected[role]:
                mismatches.append(Cell(socket.label, "WS", role, socket.expected[role], got))
    if mismatches:
        pytest.fail(
            mismatch_table(mismatches, total=len(WEBSOCKET_CASES) * len(ROLES)), pytrace=False
        )
