"""Reads of projects, tenders and lots, and their access chokepoints (DESIGN.md §3).

`access_tender` / `access_lot` return the object or raise Http404: a user who may not act on a
tender must not learn that it exists. One condition per line, so a review can read who sees what.
Superuser status grants nothing here: platform administrators manage reference data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_users_with_perms

from trading.clock import get_clock
from trading.domain.employer import Grant, OrganisationKind
from trading.domain.lifecycle import TERMINAL, Family, LotStatus, TenderStatus
from trading.domain.timeline import (
    Calendar,
    Light,
    Rule,
    Violation,
    check_amounts,
    check_schedule,
    earliest,
    latest,
    light,
    rules_in_force,
)
from trading.domain.timeline import schedule_points as timeline_points
from trading.models import (
    Desk,
    DocumentDownload,
    LedgerEntry,
    Lot,
    Objection,
    Project,
    Tender,
    TenderDocument,
    User,
)
from trading.models.tenders import DocumentKind
from trading.selectors.grants import desk_list_operated_by, jurisdiction_list_supervised_by
from trading.selectors.rules import calendar_load, rules_load
from trading.timeline_sources import timeline_sources

SHANGHAI = ZoneInfo("Asia/Shanghai")

VIEW = "view"
EDIT = "edit"
OPERATE = "operate"
SUPERVISE = "supervise"
PURPOSES = frozenset({VIEW, EDIT, OPERATE, SUPERVISE})

# A statutory date turns yellow this long before it is due.
WARN_BEFORE = timedelta(days=3)


def tender_scope_key(tender_id: int) -> str:
    """The ledger chain of one tender (DESIGN.md invariant 6)."""
    return f"tender:{tender_id}"


def sealed_scope_key(lot_id: int) -> str:
    """The lot's sealed chain: who takes part, shown to no one before the opening (inv. 3, 6)."""
    return f"lot:{lot_id}:sealed"


def shanghai_day(moment: datetime) -> date:
    """Day boundaries are Asia/Shanghai's (DESIGN.md invariant 1)."""
    return moment.astimezone(SHANGHAI).date()


# --- who is who -----------------------------------------------------------------------------


def _organisation_id(user: User) -> int | None:
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return None
    return user.organisation_id


def is_owner_side(user: User, project: Project) -> bool:
    """The owner (招标人) or its agency, acting through a verified organisation."""
    org_id = _organisation_id(user)
    if org_id is None or org_id not in (project.owner_id, project.agency_id):
        return False
    return user.organisation is not None and user.organisation.is_verified


def operates_desk(user: User, desk_id: int) -> bool:
    if _organisation_id(user) is None:
        return False
    return desk_list_operated_by(user).filter(pk=desk_id).exists()


def supervises(user: User, tender: Tender) -> bool:
    if _organisation_id(user) is None:
        return False
    project = tender.project
    return any(
        jurisdiction.covers(
            region=project.region, business_type=project.business_type, industry=project.industry
        )
        for jurisdiction in jurisdiction_list_supervised_by(user)
    )


def may(user: User, tender: Tender, *, purpose: str) -> bool:
    """Whether `user` may use `tender` for `purpose` ("view" | "edit" | "operate" | "supervise")."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if _organisation_id(user) is None:
        return False
    owner_side = is_owner_side(user, tender.project)
    if purpose == EDIT:
        # The owner drafts; desk staff may draft on an owner's behalf (a second one publishes).
        return owner_side or (
            tender.status == TenderStatus.DRAFT
            and tender.drafted_by_id == user.pk
            and operates_desk(user, tender.desk_id)
        )
    if purpose == OPERATE:
        return operates_desk(user, tender.desk_id) and _staff_sees(user, tender)
    if purpose == SUPERVISE:
        return tender.status != TenderStatus.DRAFT and supervises(user, tender)
    return (
        owner_side
        or (operates_desk(user, tender.desk_id) and _staff_sees(user, tender))
        or (tender.status != TenderStatus.DRAFT and supervises(user, tender))
    )


def _staff_sees(user: User, tender: Tender) -> bool:
    # An owner's draft is its own until it is submitted for review.
    return tender.status != TenderStatus.DRAFT or tender.drafted_by_id == user.pk


def _tenders() -> QuerySet[Tender]:
    return Tender.objects.select_related(
        "project__region",
        "project__business_type",
        "project__industry",
        "project__owner",
        "project__agency",
        "procedure",
        "desk",
    )


def access_tender(user: User, tender_id: int, *, purpose: str) -> Tender:
    """The tender if `user` may use it for `purpose`; 404 otherwise (its existence stays hidden)."""
    tender = _tenders().filter(pk=tender_id).first()
    if tender is None or not may(user, tender, purpose=purpose):
        raise Http404(_("没有找到该招标项目。"))
    return tender


def access_lot(user: User, lot_id: int, *, purpose: str) -> Lot:
    """The lot if `user` may use its tender for `purpose`; 404 otherwise."""
    lot = (
        Lot.objects.select_related(
            "tender__project__region",
            "tender__project__business_type",
            "tender__project__industry",
            "tender__project__owner",
            "tender__project__agency",
            "tender__procedure",
            "tender__desk",
        )
        .filter(pk=lot_id)
        .first()
    )
    if lot is None or not may(user, lot.tender, purpose=purpose):
        raise Http404(_("没有找到该标段。"))
    return lot


def owner_side_users(project: Project) -> list[User]:
    """Active users of the owner and its agency: who must answer, confirm and sign."""
    orgs = [org_id for org_id in (project.owner_id, project.agency_id) if org_id]
    return list(User.objects.filter(organisation_id__in=orgs, is_active=True).order_by("pk"))


def desk_staff_list(desk: Desk) -> list[User]:
    """Active center users who operate `desk` (who must review what is submitted to it)."""
    # Without attach_perms guardian returns a queryset of users.
    users: QuerySet[User] = cast(
        "QuerySet[User]",
        get_users_with_perms(
            desk, with_superusers=False, only_with_perms_in=[Grant.OPERATE_DESK.value]
        ),
    )
    return [
        user
        for user in users.order_by("pk")
        if user.is_active and user.organisation_kind == OrganisationKind.CENTER
    ]


# --- lists ----------------------------------------------------------------------------------


def project_list_for_owner(user: User) -> QuerySet[Project]:
    org_id = _organisation_id(user)
    if org_id is None:
        return Project.objects.none()
    return Project.objects.filter(Q(owner_id=org_id) | Q(agency_id=org_id)).select_related(
        "region", "business_type"
    )


def tender_list_for_owner(user: User) -> QuerySet[Tender]:
    """Tenders of the projects the user's organisation owns or acts for as agency."""
    org_id = _organisation_id(user)
    if org_id is None:
        return Tender.objects.none()
    return (
        _tenders()
        .filter(Q(project__owner_id=org_id) | Q(project__agency_id=org_id))
        .prefetch_related("lots")
    )


def tender_list_for_desk_staff(
    user: User, *, filters: Mapping[str, Any] | None = None
) -> QuerySet[Tender]:
    """Tenders of the user's desks, filtered by region, business type, procedure, status, date, q.

    `filters` keys (all optional): region, business_type, procedure (codes), status (a tender or
    lot status), date_from / date_to (dates, on the creation day), q (code or name), training.
    """
    if _organisation_id(user) is None:
        return Tender.objects.none()
    tenders = (
        _tenders()
        .filter(desk__in=desk_list_operated_by(user))
        .filter(~Q(status=TenderStatus.DRAFT) | Q(drafted_by_id=user.pk))
    )
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    if "region" in filters:
        tenders = tenders.filter(project__region__code=filters["region"])
    if "business_type" in filters:
        tenders = tenders.filter(project__business_type__code=filters["business_type"])
    if "procedure" in filters:
        tenders = tenders.filter(procedure__code=filters["procedure"])
    if "status" in filters:
        status = str(filters["status"])
        if status in TenderStatus.__members__.values():
            tenders = tenders.filter(status=status)
        else:
            tenders = tenders.filter(lots__status=status)
    if "date_from" in filters:
        tenders = tenders.filter(created_at__date__gte=filters["date_from"])
    if "date_to" in filters:
        tenders = tenders.filter(created_at__date__lte=filters["date_to"])
    if "q" in filters:
        q = str(filters["q"]).strip()
        tenders = tenders.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(project__name__icontains=q)
        )
    if "training" in filters:
        tenders = tenders.filter(project__training=bool(filters["training"]))
    return tenders.distinct().prefetch_related("lots")


def tender_list_review_queue(user: User) -> QuerySet[Tender]:
    """Submitted tenders of the user's desks that the user may publish (not their own drafts)."""
    return tender_list_for_desk_staff(
        user, filters={"status": TenderStatus.PENDING_REVIEW}
    ).exclude(drafted_by_id=user.pk)


def tender_list_for_regulator(user: User) -> QuerySet[Tender]:
    """Submitted and published tenders inside the user's jurisdictions."""
    if _organisation_id(user) is None:
        return Tender.objects.none()
    condition = Q(pk__in=[])
    for jurisdiction in jurisdiction_list_supervised_by(user):
        scope = Q(
            project__region_id__in=jurisdiction.region_ids(),
            project__business_type__in=jurisdiction.business_types.all(),
        )
        industries = list(jurisdiction.industries.values_list("pk", flat=True))
        if industries:
            scope &= (
                Q(project__industry__isnull=True)
                | Q(project__industry_id__in=industries)
                | Q(project__industry__parent_id__in=industries)
            )
        condition |= scope
    return _tenders().filter(condition).exclude(status=TenderStatus.DRAFT).distinct()


def objection_list_to_answer(user: User) -> QuerySet[Objection]:
    """Open objections on the lots of the user's projects, oldest due first."""
    org_id = _organisation_id(user)
    if org_id is None:
        return Objection.objects.none()
    return (
        Objection.objects.filter(answered_at__isnull=True)
        .filter(
            Q(lot__tender__project__owner_id=org_id) | Q(lot__tender__project__agency_id=org_id)
        )
        .select_related("lot__tender", "raised_by")
        .order_by("answer_due", "pk")
    )


def lot_list_for_owner(user: User, *, statuses: tuple[str, ...] = ()) -> QuerySet[Lot]:
    org_id = _organisation_id(user)
    if org_id is None:
        return Lot.objects.none()
    lots = Lot.objects.filter(
        Q(tender__project__owner_id=org_id) | Q(tender__project__agency_id=org_id)
    ).select_related("tender__project")
    if statuses:
        lots = lots.filter(status__in=statuses)
    return lots


def tender_document_list(tender: Tender) -> QuerySet[TenderDocument]:
    return tender.documents.order_by("version")


def lot_ledger_entries(lot: Lot) -> QuerySet[LedgerEntry]:
    """The lot's entries and its tender's own, in chain order (the lot page's history).

    Only the tender's chain: the lot's sealed scope (downloads, later enrolments) never shows here.
    """
    return (
        LedgerEntry.objects.filter(scope__key=tender_scope_key(lot.tender_id))
        .filter(Q(object_type="lot", object_id=str(lot.pk)) | Q(object_type="tender"))
        .order_by("seq")
    )


# --- legal rules ----------------------------------------------------------------------------


def schedule_points(tender: Tender, lot: Lot) -> dict[str, datetime]:
    """The lot's schedule under the timeline vocabulary (see `trading.domain.timeline`)."""
    return timeline_points(
        family=tender.procedure.family,
        announced_at=tender.announced_at,
        documents_issued_at=tender.documents_issued_at,
        clarification_deadline=tender.clarification_deadline,
        opens_at=lot.opens_at,
        closes_at=lot.closes_at,
        evaluation_reported_at=lot.evaluation_reported_at,
        publicity_starts_at=lot.publicity_starts_at,
        publicity_ends_at=lot.publicity_ends_at,
    )


def closing_point(tender: Tender) -> str:
    """What the lot's closes_at is called by the rules: the bid deadline or the listing end."""
    return "listing_end" if tender.procedure.family == Family.LISTING_AUCTION else "bid_deadline"


def lot_amounts(lot: Lot) -> dict[str, Decimal]:
    return {"estimate": lot.estimate, "deposit": lot.deposit_amount}


def tender_rules(tender: Tender, *, on: date) -> list[Rule]:
    """The rules in force for the tender on `on` (its region's overrides included)."""
    project = tender.project
    return rules_in_force(
        rules_load(),
        business_type=project.business_type.code,
        procedure=tender.procedure.code,
        region=project.region.code,
        on=on,
    )


def _today() -> date:
    return shanghai_day(get_clock()())


def tender_violations(
    tender: Tender,
    *,
    on: date | None = None,
    lots: list[Lot] | None = None,
    now: datetime | None = None,
) -> list[Violation]:
    """Every schedule and amount of the tender and its lots checked against the rules in force.

    A tender keeps the rule set of the day it was published (`rules_as_of`); before that, today's,
    and it is checked as if announced now (documents cannot be issued before the announcement).
    Training tenders are checked on their scaled schedule (one day in 1/time_scale of a day).
    """
    published = tender.status == TenderStatus.PUBLISHED
    if not published:
        now = now or get_clock()()
    day = on or tender.rules_as_of or (shanghai_day(now) if now else _today())
    rules = tender_rules(tender, on=day)
    calendar = calendar_load()
    scale = tender.project.time_scale if tender.project.training else 1
    found: list[Violation] = []
    for lot in lots if lots is not None else list(tender.lots.order_by("pk")):
        points = schedule_points(tender, lot)
        if now is not None and not published:
            points["announced"] = now
            points["documents_issued"] = max(points.get("documents_issued", now), now)
        points = scaled_points(points, scale)
        found.extend(check_schedule(points, rules, calendar))
        found.extend(check_amounts(lot_amounts(lot), rules))
    return _unique(found)


def scaled_points(points: dict[str, datetime], scale: int) -> dict[str, datetime]:
    """A training schedule stretched back to legal time around its first point."""
    if scale == 1 or not points:
        return dict(points)
    anchor = min(points.values())
    return {name: anchor + (moment - anchor) * scale for name, moment in points.items()}


def _unique(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for violation in violations:
        key = (violation.rule_key, str(violation.message))
        if key not in seen:
            seen.add(key)
            unique.append(violation)
    return unique


def rule_between(rules: list[Rule], from_point: str, to_point: str) -> list[Rule]:
    return [
        rule
        for rule in rules
        if rule.kind == "period" and rule.from_point == from_point and rule.to_point == to_point
    ]


def earliest_after(
    start: datetime,
    rules: list[Rule],
    calendar: Calendar,
    *,
    scale: int = 1,
) -> datetime | None:
    """The earliest end lawful under every minimum in `rules` (None when there is none)."""
    bounds = [earliest(start, rule, calendar) for rule in rules if rule.minimum is not None]
    if not bounds:
        return None
    return start + (max(bounds) - start) / scale


def latest_after(
    start: datetime, rules: list[Rule], calendar: Calendar, *, scale: int = 1
) -> datetime | None:
    """The latest end lawful under every maximum in `rules` (None when there is none)."""
    bounds = [latest(start, rule, calendar) for rule in rules if rule.maximum is not None]
    if not bounds:
        return None
    return start + (min(bounds) - start) / scale


def amendment_earliest_deadline(tender: Tender, now: datetime) -> datetime:
    """The earliest lawful bid deadline after an amendment issued at `now` (实施条例 第21条)."""
    rules = tender_rules(tender, on=tender.rules_as_of or shanghai_day(now))
    scale = tender.project.time_scale if tender.project.training else 1
    found = earliest_after(
        now, rule_between(rules, "amendment", "bid_deadline"), calendar_load(), scale=scale
    )
    return found or now


# --- the lot's timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One statutory or scheduled date of a lot, with its light (green / yellow / red / done)."""

    key: str
    label: str
    due: datetime | None
    done_at: datetime | None
    light: Light | None
    article: str = ""


_PASSED_BIDDING = frozenset(
    {
        LotStatus.OPENING,
        LotStatus.AUCTION,
        LotStatus.EVALUATION,
        LotStatus.PUBLICITY,
        LotStatus.AWARDED,
        LotStatus.CONTRACTED,
        LotStatus.CLOSED,
        LotStatus.FAILED,
    }
)
_PASSED_PUBLICITY = frozenset({LotStatus.AWARDED, LotStatus.CONTRACTED, LotStatus.CLOSED})


def _article(rules: list[Rule], to_point: str) -> str:
    articles = [rule.article for rule in rules if rule.to_point == to_point and rule.article]
    return "；".join(dict.fromkeys(articles))


def _item(
    key: str,
    label: str,
    due: datetime | None,
    done_at: datetime | None,
    now: datetime,
    article: str = "",
) -> TimelineItem:
    lit = None if due is None else light(due=due, now=now, done_at=done_at, warn=WARN_BEFORE)
    return TimelineItem(key, label, due, done_at, lit, article)


def lot_timeline(lot: Lot, now: datetime) -> list[TimelineItem]:
    """Every statutory date of the lot with its light and the article that sets it."""
    tender = lot.tender
    rules = tender_rules(tender, on=tender.rules_as_of or shanghai_day(now))
    calendar = calendar_load()
    scale = tender.project.time_scale if tender.project.training else 1
    status = LotStatus(lot.status)
    listing = closing_point(tender) == "listing_end"
    items: list[TimelineItem] = []
    if tender.documents_issued_at is not None:
        done = tender.documents_issued_at if tender.status == TenderStatus.PUBLISHED else None
        items.append(
            _item("documents_issued", _("招标文件发出"), tender.documents_issued_at, done, now)
        )
    if tender.clarification_deadline is not None:
        items.append(
            _item(
                "clarification_deadline",
                _("澄清截止"),
                tender.clarification_deadline,
                tender.clarification_deadline if now >= tender.clarification_deadline else None,
                now,
                _article(rules, "clarification_deadline"),
            )
        )
    if lot.opens_at is not None:
        opened = lot.opens_at if status not in (LotStatus.DRAFT, LotStatus.PUBLISHED) else None
        label = _("挂牌开始") if listing else _("投标开始")
        items.append(_item("opens_at", label, lot.opens_at, opened, now))
    if lot.closes_at is not None:
        closed = lot.closes_at if status in _PASSED_BIDDING else None
        point = closing_point(tender)
        label = _("挂牌截止") if listing else _("投标截止（开标）")
        items.append(_item("closes_at", label, lot.closes_at, closed, now, _article(rules, point)))
    for objection in lot.objections.order_by("raised_at", "pk"):
        items.append(
            _item(
                f"objection:{objection.pk}",
                _("异议答复（%(stage)s）") % {"stage": objection.get_stage_display()},
                objection.answer_due,
                objection.answered_at,
                now,
                _article(rules, "objection_answer"),
            )
        )
    if lot.publicity_ends_at is not None:
        ended = lot.publicity_ends_at if status in _PASSED_PUBLICITY else None
        items.append(
            _item(
                "publicity_end",
                _("公示期满"),
                lot.publicity_ends_at,
                ended,
                now,
                _article(rules, "publicity_end"),
            )
        )
    award = getattr(lot, "award", None) if status in _PASSED_PUBLICITY else None
    if award is not None:
        contract = getattr(lot, "contract", None)
        contract_due = latest_after(
            award.letter_issued_at,
            rule_between(rules, "award_letter", "contract"),
            calendar,
            scale=scale,
        ) or calendar.add_days(award.letter_issued_at, 30, "day")
        items.append(
            _item(
                "contract",
                _("签订合同"),
                contract_due,
                contract.recorded_at if contract is not None else None,
                now,
                _article(rules, "contract") or _("招标投标法 第46条"),
            )
        )
        report = lot_report_document(lot)
        report_due = latest_after(
            award.confirmed_at,
            rule_between(rules, "award_letter", "report"),
            calendar,
            scale=scale,
        ) or calendar.add_days(award.confirmed_at, 15, "day")
        items.append(
            _item(
                "report",
                _("提交书面报告"),
                report_due,
                report.uploaded_at if report is not None else None,
                now,
                _article(rules, "report") or _("招标投标法 第47条"),
            )
        )
    for source in timeline_sources():
        items.extend(source(lot, now))
    return items


def lot_report_document(lot: Lot) -> TenderDocument | None:
    """The written report to the regulator (法 第47条) filed for the lot, if any."""
    return (
        TenderDocument.objects.filter(lot_id=lot.pk, kind=DocumentKind.REPORT)
        .order_by("version")
        .first()
    )


def lot_is_open(lot: Lot) -> bool:
    return LotStatus(lot.status) not in TERMINAL and lot.status != LotStatus.DRAFT


# --- documents for bidders, and who downloaded them (法 第22条) --------------------------------

# What a bidder may obtain: the documents and their clarifications and amendments.
BIDDER_DOCUMENT_KINDS = frozenset(
    {DocumentKind.TENDER_DOCUMENTS, DocumentKind.CLARIFICATION, DocumentKind.AMENDMENT}
)
# Before the opening: who takes part is secret while a lot is in one of these.
BEFORE_OPENING = frozenset({LotStatus.DRAFT, LotStatus.PUBLISHED, LotStatus.BIDDING})
OPEN_FOR_BIDS = (LotStatus.PUBLISHED, LotStatus.BIDDING)


def tender_list_for_bidder(*, training: bool = False) -> QuerySet[Tender]:
    """Published tenders with a lot open for bids, with those lots and the bidders' documents.

    Each tender carries `open_lots` and `bidder_documents`; the nearest deadline comes first.
    Training tenders are listed apart (`training=True`), never mixed with real ones.
    """
    open_lots = Lot.objects.filter(status__in=OPEN_FOR_BIDS).order_by("closes_at", "pk")
    documents = (
        TenderDocument.objects.filter(kind__in=BIDDER_DOCUMENT_KINDS)
        .filter(Q(lot__isnull=True) | Q(lot__status__in=OPEN_FOR_BIDS))
        .order_by("version")
    )
    return (
        _tenders()
        .filter(status=TenderStatus.PUBLISHED, project__training=training)
        .filter(Exists(Lot.objects.filter(tender_id=OuterRef("pk"), status__in=OPEN_FOR_BIDS)))
        .annotate(next_deadline=Min("lots__closes_at", filter=Q(lots__status__in=OPEN_FOR_BIDS)))
        .prefetch_related(
            Prefetch("lots", queryset=open_lots, to_attr="open_lots"),
            Prefetch("documents", queryset=documents, to_attr="bidder_documents"),
        )
        .order_by("next_deadline", "pk")
    )


def lot_document_downloads(lot: Lot, *, role: str) -> QuerySet[DocumentDownload] | None:
    """Who downloaded the lot's documents, or None while that is secret (法 第22条, inv. 3).

    Desk staff and the owner see it once the lot is opened; when the procedure qualifies bidders
    openly (bidder_list_secret false: property transfers) desk staff see it at any time. A
    document of the whole tender stays sealed while any of its lots still takes bids. `role` is
    the reader's as the lot page found it through `access_lot`: "owner", "staff" or "regulator".
    """
    if role not in ("owner", "staff"):
        return None
    tender = lot.tender
    secret = tender.procedure.bidder_list_secret
    own = Q(document__lot_id=lot.pk)
    whole = Q(document__lot__isnull=True)
    if role == "staff" and not secret:
        documents = own | whole
    elif lot.status in _PASSED_BIDDING:
        siblings_sealed = tender.lots.filter(status__in=BEFORE_OPENING).exists()
        documents = own if secret and siblings_sealed else own | whole
    else:
        return None
    return (
        DocumentDownload.objects.filter(document__tender_id=tender.pk)
        .filter(documents)
        .select_related("organisation", "document")
        .order_by("downloaded_at", "pk")
    )
