"""The permission matrix's machinery: the routes, the roles, one world of objects, the outcomes.

`tests/functional/test_permission_matrix.py` holds the table (what each role gets on each route);
this module enumerates the routes from the URL configuration, builds the world whose objects fill
their URL arguments, signs each role in once, runs every cell in a transaction that is rolled back
(so a POST that goes through changes nothing for the next cell) and reports the mismatches as one
table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bidding.models import Certificate
from bidding.services.vault import CertificateFacts, certificate_add
from notices.complaint_delivery import complaint_document_render_and_store
from notices.models import ComplaintDocument, Notice, NoticeKind
from notices.services import notice_approve, notice_render_failed
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.factories import make_organisation, make_user
from tests.notices import deliver_events, fake_complaint_render, fake_render
from tests.tenders import (
    World,
    closes,
    first_lot,
    issue_award_letter,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import local_date as shanghai_day
from trading.models import (
    Complaint,
    Lot,
    Notification,
    Objection,
    Organisation,
    Tender,
    TenderDocument,
    User,
)
from trading.models.tenders import DocumentKind
from trading.services.awards import award_confirm, contract_record
from trading.services.complaints import (
    complaint_accept,
    complaint_file,
    complaint_statements_request,
)
from trading.services.objections import objection_answer, objection_raise
from trading.services.outcomes import lot_record_bid_count

# --- outcomes ----------------------------------------------------------------------------------

OK = "ok"  # 2xx; 400 (a form's errors); a redirect anywhere but a login page
LOGIN = "login"  # 302 to the login page
ADMIN_LOGIN = "admin_login"  # 302 to the admin's login page
FORBIDDEN = "forbidden"  # 403
HIDDEN = "hidden"  # 404
NOT_ALLOWED = "not_allowed"  # 405
ACCEPT = "accept"  # a WebSocket accepted
CLOSE = "close"  # a WebSocket closed during the handshake

Expected = Mapping[str, str]  # role → outcome

# --- roles -------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
BIDDER = "bidder"
UNVERIFIED_BIDDER = "unverified_bidder"
OWNER = "owner"
OTHER_OWNER = "other_owner"
AGENCY = "agency"
STAFF = "staff"
OTHER_DESK_STAFF = "other_desk_staff"
CENTER_ADMIN = "center_admin"
REGULATOR = "regulator"
OTHER_REGULATOR = "other_regulator"
EXPERT = "expert"
SUPERUSER = "superuser"

ROLES = (
    ANONYMOUS,
    BIDDER,
    UNVERIFIED_BIDDER,
    OWNER,
    OTHER_OWNER,
    AGENCY,
    STAFF,
    OTHER_DESK_STAFF,
    CENTER_ADMIN,
    REGULATOR,
    OTHER_REGULATOR,
    EXPERT,
    SUPERUSER,
)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in_only() -> dict[str, str]:
    """A page of every signed-in user; anonymous visitors are sent to log in."""
    return everyone(OK) | {ANONYMOUS: LOGIN}


def console(*roles: str) -> dict[str, str]:
    """A role's console: its role gets it, other signed-in users 403, anonymous visitors log in."""
    return everyone(FORBIDDEN) | dict.fromkeys(roles, OK) | {ANONYMOUS: LOGIN}


def on_object(
    *, ok: Iterable[str], knows: Iterable[str] = (), console_of: Iterable[str] | None = None
) -> dict[str, str]:
    """An object's page or action: 404 to whoever may not know it exists, 403 to whoever may.

    `ok` may use it; `knows` may know it exists (and get 403); with `console_of` the route lies
    in that role's console, so every other signed-in user gets 403 before the object is looked up.
    """
    expected = everyone(HIDDEN) | dict.fromkeys(knows, FORBIDDEN) | dict.fromkeys(ok, OK)
    if console_of is not None:
        expected |= dict.fromkeys(SIGNED_IN - set(console_of), FORBIDDEN)
    return expected | {ANONYMOUS: LOGIN}


# --- routes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One pattern of the URL configuration, or a whole include covered by one entry."""

    key: str  # the URL name, or the pattern of an include covered as a whole ("admin/")
    pattern: str
    arguments: frozenset[str]


def _arguments(pattern: Any) -> frozenset[str]:
    return frozenset(pattern.regex.groupindex)


def walk(
    patterns: Iterable[URLPattern | URLResolver], *, whole: Iterable[str] = ()
) -> Iterator[Route]:
    """Every URL pattern under `patterns`; includes whose pattern is in `whole` count as one."""
    covered_whole = frozenset(whole)

    def descend(
        items: Iterable[URLPattern | URLResolver], prefix: str, arguments: frozenset[str]
    ) -> Iterator[Route]:
        for item in items:
            pattern = prefix + str(item.pattern)
            found = arguments | _arguments(item.pattern)
            if isinstance(item, URLResolver):
                if pattern in covered_whole:
                    yield Route(pattern, pattern, found)
                else:
                    yield from descend(item.url_patterns, pattern, found)
            else:
                yield Route(item.name or pattern, pattern, found)

    yield from descend(patterns, "", frozenset())


def http_routes(*, whole: Iterable[str]) -> list[Route]:
    return list(walk(get_resolver().url_patterns, whole=whole))


def websocket_routes() -> list[Route]:
    # The patterns config.asgi routes, not a copy of them.
    from config import asgi

    return list(walk(asgi.websocket_urlpatterns))


# --- the world ---------------------------------------------------------------------------------


@dataclass
class MatrixWorld:
    """One object per state a route needs, around one desk (tests.tenders.World)."""

    people: World
    users: dict[str, User | None]
    draft: Tender  # the owner's, never submitted
    pending: Tender  # submitted, awaiting review
    published: Tender  # published, its lot announced (PUBLISHED)
    objected: Tender  # published, a bidder objected to its documents
    lots: dict[str, Lot]  # by state: draft, published, opening, evaluation, publicity, ...
    document: TenderDocument  # the published tender's documents, offered to bidders
    objection: Objection
    # A complaint by the first bidder on its answered objection, a statement asked of the owner.
    complaint: Complaint
    # Its 受理通知书, stored (an engineering complaint's: delivered, not published).
    complaint_document: ComplaintDocument
    notification: Notification  # the owner's
    awaiting: Organisation  # a registered bidder the center has not verified yet
    notices: dict[str, Notice]  # draft, failed, published
    # bdvault: a certificate in the first bidder's vault.
    certificate: Certificate


def _announcement(tender: Tender) -> Notice:
    return Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)


def build_world(clock: ControlledClock, *, publish_notice: bool = True) -> MatrixWorld:
    """The world of the matrix, made through the services; the clock ends after all of it.

    Without `publish_notice` nothing is published (notices["published"] stays a draft): a
    transactional test on SQLite could not delete a published notice when it ends (the
    immutability trigger; PostgreSQL's TRUNCATE fires no row trigger).
    """
    people = make_world(business_type="engineering")
    # Lots that have gone through bidding, each stopped in one state.
    later = {
        state: make_tender(people, name=f"权限矩阵{state}")
        for state in ("opening", "evaluation", "publicity", "awarded", "contracted")
    }
    lots = {state: first_lot(tender) for state, tender in later.items()}
    clock.set(closes(lots["opening"]) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    for lot in lots.values():
        lot.refresh_from_db()
    lots["evaluation"] = lot_record_bid_count(lot=lots["evaluation"], count=3, actor=people.staff)
    for state in ("publicity", "awarded", "contracted"):
        lots[state] = record_outcome(people, lots[state])
    clock.set(publicity_end(lots["publicity"]) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    awards = {}
    for state in ("awarded", "contracted"):
        candidate = lots[state].candidates.order_by("rank").first()
        assert candidate is not None
        awards[state] = award_confirm(lot=lots[state], candidate=candidate, actor=people.owner_user)
    issue_award_letter(lots["contracted"])
    contract_record(
        lot=lots["contracted"],
        signed_on=shanghai_day(clock.now),
        amount=awards["contracted"].price,
        file=pdf_file("contract.pdf"),
        actor=people.owner_user,
    )
    # Tenders of today: announced, objected to, awaiting review, drafted.
    published = make_tender(people, name="权限矩阵已发布")
    objected = make_tender(people, name="权限矩阵异议")
    pending = make_tender(people, name="权限矩阵待审核", publish=False)
    draft = make_tender(people, name="权限矩阵草稿", submit=False)
    lots |= {"published": first_lot(published), "draft": first_lot(draft)}
    objection = objection_raise(
        lot=first_lot(objected),
        stage="documents",
        text="评分办法对本地企业有倾向性。",
        actor=people.bidder_users[0],
    )
    complaint = _complaint(people)
    deliver_events(clock)
    complaint_document = ComplaintDocument.objects.get(complaint=complaint)
    complaint_document_render_and_store(
        complaint_document.pk, render=fake_complaint_render, clock=clock
    )
    notices = {
        "draft": _announcement(published),
        "failed": _announcement(objected),
        "published": _announcement(later["opening"]),
    }
    notice_approve(notice=notices["failed"], actor=people.staff)
    notice_render_failed(notice=notices["failed"], error="OSError: 字体文件不存在", clock=clock)
    if publish_notice:
        notice_approve(notice=notices["published"], actor=people.staff)
        notice_render_and_publish(notices["published"].pk, render=fake_render, clock=clock)
    for notice in notices.values():
        notice.refresh_from_db()
    for lot in lots.values():
        lot.refresh_from_db()
    notification = Notification.objects.filter(recipient=people.owner_user).order_by("pk").first()
    assert notification is not None
    document = published.documents.get(kind=DocumentKind.TENDER_DOCUMENTS)
    assert people.staff.organisation is not None
    assert people.admin is not None and people.admin.is_superuser
    users: dict[str, User | None] = {
        ANONYMOUS: None,
        BIDDER: people.bidder_users[0],
        UNVERIFIED_BIDDER: make_user(make_organisation("bidder", verified=False)),
        OWNER: people.owner_user,
        OTHER_OWNER: people.other_owner_user,
        AGENCY: people.agency_user,
        STAFF: people.staff,
        OTHER_DESK_STAFF: people.other_desk_staff,
        CENTER_ADMIN: make_user(
            people.staff.organisation, first_name="中心管理员", is_organisation_admin=True
        ),
        REGULATOR: people.regulator,
        OTHER_REGULATOR: people.other_regulator,
        EXPERT: make_user(make_organisation("expert_pool")),
        SUPERUSER: people.admin,
    }
    return MatrixWorld(
        people=people,
        users=users,
        draft=draft,
        pending=pending,
        published=published,
        objected=objected,
        lots=lots,
        document=document,
        objection=objection,
        complaint=complaint,
        complaint_document=complaint_document,
        notification=notification,
        awaiting=_awaiting_with_licence(),
        notices=notices,
        certificate=_certificate(people.bidder_users[0]),
    )


def _complaint(people: World) -> Complaint:
    """A complaint past its acceptance, the owner asked for a statement (实施条例 第60、61条)."""
    lot = first_lot(make_tender(people, name="权限矩阵投诉"))
    objection = objection_raise(
        lot=lot, stage="documents", text="资格条件排斥外地企业。", actor=people.bidder_users[0]
    )
    objection_answer(objection=objection, answer="资格条件合法。", actor=people.owner_user)
    complaint = complaint_file(
        lot=lot, objection=objection, grounds="答复不成立。", actor=people.bidder_users[0]
    )
    complaint_accept(complaint=complaint, actor=people.regulator)
    complaint_statements_request(
        complaint=complaint,
        parties=[people.owner],
        due=complaint.filed_at + timedelta(days=5),
        actor=people.regulator,
    )
    return complaint


def _certificate(user: User) -> Certificate:
    assert user.organisation is not None
    return certificate_add(
        organisation=user.organisation,
        facts=CertificateFacts(
            kind="licence",
            name="安全生产许可证",
            number="(琼)JZ安许证字[2024]000123",
            issuer="海南省住房和城乡建设厅",
            issued_on=date(2024, 3, 1),
        ),
        file=pdf_file("licence.pdf"),
        actor=user,
    )


def _awaiting_with_licence() -> Organisation:
    organisation = make_organisation("bidder", verified=False, name="权限矩阵待核验投标有限公司")
    organisation.licence.save("licence.pdf", pdf_file("licence.pdf"))
    return organisation


def world_state(world: MatrixWorld) -> dict[str, Any]:
    """What a POST that went through would change: every cell must leave it as it was."""
    tenders = (world.draft, world.pending, world.published, world.objected)
    return {
        "tenders": [Tender.objects.get(pk=tender.pk).status for tender in tenders],
        "lots": {state: Lot.objects.get(pk=lot.pk).status for state, lot in world.lots.items()},
        "notices": {
            state: Notice.objects.get(pk=notice.pk).status
            for state, notice in world.notices.items()
        },
        "objection": Objection.objects.get(pk=world.objection.pk).answered_at,
        "notification": Notification.objects.get(pk=world.notification.pk).read_at,
        "awaiting": Organisation.objects.filter(pk=world.awaiting.pk)
        .values("verified_at", "decision", "name")
        .get(),
        "certificates": list(
            Certificate.objects.order_by("pk").values_list("pk", "replaced_at", "retired_at")
        ),
        "active_users": User.objects.filter(is_active=True).count(),
    }


def session_keys(users: Mapping[str, User | None]) -> dict[str, str | None]:
    """Each role's session, made once: cells roll back, so a logout does not end it."""
    keys: dict[str, str | None] = {}
    for role, user in users.items():
        if user is None:
            keys[role] = None
            continue
        client = Client()
        client.force_login(user)
        keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


# --- the table and its run ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One route with its URL arguments, and what each role gets by GET and by POST."""

    key: str
    get: Expected
    post: Expected
    state: str = ""  # which object fills the arguments, when a route has several cases
    kwargs: Callable[[MatrixWorld], dict[str, Any]] | None = None
    path: str = ""  # for an include covered as a whole
    why: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}[{self.state}]" if self.state else self.key

    def url(self, world: MatrixWorld) -> str:
        if self.path:
            return self.path
        return reverse(self.key, kwargs=self.kwargs(world) if self.kwargs else None)


@dataclass(frozen=True)
class SocketCase:
    """One WebSocket route with its URL arguments, and whether each role's socket is accepted."""

    key: str
    expected: Expected
    state: str = ""
    kwargs: Callable[[MatrixWorld], dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return f"{self.key}[{self.state}]" if self.state else self.key


@dataclass(frozen=True)
class Cell:
    label: str
    method: str
    role: str
    expected: str
    got: str


def classify(response: HttpResponseBase) -> str:
    code = response.status_code
    if 300 <= code < 400:
        path = urlsplit(response["Location"]).path
        if path == resolve_url(settings.LOGIN_URL):
            return LOGIN
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
        return OK
    if 200 <= code < 300 or code == 400:
        return OK
    return {403: FORBIDDEN, 404: HIDDEN, 405: NOT_ALLOWED}.get(code, f"HTTP {code}")


def request(url: str, method: str, session_key: str | None) -> str:
    """One cell: the request in a transaction rolled back afterwards, and its outcome."""
    client = Client()
    if session_key is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {})
            transaction.set_rollback(True)
    except Exception as error:  # a 500: reported with the rest, never the first only
        return f"500 {type(error).__name__}: {str(error)[:80]}"
    if response.streaming:
        # Read to the end: the client then closes the file without closing the test's connection
        # (response.close() would send request_finished, and Django would close it).
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return classify(response)


@contextmanager
def quiet_refusals() -> Iterator[None]:
    """Django logs every 403, 404 and 500 with a traceback: the matrix reports them itself."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def run_http(cases: Iterable[Case], world: MatrixWorld) -> list[Cell]:
    """Every cell of the table; returns the mismatches."""
    keys = session_keys(world.users)
    mismatches = []
    with quiet_refusals():
        for case in cases:
            url = case.url(world)
            for method, expected in (("GET", case.get), ("POST", case.post)):
                for role in ROLES:
                    got = request(url, method, keys[role])
                    if got != expected[role]:
                        mismatches.append(Cell(case.label, method, role, expected[role], got))
    return mismatches


def mismatch_table(cells: list[Cell], *, total: int) -> str:
    """The mismatches, one row per route, method and outcome pair, the roles listed together."""
    rows: dict[tuple[str, str, str, str], list[str]] = {}
    for cell in cells:
        rows.setdefault((cell.label, cell.method, cell.expected, cell.got), []).append(cell.role)
    header = ("route", "method", "expected", "got", "roles")
    lines = [header, *((*key, ", ".join(roles)) for key, roles in rows.items())]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    text = [
        "  ".join(value.ljust(width) for value, width in zip(line[:4], widths, strict=True))
        + "  "
        + line[4]
        for line in lines
    ]
    return f"{len(cells)} of {total} cells differ from the table:\n" + "\n".join(text)
