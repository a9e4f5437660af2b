"""Notices from draft to publication: review, scheduling, rendering, the publication sequence.

Drafts come from trading's events (`notices.receivers`); desk staff edit and approve them; the
chronograph picks approved notices when their time comes and queues the render on the slow queue;
`notice_publish_rendered` then publishes in one transaction. A published notice never changes (a
database trigger refuses it, migration 0003): a correction is a new notice (DESIGN.md invariant 7).

`publish_at` of a scheduled notice is when the publisher next tries: the approved time at first,
pushed back while a render runs and after each failed render (backoff of `trading.domain.retry`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.models.auctions import Auction
from notices.domain.codes import verification_code_new
from notices.domain.documents.kinds import DOCUMENT_NAMES
from notices.domain.lifecycle import NoticeEvent, notice_transition
from notices.lock_objects import lock_notice, lock_publication_counter
from notices.models import LETTER_KINDS, Notice, NoticeKind, NoticeStatus
from notices.portal_fastpath import publication_seq_raise
from trading.clock import Clock, get_clock
from trading.domain.procedures import is_sale
from trading.domain.retry import MAX_ATTEMPTS, backoff_seconds
from trading.domain.timeline import beyond_horizon, format_moment
from trading.events import event_emit
from trading.models import Candidate, Lot, OutboxEvent, Tender, User
from trading.selectors.access import desk_staff_list, operates_desk
from trading.selectors.terms import tender_terms
from trading.selectors.timeline import tender_rulebook
from trading.services.ledger import ledger_append_tender
from trading.services.notifications import notification_send
from trading.services.publicity import publicity_notice_kind
from trading.translatable import Message, Word, join

if TYPE_CHECKING:
    from notices.rendering import RenderedPdf

__all__ = [
    "RENDER_LEASE",
    "notice_approve",
    "notice_approve_for_training",
    "notice_correct",
    "notice_draft",
    "notice_publish_due",
    "notice_publish_rendered",
    "notice_render_failed",
    "notice_render_retry",
    "notice_update",
    "notices_due",
]

# A queued render that has not finished by then (a lost message, a killed worker) is queued again.
RENDER_LEASE = timedelta(minutes=10)
TITLE_MAX = 300
BODY_MAX = 20_000

_ANNOUNCEMENT_TITLES = {
    "engineering": gettext_noop("招标公告"),
    "procurement": gettext_noop("采购公告"),
    "land": gettext_noop("出让公告"),
    "mining": gettext_noop("出让公告"),
    "property": gettext_noop("转让公告"),
}


def _fixed(now: datetime) -> Clock:
    return lambda: now


def _label(kind: str, tender: Tender) -> str:
    """The untranslated name of the document (its title's last words)."""
    if kind == NoticeKind.ANNOUNCEMENT:
        return _ANNOUNCEMENT_TITLES.get(tender.project.business_type.code, gettext_noop("交易公告"))
    if kind == NoticeKind.FAILURE:
        # 流拍 for a sale nobody bought, 流标 for too few bids.
        auction = is_sale(tender.procedure.family)
        return gettext_noop("流拍公告") if auction else gettext_noop("流标公告")
    return DOCUMENT_NAMES[kind]


def _title(kind: str, tender: Tender, lot: Lot | None) -> str:
    where = tender.name if lot is None else f"{tender.name}（{lot.name}）"
    return _joined(where, _(_label(kind, tender)))[:TITLE_MAX]


def _about(notice: Notice) -> Message:
    """A notice in a message: its kind in the reader's words, then what it is about."""
    subject = notice.lot if notice.lot_id is not None else notice.tender
    return Message(
        gettext_noop("%(document)s：%(code)s %(name)s"),
        document=Word(_label(notice.kind, notice.tender)),
        code=subject.code,  # type: ignore[union-attr]
        name=subject.name,  # type: ignore[union-attr]
    )


def _joined(name: str, label: str) -> str:
    """`name` then `label`, the words they share once (…采购 + 采购公告 → …采购公告)."""
    for overlap in range(min(len(name), len(label) - 1), 0, -1):
        if name.endswith(label[:overlap]):
            return name + label[overlap:]
    return name + label


def _issuer(kind: str, tender: Tender) -> str:
    """The owner issues letters (法 第45条); notices go out in the agency's name when it acts."""
    project = tender.project
    if kind in LETTER_KINDS or project.agency is None:
        return project.owner.name
    return project.agency.name


def _addressee_id(kind: str, lot: Lot | None) -> int | None:
    if kind not in LETTER_KINDS:
        return None
    award = getattr(lot, "award", None) if lot is not None else None
    if award is not None:
        return int(award.organisation_id)
    if kind == NoticeKind.DEAL_CONFIRMATION and lot is not None:
        # The platform's auction names the buyer at the hammer (39号令 第21条): no award first.
        buyer = (
            lot.candidates.filter(superseded_at__isnull=True, rank=1)
            .values_list("organisation_id", flat=True)
            .first()
        )
        if buyer is not None and Auction.objects.filter(lot=lot, sold=True).exists():
            return int(buyer)
    raise ValidationError(_("标段尚未定标，不能出具通知书。"), code="no_award")


def notice_due_at(kind: str, tender: Tender, since: datetime) -> datetime | None:
    """The latest lawful publication time of a notice whose fact happened at `since`: the rule
    row of the tender's rulebook that counts to the notice's publication."""
    return tender_rulebook(tender, now=since).notice_due(kind, since)


def notice_rule_text(notice: Notice) -> str:
    """The rule limiting the notice's publication, its article first."""
    rule = tender_rulebook(notice.tender).notice_rule(notice.kind)
    return f"{rule.article}：{rule.description}" if rule is not None else ""


def _verification_code() -> str:
    # 60 random bits: a collision is all but impossible, and the unique index catches it anyway.
    while True:
        code = verification_code_new()
        if not Notice.objects.filter(verification_code=code).exists():
            return code


def _ledger(
    notice: Notice, *, action: str, actor: User | None, now: datetime, **extra: Any
) -> None:
    ledger_append_tender(
        tender_id=notice.tender_id,
        action=action,
        actor=actor,
        obj_type="notice",
        obj_id=str(notice.pk),
        payload={"kind": notice.kind, "code": notice.verification_code, **extra},
        now=now,
    )


def _require_desk_staff(actor: User, notice: Notice) -> None:
    if not operates_desk(actor, notice.tender.desk_id):
        raise PermissionDenied(_("只有本交易科室的工作人员可以审核发布公告。"))


def notice_draft(
    *,
    kind: str,
    tender: Tender,
    lot: Lot | None = None,
    source_event_id: int | None = None,
    clock: Clock | None = None,
) -> Notice:
    """Draft the notice a lifecycle fact calls for, filled in from the tender (one per event)."""
    from notices.documents_data import notice_data_for

    if kind not in NoticeKind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    clock = clock or get_clock()
    with transaction.atomic():
        if source_event_id is not None:
            existing = Notice.objects.filter(source_event_id=source_event_id, kind=kind).first()
            if existing is not None:
                return existing
        now = clock()
        tender = Tender.objects.select_related(
            "project__owner", "project__agency", "project__business_type", "desk"
        ).get(pk=tender.pk)
        since = now
        if source_event_id is not None:
            occurred = (
                OutboxEvent.objects.filter(pk=source_event_id)
                .values_list("occurred_at", flat=True)
                .first()
            )
            since = occurred or now
        project = tender.project
        # A notice is a record in Chinese, whatever language the person whose action drafted it
        # reads the platform in (the PDF is rendered in Chinese too).
        with translation.override(settings.LANGUAGE_CODE):
            record_title = _title(kind, tender, lot)
            record_data = notice_data_for(kind, tender, lot)
        notice = Notice.objects.create(
            kind=kind,
            tender=tender,
            lot=lot,
            region_id=project.region_id,
            business_type_id=project.business_type_id,
            industry_id=project.industry_id,
            training=project.training,
            title=record_title,
            data=record_data,
            issuer=_issuer(kind, tender),
            addressee_id=_addressee_id(kind, lot),
            source_event_id=source_event_id,
            due_at=notice_due_at(kind, tender, since),
            created_at=now,
            verification_code=_verification_code(),
        )
        notification_send(
            recipients=desk_staff_list(tender.desk),
            kind="notice.drafted",
            title=(
                Message(
                    gettext_noop("培训演示公告，由培训场景自动审核发布：%(about)s"),
                    about=_about(notice),
                )
                if project.training
                else Message(gettext_noop("待审核：%(about)s"), about=_about(notice))
            ),
            clock=_fixed(now),
        )
    return notice


def notice_update(
    *, notice: Notice, title: str, body: str, actor: User, clock: Clock | None = None
) -> Notice:
    """Desk staff edit a draft's title and the text the law lets the issuer write."""
    _require_desk_staff(actor, notice)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写标题。")}, code="title")
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("标题不能超过300字。")}, code="title")
    if len(body or "") > BODY_MAX:
        raise ValidationError({"body": _("正文不能超过20000字。")}, code="body")
    with transaction.atomic():
        notice = lock_notice(notice.pk)
        if notice.status != NoticeStatus.DRAFT:
            raise ValidationError(_("只有待审核的公告可以修改。"), code="not_draft")
        notice.title = title
        notice.body = body or ""
        notice.save(update_fields=["title", "body"])
    return notice


def notice_approve(
    *,
    notice: Notice,
    publish_at: datetime | None = None,
    actor: User,
    clock: Clock | None = None,
) -> Notice:
    """Desk staff approve a draft for publication now or at a set time (DESIGN.md §1 staff)."""
    _require_desk_staff(actor, notice)
    if publish_at is not None and (
        not isinstance(publish_at, datetime) or publish_at.tzinfo is None
    ):
        raise ValidationError({"publish_at": _("请填写带时区的日期时间。")}, code="datetime")
    return _approve(notice, publish_at=publish_at, actor=actor, clock=clock or get_clock())


# Who approved a notice that no person approved: the ledger's `by` of a training notice.
TRAINING_SCENARIO = "training_scenario"


def notice_approve_for_training(*, notice: Notice, clock: Clock | None = None) -> Notice:
    """The training scenario approves its own notice for publication now, recorded as its act.

    Only a training notice (培训演示, no legal effect) is approved without desk staff: the
    scenario runs by itself from end to end, so the public sees the announcement in time.
    """
    if not notice.training:
        raise PermissionDenied(_("只有培训演示公告可以由培训场景自动审核发布。"))
    return _approve(notice, publish_at=None, actor=None, clock=clock or get_clock())


def _approve(
    notice: Notice, *, publish_at: datetime | None, actor: User | None, clock: Clock
) -> Notice:
    partner_id = _issued_with(notice)
    with transaction.atomic():
        # Both of a pair in primary-key order: two staff approving one each cannot deadlock.
        locked = {pk: lock_notice(pk) for pk in sorted({notice.pk, partner_id or notice.pk})}
        notice = locked[notice.pk]
        now = clock()
        if notice.status != NoticeStatus.DRAFT:
            raise ValidationError(_("只有待审核的公告可以审核发布。"), code="not_draft")
        if publish_at is not None:
            _check_schedule(notice, publish_at, now)
        _check_period_countable(notice, publish_at or now)
        partner = locked.get(partner_id) if partner_id is not None else None
        for approved in [notice] if partner is None else [notice, partner]:
            if approved.status != NoticeStatus.DRAFT:
                continue
            approved.status = notice_transition(approved.status, NoticeEvent.APPROVE)
            approved.publish_at = publish_at or now
            approved.approved_by = actor
            approved.save(update_fields=["status", "publish_at", "approved_by"])
            approved_for = approved.publish_at
            if approved_for <= now:
                notice_publish_due(approved, now)
            by = {} if actor is not None else {"by": TRAINING_SCENARIO}
            _ledger(
                approved,
                action="notice.approved",
                actor=actor,
                now=now,
                publish_at=approved_for.isoformat(),
                **by,
            )
    return notice


# 87号令 第69条, 政府采购法实施条例 第43条: the result notice and the award letter go out together.
_ISSUED_TOGETHER = {
    NoticeKind.RESULT: NoticeKind.AWARD_LETTER,
    NoticeKind.AWARD_LETTER: NoticeKind.RESULT,
}


def _issued_with(notice: Notice) -> int | None:
    """The draft approved with `notice`: a procurement's result notice and its award letter."""
    partner_kind = _ISSUED_TOGETHER.get(NoticeKind(notice.kind))
    if partner_kind is None or notice.source_event_id is None or notice.lot_id is None:
        return None
    if notice.tender.procedure.candidate_publicity:
        return None
    return (
        Notice.objects.filter(source_event_id=notice.source_event_id, kind=partner_kind)
        .values_list("pk", flat=True)
        .first()
    )


def _check_schedule(notice: Notice, publish_at: datetime, now: datetime) -> None:
    """A set publication time: not past, not after the notice's legal limit (DOMAIN.md limits),
    and not beyond the platform's scheduling horizon (a mistyped year)."""
    if publish_at < now:
        _refuse_time(_("发布时间不能早于当前时间。"), code="past")
    if notice.due_at is not None and publish_at > notice.due_at:
        _refuse_time(
            _("发布时间不得晚于本公告的法定发布期限 %(due)s（%(rule)s）；留空则立即发布。")
            % {"due": format_moment(notice.due_at), "rule": notice_rule_text(notice)},
            code="after_legal_limit",
        )
    days = settings.SCHEDULE_HORIZON_DAYS
    if beyond_horizon(publish_at, now=now, days=days):
        _refuse_time(
            _("发布时间不得晚于 %(latest)s：定时发布最多提前 %(days)s 天。")
            % {"latest": format_moment(now + timedelta(days=days)), "days": days},
            code="beyond_horizon",
        )


def _check_period_countable(notice: Notice, publish_at: datetime) -> None:
    """A notice that opens a publicity is refused while its end falls in a year the holiday
    table does not hold (民法典 第203条): refused now, not failing when it is published."""
    if notice.lot_id is None:
        return
    tender = Tender.objects.select_related("procedure").get(pk=notice.tender_id)
    if notice.kind != publicity_notice_kind(tender.procedure):
        return
    tender_rulebook(tender, now=publish_at).period_end(
        publish_at, "publicity_start", "publicity_end"
    )


def _refuse_time(message: str, *, code: str) -> NoReturn:
    raise ValidationError({"publish_at": ValidationError(message, code=code)})


def notices_due(now: datetime) -> QuerySet[Notice]:
    """Approved notices whose (next) publication attempt is due: the chronograph's query."""
    return Notice.objects.filter(status=NoticeStatus.SCHEDULED, publish_at__lte=now)


def notice_publish_due(notice: Notice, now: datetime) -> None:
    """Queue the render on the slow queue; the lease keeps the tick from queueing it twice.

    Runs with the notice locked (the chronograph's `advance`, or `notice_approve`)."""
    from notices.tasks import notice_render

    notice.publish_at = now + RENDER_LEASE
    notice.save(update_fields=["publish_at"])
    notice_id = notice.pk
    # A broker outage must not fail the committed approval: the lease runs out and a tick queues
    # the render again.
    transaction.on_commit(
        lambda: notice_render.apply_async((notice_id,), queue="slow", retry=False), robust=True
    )


def _search_texts(notice: Notice) -> list[str]:
    tender = notice.tender
    texts = [notice.title, notice.body, notice.issuer, tender.name, tender.code]
    if notice.lot is not None:
        texts += [notice.lot.name, notice.lot.code]
    return texts


def notice_publish_rendered(
    *, notice: Notice, rendered: RenderedPdf, clock: Clock | None = None
) -> Notice:
    """Publish a rendered notice: PDF, hash and the next gap-free sequence number together."""
    from notices.search import search_index_update, search_terms

    if hashlib.sha256(rendered.content).hexdigest() != rendered.sha256:
        raise ValueError("the rendered PDF does not match its sha256")
    clock = clock or get_clock()
    with transaction.atomic():
        notice = lock_notice(notice.pk)
        if notice.status != NoticeStatus.SCHEDULED:
            return notice  # published by another render of the same notice, or withdrawn
        notice.pdf.save(
            f"{notice.verification_code}.pdf", ContentFile(rendered.content), save=False
        )
        # The single publisher: the counter row is held until commit, so numbers are handed out
        # and become visible in commit order and a poller of the change feed never skips one.
        counter = lock_publication_counter()
        now = clock()
        counter.last_seq += 1
        counter.save(update_fields=["last_seq"])
        published = _publication_moment(notice, now)
        notice.status = notice_transition(notice.status, NoticeEvent.PUBLISH)
        notice.publication_seq = counter.last_seq
        notice.published_at = published
        notice.pdf_sha256 = rendered.sha256
        notice.hash_alg = "sha256"
        notice.template_version = rendered.template_version
        notice.document_html = rendered.html
        notice.render_error = ""
        notice.search_terms = search_terms(*_search_texts(notice))
        notice.save(
            update_fields=[
                "status",
                "publication_seq",
                "published_at",
                "pdf",
                "pdf_sha256",
                "hash_alg",
                "template_version",
                "document_html",
                "render_error",
                "search_terms",
            ]
        )
        search_index_update(notice)
        # The fast path stops serving pages of the previous number as soon as this one shows.
        seq = counter.last_seq
        transaction.on_commit(lambda: publication_seq_raise(seq), robust=True)
        if notice.lot_id is not None:
            # A period the notice opens (a publicity, the result notice's day) runs from now
            # (实施条例 第54条 公示): trading decides which of the lot's notices opens one.
            event_emit(
                kind="notice.published",
                subject=f"lot:{notice.lot_id}",
                payload={
                    "lot": notice.lot_id,
                    "notice": notice.pk,
                    "kind": notice.kind,
                    "published_at": published.isoformat(),
                },
                clock=_fixed(now),
            )
        if notice.kind in LETTER_KINDS and notice.lot_id is not None:
            # The letter is issued by its publication (法 第45条): trading starts the contract's
            # period from this moment.
            event_emit(
                kind="award.letter_published",
                subject=f"lot:{notice.lot_id}",
                payload={
                    "lot": notice.lot_id,
                    "notice": notice.pk,
                    "code": notice.verification_code,
                    "published_at": published.isoformat(),
                },
                clock=_fixed(now),
            )
        if notice.kind in LETTER_KINDS and notice.lot_id is not None:
            _tell_the_others(notice, now)
        if notice.addressee_id is not None:
            notification_send(
                recipients=list(notice.addressee.users.filter(is_active=True)),  # type: ignore[union-attr]
                kind="notice.letter",
                title=_about(notice),
                body=Message(gettext_noop("验证码：%(code)s"), code=notice.verification_code),
                clock=_fixed(now),
            )
        _ledger(
            notice,
            action="notice.published",
            actor=None,
            now=now,
            seq=notice.publication_seq,
            sha256=notice.pdf_sha256,
            hash_alg=notice.hash_alg,
            template_version=notice.template_version,
            on_time=notice.due_at is None or published <= notice.due_at,
            **({} if published == now else {"story_published_at": published.isoformat()}),
        )
    return notice


def _publication_moment(notice: Notice, now: datetime) -> datetime:
    """When the notice went public: now, the moment its PDF becomes public.

    Demo and training data only (no legal effect): the moment the demo's backdated story has the
    desk publish it (`notices.demo`), never later than now.
    """
    story = notice.story_published_at
    if story is None or not (settings.DEMO or notice.training):
        return now
    return min(story, now)


def _tell_the_others(letter: Notice, now: datetime) -> None:
    """The letter goes out: every other bidder the lot knows is told the result with it
    (招标投标法 第45条: 并同时将中标结果通知所有未中标的投标人), with the result notice."""
    if letter.lot_id is None or letter.addressee_id is None:
        return
    others = (
        Candidate.objects.filter(lot_id=letter.lot_id)
        .exclude(organisation_id=letter.addressee_id)
        .values_list("organisation_id", flat=True)
    )
    recipients = list(User.objects.filter(organisation_id__in=list(others), is_active=True))
    if not recipients:
        return
    result = (
        Notice.objects.filter(
            lot_id=letter.lot_id,
            kind__in=[NoticeKind.RESULT, NoticeKind.DEAL],
            status=NoticeStatus.PUBLISHED,
        )
        .order_by("-published_at")
        .first()
    )
    winner = str(letter.data.get("winner_name") or "")
    lot = letter.lot
    terms = tender_terms(letter.tender)
    body = Message(
        gettext_noop("本标段已确定%(winner)s为%(role)s，%(letter)s已于 %(at)s 发出。"),
        winner=winner,
        role=Word(terms.winner),
        letter=Word(terms.letter),
        at=format_moment(now),
    )
    if result is not None:
        body = join(
            body,
            Message(gettext_noop("结果公告验证码：%(code)s。"), code=result.verification_code),
        )
    notification_send(
        recipients=recipients,
        kind="notice.result",
        title=Message(
            gettext_noop("交易结果：%(lot)s"), lot=f"{lot.code} {lot.name}" if lot else ""
        ),
        body=body,
        url=reverse("portal_notice_detail", args=[result.pk])
        if result is not None
        else reverse("my_documents"),
        clock=_fixed(now),
    )


def notice_render_failed(*, notice: Notice, error: str, clock: Clock | None = None) -> Notice:
    """A failed render leaves the notice unpublished and retries it later (backoff, then staff)."""
    clock = clock or get_clock()
    with transaction.atomic():
        notice = lock_notice(notice.pk)
        now = clock()
        if notice.status != NoticeStatus.SCHEDULED:
            return notice
        notice.render_attempts += 1
        notice.render_error = (error or _("未知错误")).strip()[:2000]
        # After MAX_ATTEMPTS the notice waits for staff to press "retry" (notice_render_retry).
        notice.publish_at = (
            now + timedelta(seconds=backoff_seconds(notice.render_attempts))
            if notice.render_attempts < MAX_ATTEMPTS
            else None
        )
        notice.save(update_fields=["render_attempts", "render_error", "publish_at"])
    return notice


def notice_render_retry(*, notice: Notice, actor: User, clock: Clock | None = None) -> Notice:
    """Desk staff retry a failed render at once."""
    _require_desk_staff(actor, notice)
    clock = clock or get_clock()
    with transaction.atomic():
        notice = lock_notice(notice.pk)
        now = clock()
        if notice.status != NoticeStatus.SCHEDULED:
            raise ValidationError(_("只有待发布的公告可以重新生成。"), code="not_scheduled")
        notice_publish_due(notice, now)
        _ledger(notice, action="notice.render_retried", actor=actor, now=now)
    return notice


def notice_correct(
    *, notice: Notice, title: str, body: str, actor: User, clock: Clock | None = None
) -> Notice:
    """A published notice never changes: its correction is a new draft pointing at it (inv. 7)."""
    _require_desk_staff(actor, notice)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise ValidationError({"title": _("请填写标题（不超过300字）。")}, code="title")
    if len(body or "") > BODY_MAX:
        raise ValidationError({"body": _("正文不能超过20000字。")}, code="body")
    clock = clock or get_clock()
    with transaction.atomic():
        original = lock_notice(notice.pk)
        now = clock()
        if original.status != NoticeStatus.PUBLISHED:
            raise ValidationError(
                _("只有已发布的公告需要更正；草稿可直接修改。"), code="not_published"
            )
        correction = Notice.objects.create(
            kind=original.kind,
            tender_id=original.tender_id,
            lot_id=original.lot_id,
            region_id=original.region_id,
            business_type_id=original.business_type_id,
            industry_id=original.industry_id,
            training=original.training,
            title=title,
            body=body or "",
            data=original.data,
            issuer=original.issuer,
            addressee_id=original.addressee_id,
            corrects=original,
            created_at=now,
            verification_code=_verification_code(),
        )
        _ledger(
            correction,
            action="notice.correction_drafted",
            actor=actor,
            now=now,
            corrects=original.pk,
        )
    return correction
