"""Enrolment (报名): a verified bidder, alone or leading a consortium, takes part in a lot.

Enrolments of a lot are taken under the lot's lock, which also orders them against the close of
bidding (DESIGN.md invariant 1). Who enrolled stays sealed until the opening (招标投标法 第22条):
the ledger entries go to the lot's sealed scope and nobody but the enrolment's own members is
told anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.domain.enrolment import (
    DEADLINE_ARTICLE,
    ConsortiumProblem,
    Refusal,
    consortium_problems,
    new_bidder_number,
)
from bidding.lock_objects import lock_enrolment, lock_lot
from bidding.models import Enrolment, EnrolmentMember, SealedBid
from bidding.models.sealed import BidStatus
from bidding.selectors.enrolment import (
    access_bidder,
    access_enrolment_lot,
    enrolment_lot_refusal,
    lot_enrolment_deadline,
)
from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import Family
from trading.domain.timeline import format_moment
from trading.events import event_emit
from trading.models import Lot, Organisation, User
from trading.models.ledger import ScopeKind
from trading.selectors.tenders import sealed_scope_key
from trading.services.common import fixed_clock, notify
from trading.services.documents import check_pdf
from trading.services.ledger import ledger_append
from trading.translatable import Message

__all__ = ["enrolment_create", "enrolment_record", "enrolment_withdraw"]

DEFAULT_AGREEMENT_MAX_BYTES = 10 * 1024 * 1024
# Enough for any lot: 31^8 numbers, so a clash is already rare.
_NUMBER_ATTEMPTS = 20


def agreement_max_bytes() -> int:
    return int(getattr(settings, "CONSORTIUM_AGREEMENT_MAX_BYTES", DEFAULT_AGREEMENT_MAX_BYTES))


def _refusal_message(lot: Lot, refusal: Refusal, *, withdrawing: bool = False) -> str:
    if refusal is Refusal.DEADLINE_PASSED:
        deadline = lot_enrolment_deadline(lot)
        article = DEADLINE_ARTICLE[Family(lot.tender.procedure.family)]
        params = {"deadline": format_moment(deadline) if deadline else "—", "article": article}
        if withdrawing:
            return _("报名已于 %(deadline)s 截止，截止后不能撤回（%(article)s）。") % params
        return _("报名已于 %(deadline)s 截止，不再接受报名（%(article)s）。") % params
    if refusal is Refusal.SUSPENDED:
        return _("标段暂停中，暂不办理报名和撤回。")
    if refusal is Refusal.NOT_YET:
        return _("标段尚未确定截止时间，暂不接受报名。")
    return _("标段当前状态为“%(status)s”，不接受报名。") % {"status": lot.get_status_display()}


def _verified_bidder(actor: User) -> Organisation:
    organisation = access_bidder(actor)
    if not organisation.is_verified:
        raise PermissionDenied(
            _("您的主体尚未通过交易中心核验，暂不能报名。请等待核验通过后再报名。")
        )
    return organisation


def _check_members(lead: Organisation, members: Sequence[Organisation], agreement: Any) -> str:
    """The consortium's composition and agreement (招标投标法 第31条); its PDF's SHA-256."""
    if not members:
        if agreement:
            raise ValidationError(
                {"agreement": _("单独投标无须上传联合体协议书；联合体投标请填写成员。")},
                code="agreement_alone",
            )
        return ""
    problems = consortium_problems(lead.pk, [member.pk for member in members])
    if ConsortiumProblem.LEAD_LISTED in problems:
        raise ValidationError(
            {"members": _("牵头人是您自己的主体，无须再列为成员。")}, code="lead_listed"
        )
    if ConsortiumProblem.DUPLICATE in problems:
        raise ValidationError({"members": _("同一成员不能重复列出。")}, code="duplicate")
    for member in members:
        if member.kind != OrganisationKind.BIDDER or not member.is_verified:
            raise ValidationError(
                {
                    "members": _(
                        "%(name)s 不是已通过核验的投标人，不能作为联合体成员（招标投标法 第31条）。"
                    )
                    % {"name": member.name}
                },
                code="member_not_verified",
            )
    if not agreement:
        raise ValidationError(
            {"agreement": _("联合体投标须上传各方签署的联合体协议书（招标投标法 第31条）。")},
            code="agreement_missing",
        )
    _size, sha256 = check_pdf(agreement, "agreement", limit=agreement_max_bytes())
    return sha256


def _taken_error(lot: Lot, lead: Organisation, taken: list[EnrolmentMember]) -> ValidationError:
    """Who among the bid's organisations is already in one for the lot (实施条例 第37条)."""
    for row in taken:
        if row.organisation_id == lead.pk:
            enrolment = row.enrolment
            if enrolment.withdrawn_at is not None:
                return ValidationError(
                    _("您的主体已撤回本标段的报名，不能再次报名。"), code="withdrawn"
                )
            return ValidationError(
                _("您的主体已报名本标段（投标人编号 %(number)s）。")
                % {"number": enrolment.bidder_number},
                code="already_enrolled",
            )
    names = "、".join(row.organisation.name for row in taken)
    message = _(
        "%(names)s 已参加本标段的另一份投标：同一主体在同一标段只能参加一份投标"
        "（招标投标法实施条例 第37条）。"
    ) % {"names": names}
    return ValidationError({"members": ValidationError(message, code="member_taken")})


def _taken(lot: Lot, organisations: Sequence[Organisation]) -> list[EnrolmentMember]:
    return list(
        EnrolmentMember.objects.filter(lot=lot, organisation__in=organisations)
        .select_related("organisation", "enrolment")
        .order_by("pk")
    )


def _new_number(lot: Lot) -> str:
    for _attempt in range(_NUMBER_ATTEMPTS):
        number = new_bidder_number()
        if not Enrolment.objects.filter(lot=lot, bidder_number=number).exists():
            return number
    raise RuntimeError("no free bidder number after repeated draws")  # pragma: no cover


def enrolment_record(
    *,
    lot: Lot,
    lead: Organisation,
    members: Sequence[Organisation] = (),
    agreement: Any = None,
    agreement_sha256: str = "",
    actor: User,
    now: datetime,
) -> Enrolment:
    """Write an enrolment, its members and its sealed ledger entry; the caller checked the rules
    and holds the lot's lock. IntegrityError when an organisation is already in the lot."""
    enrolment = Enrolment(
        lot=lot,
        lead=lead,
        bidder_number=_new_number(lot),
        is_consortium=bool(members),
        enrolled_at=now,
        enrolled_by=actor,
    )
    if members and agreement:
        enrolment.agreement = agreement
    enrolment.save()
    EnrolmentMember.objects.bulk_create(
        [EnrolmentMember(enrolment=enrolment, lot=lot, organisation=lead, is_lead=True)]
        + [EnrolmentMember(enrolment=enrolment, lot=lot, organisation=m) for m in members]
    )
    event_emit(
        kind="enrolment.created",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "enrolment": enrolment.pk},
        clock=fixed_clock(now),
    )
    ledger_append(
        scope_key=sealed_scope_key(lot.pk),
        scope_kind=ScopeKind.SEALED_LOT,
        sealed=True,
        action="enrolment.created",
        actor=actor,
        obj_type="enrolment",
        obj_id=str(enrolment.pk),
        payload={
            "lot": lot.pk,
            "bidder_number": enrolment.bidder_number,
            "lead": lead.pk,
            "lead_uscc": lead.uscc,
            "members": [m.uscc for m in members],
            "agreement_sha256": agreement_sha256,
        },
        clock=fixed_clock(now),
    )
    return enrolment


def enrolment_create(
    *,
    lot_id: int,
    actor: User,
    members: Sequence[Organisation] = (),
    agreement: Any = None,
    clock: Clock | None = None,
) -> Enrolment:
    """A verified bidder enrols in a lot before its deadline, alone or as a consortium's lead
    (招标投标法 第31条); each organisation once per lot (实施条例 第37条)."""
    lot = access_enrolment_lot(actor, lot_id)
    lead = _verified_bidder(actor)
    members = list(members)
    sha256 = _check_members(lead, members, agreement)
    clock = clock or get_clock()
    with transaction.atomic():
        locked = lock_lot(lot.pk)
        now = clock()
        locked.tender = lot.tender
        refusal = enrolment_lot_refusal(locked, now)
        if refusal is not None:
            raise ValidationError(_refusal_message(locked, refusal), code=refusal.value)
        taken = _taken(locked, [lead, *members])
        if taken:
            raise _taken_error(locked, lead, taken)
        try:
            # A savepoint: the database keeps an organisation in one bid per lot even if a
            # writer ever skipped the lock above.
            with transaction.atomic():
                enrolment = enrolment_record(
                    lot=locked,
                    lead=lead,
                    members=members,
                    agreement=agreement,
                    agreement_sha256=sha256,
                    actor=actor,
                    now=now,
                )
        except IntegrityError:
            raise _taken_error(locked, lead, _taken(locked, [lead, *members])) from None
        if members:
            # The members learn that they were named (only they: the list is sealed).
            notify(
                User.objects.filter(organisation__in=members, is_active=True).order_by("pk"),
                kind="enrolment.consortium",
                title=Message(
                    gettext_noop("%(lead)s 以联合体牵头人身份将贵单位列入 %(code)s 的报名"),
                    lead=lead.name,
                    code=locked.code,
                ),
                body=Message(
                    gettext_noop("投标人编号 %(number)s。如有异议，请与牵头人联系。"),
                    number=enrolment.bidder_number,
                ),
                now=now,
            )
    return enrolment


def enrolment_withdraw(*, lot_id: int, actor: User, clock: Clock | None = None) -> Enrolment:
    """The bidder (a consortium's lead) withdraws its enrolment before the deadline
    (招标投标法 第29条); its deposit then falls due for refund (实施条例 第35条)."""
    lot = access_enrolment_lot(actor, lot_id)
    organisation = access_bidder(actor)
    clock = clock or get_clock()
    with transaction.atomic():
        locked = lock_lot(lot.pk)
        locked.tender = lot.tender
        found = Enrolment.objects.filter(lot=locked, members__organisation=organisation).first()
        if found is None:
            raise ValidationError(_("您的主体没有报名本标段。"), code="not_enrolled")
        enrolment = lock_enrolment(found.pk)
        now = clock()
        if enrolment.lead_id != organisation.pk:
            raise PermissionDenied(_("联合体的报名只能由牵头人撤回。"))
        if enrolment.withdrawn_at is not None:
            raise ValidationError(_("该报名已经撤回。"), code="withdrawn")
        refusal = enrolment_lot_refusal(locked, now)
        if refusal is not None:
            raise ValidationError(
                _refusal_message(locked, refusal, withdrawing=True), code=refusal.value
            )
        enrolment.withdrawn_at = now
        enrolment.save(update_fields=["withdrawn_at"])
        # A withdrawn enrolment has no bid left standing at the opening (招标投标法 第29条).
        SealedBid.objects.filter(enrolment=enrolment, status=BidStatus.COMMITTED).update(
            status=BidStatus.WITHDRAWN, withdrawn_at=now
        )
        event_emit(
            kind="enrolment.withdrawn",
            subject=f"lot:{locked.pk}",
            payload={"lot": locked.pk, "enrolment": enrolment.pk},
            clock=fixed_clock(now),
        )
        ledger_append(
            scope_key=sealed_scope_key(locked.pk),
            scope_kind=ScopeKind.SEALED_LOT,
            sealed=True,
            action="enrolment.withdrawn",
            actor=actor,
            obj_type="enrolment",
            obj_id=str(enrolment.pk),
            payload={"lot": locked.pk, "bidder_number": enrolment.bidder_number},
            clock=fixed_clock(now),
        )
    return enrolment


def participants_enrol(lot: Lot, organisations: Sequence[Organisation], now: datetime) -> None:
    """The demo and training scenarios' bidders take part (trading.participants); idempotent."""
    with transaction.atomic():
        locked = lock_lot(lot.pk)
        enrolled = set(
            EnrolmentMember.objects.filter(lot=locked).values_list("organisation_id", flat=True)
        )
        for organisation in organisations:
            user = (
                User.objects.filter(organisation=organisation, is_active=True)
                .order_by("pk")
                .first()
            )
            if organisation.pk in enrolled or user is None:
                continue
            enrolment_record(lot=locked, lead=organisation, actor=user, now=now)
