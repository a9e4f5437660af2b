"""A tender's rulebook and a lot's statutory dates with their lights (DESIGN.md §7).

`tender_rulebook` is the one place that decides which rules govern a tender (the set in force on
the day it was published, or today's before that), which calendar counts its days and how fast a
training tender's time runs. Every period the platform opens or checks is counted through it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trading.clock import get_clock
from trading.domain.holiday_calendar import is_calendar_refusal
from trading.domain.lifecycle import TERMINAL, Family, LotStatus, TenderStatus
from trading.domain.points import LISTING_FAMILIES, Point, notice_point
from trading.domain.points import schedule_points as timeline_points
from trading.domain.timeline import (
    Calendar,
    Light,
    Rule,
    Unit,
    Violation,
    check_amounts,
    check_schedule,
    earliest_after,
    latest_after,
    legal_day,
    light,
    local_date,
    rule_between,
    rules_in_force,
    scaled_points,
    start_of_day,
    until_after,
)
from trading.domain.vocabulary import terms_for
from trading.models import Award, Lot, Tender, TenderDocument
from trading.models.tenders import DocumentKind
from trading.selectors.calendar import calendar_not_entered_error, calendar_not_entered_message
from trading.selectors.rules import calendar_load, rules_load, snapshot_memo
from trading.selectors.tenders import lot_ledger_entries
from trading.timeline_sources import timeline_sources

# The hour of the first lawful day at which the platform proposes a deadline it computes.
PROPOSED_HOUR = timedelta(hours=9)

# A statutory date turns yellow this long before it is due.
WARN_BEFORE = timedelta(days=3)

# Where no rule row governs a period the platform must still open, the statute's own number.
FALLBACK_DAYS = {
    # 实施条例 第54条: candidates are publicised for at least 3 日.
    ("publicity_start", "publicity_end"): 3,
    # 实施条例 第22条: the owner answers an objection within 3 日.
    ("objection_documents", "objection_answer"): 3,
    ("objection_opening", "objection_answer"): 3,
    ("objection_result", "objection_answer"): 3,
    # 招标投标法 第46条: the contract within 30 日 of the award letter.
    ("award_letter", "contract"): 30,
    # 招标投标法 第47条: the written report within 15 日 of the award.
    ("award_letter", "report"): 15,
}


@dataclass(frozen=True)
class ComplaintLimits:
    """A business type's complaint rows (None where it has none): each a maximum period."""

    filing: Rule | None
    acceptance: Rule | None
    decision: Rule | None


@dataclass(frozen=True)
class Rulebook:
    """The rules governing one tender, the calendar that counts them, and its time scale."""

    rules: list[Rule]
    calendar: Calendar
    # A training tender runs `scale` legal days in one real day; 1 for every real tender.
    scale: int

    def between(self, from_point: str, to_point: str) -> list[Rule]:
        return rule_between(self.rules, from_point, to_point)

    def earliest_deadline(self, start: datetime, from_point: str, to_point: str) -> datetime | None:
        """The deadline the platform proposes for `to_point` after `start`: 09:00 of the first
        lawful day (None without a minimum); 00:00 would be the day before (民法典 第201条)."""
        day_starts = earliest_after(
            start, self.between(from_point, to_point), self.calendar, scale=1
        )
        if day_starts is None:
            return None
        proposal = day_starts + PROPOSED_HOUR
        return start + (proposal - start) / self.scale

    def latest(self, start: datetime, from_point: str, to_point: str) -> datetime | None:
        """The latest lawful moment for `to_point` after `start` (None without a maximum)."""
        return latest_after(
            start, self.between(from_point, to_point), self.calendar, scale=self.scale
        )

    def period_end(self, start: datetime, from_point: str, to_point: str) -> datetime:
        """The end of a period the platform opens at `start`: its rule's bound, or the statute's.

        A minimum (a publicity) lasts until 24:00 of its last day; without one, the maximum (an
        answer due) is the end; without either, the statute's own number of 日.
        """
        rules = self.between(from_point, to_point)
        found = until_after(start, rules, self.calendar, scale=self.scale) or self.latest(
            start, from_point, to_point
        )
        if found is None:
            days = FALLBACK_DAYS[from_point, to_point]
            found = start + (self.calendar.add_days(start, days, Unit.DAY) - start) / self.scale
        # A period ending in a year the holiday table does not hold cannot be counted (第203条).
        if not self.calendar.entered(legal_day(found)):
            raise calendar_not_entered_error(legal_day(found).year)
        return found

    def check(self, points: dict[str, datetime]) -> list[Violation]:
        """The schedule's violations, a training schedule checked as if it ran in legal time."""
        found = check_schedule(scaled_points(points, self.scale), self.rules, self.calendar)
        return [
            replace(
                violation,
                message=calendar_not_entered_message(legal_day(points[violation.point]).year),
            )
            if is_calendar_refusal(violation) and violation.point in points
            else violation
            for violation in found
        ]

    def article(self, to_point: str) -> str:
        articles = [
            rule.article for rule in self.rules if rule.to_point == to_point and rule.article
        ]
        return "；".join(dict.fromkeys(articles))

    def notice_rule(self, kind: str) -> Rule | None:
        """The rule row limiting how soon a notice of `kind` is published after its fact."""
        rules = [
            rule
            for rule in self.rules
            if rule.to_point == notice_point(kind) and rule.maximum is not None
        ]
        return rules[0] if rules else None

    def notice_due(self, kind: str, since: datetime) -> datetime | None:
        """The latest lawful publication of a notice of `kind` whose fact happened at `since`."""
        rule = self.notice_rule(kind)
        if rule is None:
            return None
        return self.latest(since, rule.from_point, rule.to_point)

    def complaint_limits(self) -> ComplaintLimits:
        """The limits of a complaint (投诉) under this tender's business type: filing, the
        regulator's acceptance and its decision (实施条例 第60、61条; 政府采购法 第55、56条,
        财政部令第94号 第21条)."""

        def one(to_point: str) -> Rule | None:
            rules = [r for r in self.rules if r.to_point == to_point and r.maximum is not None]
            return rules[0] if rules else None

        return ComplaintLimits(
            filing=one(Point.COMPLAINT),
            acceptance=one(Point.COMPLAINT_ACCEPTED),
            decision=one(Point.COMPLAINT_DECIDED),
        )

    def complaint_due(self, rule: Rule, start: datetime) -> datetime:
        """The last moment of a complaint limit counted from `start`. A start at 00:00 is the end
        of a period at 24:00 of the day before (民法典 第201条), so the count begins the next day:
        a 投诉 within 15 工作日 after the answer period ends (政府采购法 第55条)."""
        if rule.maximum is None:
            raise ValueError(f"rule {rule.key} sets no maximum")
        at_midnight = legal_day(start) != local_date(start)
        counted_from = start - timedelta(microseconds=1) if at_midnight else start
        end = self.calendar.add_days(counted_from, int(rule.maximum), rule.unit)
        return start + (end - start) / self.scale

    def deposit_refund_rules(self, *, winner: bool) -> list[Rule]:
        """When a bidder's deposit is refunded after the award: the rows for every bidder, or
        for the winner or the losers where the law counts them apart (实施条例 第57条; 87号令
        第38条). A withdrawal's refund is `between("withdrawal", "deposit_refund")`."""
        party = Point.DEPOSIT_REFUND_WINNER if winner else Point.DEPOSIT_REFUND_LOSERS
        return [
            rule
            for rule in self.rules
            if rule.from_point != Point.WITHDRAWAL
            and rule.to_point in (party, Point.DEPOSIT_REFUND)
        ]

    def maximum_days(self, from_point: str, to_point: str) -> int:
        """The longest period a rule allows from one point to the other, in its own days."""
        maxima = [int(rule.maximum) for rule in self.between(from_point, to_point) if rule.maximum]
        return min(maxima) if maxima else FALLBACK_DAYS[from_point, to_point]


def tender_rules(tender: Tender, *, on: date) -> list[Rule]:
    """The rules in force for the tender on `on` (its region's overrides included)."""
    project = tender.project
    codes = (project.business_type.code, tender.procedure.code, project.region.code)
    return list(
        snapshot_memo(
            ("rules_in_force", *codes, on),
            lambda: rules_in_force(
                rules_load(), business_type=codes[0], procedure=codes[1], region=codes[2], on=on
            ),
        )
    )


def tender_scale(tender: Tender) -> int:
    return tender.project.time_scale if tender.project.training else 1


def tender_rulebook(tender: Tender, *, now: datetime | None = None) -> Rulebook:
    """The tender's rules: those of its publication day, or of today (or `now`) before it."""
    day = tender.rules_as_of or local_date(now or get_clock()())
    scale = tender_scale(tender)
    calendar = calendar_load()
    if scale != 1:
        # A training tender's legal time is fictitious: stretched, it may run past the table.
        calendar = replace(calendar, last_year=None)
    return Rulebook(tender_rules(tender, on=day), calendar, scale)


def schedule_points(tender: Tender, lot: Lot) -> dict[str, datetime]:
    """The lot's schedule under the timeline vocabulary (see `trading.domain.timeline`)."""
    return timeline_points(
        family=tender.procedure.family,
        announced_at=tender.announced_at,
        documents_issued_at=tender.documents_issued_at,
        documents_sale_ends_at=tender.documents_sale_ends_at,
        clarification_deadline=tender.clarification_deadline,
        opens_at=lot.opens_at,
        closes_at=lot.closes_at,
        evaluation_reported_at=lot.evaluation_reported_at,
        publicity_starts_at=lot.publicity_starts_at,
        publicity_ends_at=lot.publicity_ends_at,
        applications_close_at=lot.applications_close_at,
    )


def closing_point(tender: Tender) -> str:
    """What the lot's closes_at is called by the rules: the bid deadline or the listing end."""
    return "listing_end" if tender.procedure.family in LISTING_FAMILIES else "bid_deadline"


def lot_amounts(lot: Lot) -> dict[str, Decimal]:
    return {"estimate": lot.estimate, "deposit": lot.deposit_amount}


def tender_violations(
    tender: Tender,
    *,
    lots: list[Lot] | None = None,
    now: datetime | None = None,
) -> list[Violation]:
    """Every schedule and amount of the tender and its lots checked against its rulebook.

    Before publication a tender is checked as if announced now (documents cannot be issued
    before the announcement). Training tenders are checked on their scaled schedule.
    """
    published = tender.status == TenderStatus.PUBLISHED
    if not published:
        now = now or get_clock()()
    book = tender_rulebook(tender, now=now)
    found: list[Violation] = []
    for lot in lots if lots is not None else list(tender.lots.order_by("pk")):
        points = schedule_points(tender, lot)
        if now is not None and not published:
            points["announced"] = now
            points["documents_issued"] = max(points.get("documents_issued", now), now)
        found.extend(book.check(points))
        found.extend(check_amounts(lot_amounts(lot), book.rules))
    return _unique(found)


def _unique(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for violation in violations:
        key = (violation.rule_key, str(violation.message))
        if key not in seen:
            seen.add(key)
            unique.append(violation)
    return unique


def amendment_earliest_deadline(tender: Tender, now: datetime) -> datetime:
    """The earliest lawful bid deadline after an amendment issued at `now` (实施条例 第21条)."""
    return (
        tender_rulebook(tender, now=now).earliest_deadline(now, "amendment", "bid_deadline") or now
    )


# --- after the award ------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardDeadlines:
    """When the contract (法 第46条) and the written report (法 第47条) are due."""

    # None until the award letter is issued: the contract's 30 日 run from the letter.
    contract: datetime | None
    # None where the business type files no report, or counts it from a contract not yet signed.
    report: datetime | None


def award_deadlines(
    award: Award, book: Rulebook, *, contract_signed_on: date | None = None
) -> AwardDeadlines:
    """The contract counts from the letter's issue; the report from the award (招标投标法 第47条)
    or from the contract's signing (政府采购法 第47条: its copy within 7 工作日)."""
    contract = None
    if award.letter_issued_at is not None:
        contract = book.period_end(award.letter_issued_at, "award_letter", "contract")
    report = None
    if book.between("contract", "report"):
        if contract_signed_on is not None:
            report = book.period_end(start_of_day(contract_signed_on), "contract", "report")
    elif book.between("award_letter", "report"):
        report = book.period_end(award.confirmed_at, "award_letter", "report")
    return AwardDeadlines(contract=contract, report=report)


def lot_report_document(lot: Lot) -> TenderDocument | None:
    """The written report to the regulator (法 第47条) filed for the lot, if any."""
    return (
        TenderDocument.objects.filter(lot_id=lot.pk, kind=DocumentKind.REPORT)
        .order_by("version")
        .first()
    )


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
    # Counted in working days where the limit is (a complaint's): left, 0 on the last day,
    # negative once overdue; None for a limit counted otherwise or already met.
    working_days_left: int | None = None

    @property
    def working_days_words(self) -> str:
        """The working days left as the lights say them ("" where not counted so)."""
        left = self.working_days_left
        if left is None:
            return ""
        if left > 0:
            return _("剩余 %(n)s 个工作日") % {"n": left}
        if left == 0:
            return _("今日到期")
        return _("已逾期 %(n)s 个工作日") % {"n": -left}


_PASSED_BIDDING = frozenset(
    {
        LotStatus.OPENING,
        LotStatus.AUCTION,
        LotStatus.EVALUATION,
        LotStatus.NEGOTIATION,
        LotStatus.PUBLICITY,
        LotStatus.AWARDED,
        LotStatus.CONTRACTED,
        LotStatus.CLOSED,
        LotStatus.FAILED,
        LotStatus.LISTING_CLOSED,
        LotStatus.AGREEMENT,
    }
)
_PASSED_PUBLICITY = frozenset({LotStatus.AWARDED, LotStatus.CONTRACTED, LotStatus.CLOSED})


def lot_passed_bidding(lot: Lot) -> bool:
    """Bidding is over: the deadline passed and the lot went to its opening or auction, or on."""
    return lot.status in _PASSED_BIDDING


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


# The ledger actions that moved a property disclosure's end (32号令 第18条).
_DISCLOSURE_MOVES = ("lot.disclosure_extended", "lot.redisclosed")


def _earlier_disclosure_ends(lot: Lot, now: datetime) -> list[TimelineItem]:
    """Each end a property disclosure reached before it was extended or re-disclosed."""
    items = []
    entries = lot_ledger_entries(lot).filter(action__in=_DISCLOSURE_MOVES, object_type="lot")
    for n, entry in enumerate(entries, start=1):
        previous = entry.payload.get("previous_closes_at")
        if not previous:
            continue
        ended = datetime.fromisoformat(previous)
        label = (
            _("第%(n)s次信息披露期满（已延期）")
            if entry.action == "lot.disclosure_extended"
            else _("第%(n)s次信息披露期满（已重新披露）")
        )
        items.append(_item(f"disclosure_end:{n}", label % {"n": n}, ended, ended, now))
    return items


def lot_timeline(lot: Lot, now: datetime) -> list[TimelineItem]:
    """Every statutory date of the lot with its light and the article that sets it."""
    tender = lot.tender
    book = tender_rulebook(tender, now=now)
    status = LotStatus(lot.status)
    listing = closing_point(tender) == "listing_end"
    terms = terms_for(tender.project.business_type.code, tender.procedure.code)
    items: list[TimelineItem] = []
    if tender.documents_issued_at is not None:
        done = tender.documents_issued_at if tender.status == TenderStatus.PUBLISHED else None
        items.append(
            _item(
                "documents_issued",
                _("%(documents)s发出") % {"documents": _(terms.documents)},
                tender.documents_issued_at,
                done,
                now,
            )
        )
    if tender.clarification_deadline is not None:
        items.append(
            _item(
                "clarification_deadline",
                _("澄清截止"),
                tender.clarification_deadline,
                tender.clarification_deadline if now >= tender.clarification_deadline else None,
                now,
                book.article("clarification_deadline"),
            )
        )
    # A terminated lot ended when its status last changed: what was due before had happened.
    ended_at = lot.status_changed_at if status == LotStatus.TERMINATED else None

    def happened(moment: datetime, reached: bool) -> datetime | None:
        return moment if reached or (ended_at is not None and moment <= ended_at) else None

    if lot.applications_close_at is not None:
        reviewed = status not in (LotStatus.DRAFT, LotStatus.PREQUALIFICATION)
        items.append(
            _item(
                "applications_close_at",
                _("资格预审申请截止"),
                lot.applications_close_at,
                happened(lot.applications_close_at, reviewed),
                now,
                book.article("application_deadline"),
            )
        )
    disclosure = tender.procedure.family == Family.PROPERTY_DISCLOSURE
    if disclosure:
        items.extend(_earlier_disclosure_ends(lot, now))
    if lot.opens_at is not None:
        started = status not in (
            LotStatus.DRAFT,
            LotStatus.PUBLISHED,
            LotStatus.TERMINATED,
            LotStatus.PREQUALIFICATION,
            LotStatus.PREQUAL_REVIEW,
        )
        opened = happened(lot.opens_at, started)
        label = _("挂牌开始") if listing else _("投标开始")
        if disclosure:
            label = _("%(bidder)s登记开始") % {"bidder": _(terms.bidder)}
        items.append(_item("opens_at", label, lot.opens_at, opened, now))
    if lot.closes_at is not None:
        # A lot that failed before its deadline (a prequalification short of applicants) never
        # reached it.
        failed_early = status == LotStatus.FAILED and (
            lot.status_changed_at is not None and lot.status_changed_at < lot.closes_at
        )
        closed = happened(lot.closes_at, status in _PASSED_BIDDING and not failed_early)
        # Negotiated procedures have no opening: the period for responses ends (谈判/协商 next).
        negotiated = tender.procedure.family == Family.NEGOTIATED
        label = _("挂牌截止") if listing else _("响应截止") if negotiated else _("投标截止（开标）")
        if disclosure:
            label = _("信息披露期满")
        article = book.article(closing_point(tender))
        items.append(_item("closes_at", label, lot.closes_at, closed, now, article))
    # Sorted here, not by the database, so a list of lots may prefetch their objections.
    for objection in sorted(lot.objections.all(), key=lambda o: (o.raised_at, o.pk)):
        items.append(
            _item(
                f"objection:{objection.pk}",
                _("异议答复（%(stage)s）") % {"stage": objection.get_stage_display()},
                objection.answer_due,
                objection.answered_at,
                now,
                book.article("objection_answer"),
            )
        )
    award = lot.award if status in _PASSED_PUBLICITY else None
    publicity = tender.procedure.candidate_publicity
    if not publicity and lot.evaluation_reported_at is not None:
        # 政府采购法实施条例 第43条: the purchaser decides within 5 工作日 of the report.
        items.append(
            _item(
                "award_decision",
                _(terms.award),
                book.latest(lot.evaluation_reported_at, "evaluation_report", "award_decision"),
                award.confirmed_at if award is not None else None,
                now,
                book.article("award_decision"),
            )
        )
    if lot.publicity_ends_at is not None:
        # Candidates' publicity ends before the award; a procurement result notice after it.
        ended = lot.publicity_ends_at if status in _PASSED_PUBLICITY and publicity else None
        if not publicity and now >= lot.publicity_ends_at:
            ended = lot.publicity_ends_at
        items.append(
            _item(
                "publicity_end",
                _("%(publicity)s期满") % {"publicity": _(terms.publicity)},
                lot.publicity_ends_at,
                ended,
                now,
                book.article("publicity_end"),
            )
        )
    elif status == LotStatus.PUBLICITY:
        # The publicity runs from its notice's publication (实施条例 第54条), not before.
        items.append(
            _item(
                "publicity_end",
                _("%(publicity)s期满（待公示发布）") % {"publicity": _(terms.publicity)},
                None,
                None,
                now,
                book.article("publicity_end"),
            )
        )
    if award is not None:
        due: AwardDeadlines | None
        try:
            signed = getattr(lot, "contract", None)
            due = award_deadlines(
                award, book, contract_signed_on=signed.signed_on if signed is not None else None
            )
        except ValidationError:
            # A due date past the holiday table is unknown until its year is entered.
            due = None
        contract = getattr(lot, "contract", None)
        items.append(
            _item(
                "contract",
                _("签订合同"),
                due.contract if due is not None else None,
                contract.recorded_at if contract is not None else None,
                now,
                # No row, no article: engineering's 第46条 does not bind a land or property sale.
                book.article("contract"),
            )
        )
        report = lot_report_document(lot)
        items.append(
            _item(
                "report",
                _("提交书面报告"),
                due.report if due is not None else None,
                report.uploaded_at if report is not None else None,
                now,
                book.article("report"),
            )
        )
    for source in timeline_sources():
        items.extend(source(lot, now))
    if status in TERMINAL:
        # What would have been due after the lot ended will never be: no light, not a red one.
        end = lot.status_changed_at or now
        items = [
            replace(item, light=None)
            if item.done_at is None and item.due is not None and item.due > end
            else item
            for item in items
        ]
    return items
