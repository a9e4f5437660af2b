"""A failed lot tendered again: a successor lot in a new draft tender, linked to the lot it follows.

实施条例 第44条 (重新招标 after too few bids) and 第55条 (after the winner declined); 二次公告 and
re-listing after 流拍. A new round is a new announcement, so the successor is a new draft tender of
the same project with the failed lot's data copied; the owner completes its documents and dates and
submits it for review as usual. The procedure stays the same unless a change is approved (87号令
第43条: after 流标 a procurement changes method only with the regulator's approval).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import (
    METHOD_CHANGE_ARTICLE,
    LotStatus,
    method_change_blockers,
)
from trading.domain.procedures import is_sale
from trading.events import event_emit
from trading.lock_objects import lock_lot, lock_project
from trading.models import Lot, Procedure, Tender, User
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.services.common import fixed_clock, ledger, lot_tender, notify
from trading.services.lots import lot_create
from trading.services.tenders import tender_create
from trading.translatable import Message, Word

__all__ = ["lot_retender", "retender_word"]


def retender_word(tender: Tender) -> str:
    """What the next round is called: 重新招标 (tenders) or 重新挂牌 (listings and auctions)."""
    return _(_retender_msgid(tender))


def _retender_msgid(tender: Tender) -> str:
    if is_sale(tender.procedure.family):
        return gettext_noop("重新挂牌")
    if tender.project.business_type.code == "procurement":
        return gettext_noop("重新采购")
    return gettext_noop("重新招标")


def _method_change(
    predecessor: Tender, procedure: Procedure, approval: str, approval_number: str
) -> None:
    blockers = method_change_blockers(
        same_procedure=procedure.pk == predecessor.procedure_id,
        same_business_type=procedure.business_type_id == predecessor.project.business_type_id,
        approval=approval,
        approval_number=approval_number,
    )
    if "business_type" in blockers:
        raise ValidationError(
            {"procedure": _("交易方式须属于本项目的业务类型。")}, code="procedure_business_type"
        )
    article = METHOD_CHANGE_ARTICLE.get(
        predecessor.project.business_type.code, _("有关行政监督部门的批准")
    )
    errors = {}
    if "approval" in blockers:
        errors["approval"] = _("变更交易方式须经批准，请填写批准情况（%(a)s）。") % {"a": article}
    if "approval_number" in blockers:
        errors["approval_number"] = _("请填写批准文件文号。")
    if errors:
        raise ValidationError(errors, code="approval")


def lot_retender(
    *,
    lot: Lot,
    documents_issued_at: datetime | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    procedure: Procedure | None = None,
    approval: str = "",
    approval_number: str = "",
    actor: User,
    applications_close_at: datetime | None = None,
    clock: Clock | None = None,
) -> Lot:
    """Draft the next round of a failed lot, linked to it (实施条例 第44、55条; 87号令 第43条)."""
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    approval = (approval or "").strip()
    approval_number = (approval_number or "").strip()
    clock = clock or get_clock()
    with transaction.atomic():
        # Lock order: project, then the failed lot, then what is new.
        lock_project(lot.tender.project_id)
        lot = lock_lot(lot.pk)
        predecessor_tender = lot_tender(lot)
        if lot.status != LotStatus.FAILED:
            raise ValidationError(
                _("只有流标（流拍）的标段可以重新招标；标段当前状态为“%(s)s”。")
                % {"s": lot.get_status_display()},
                code="not_failed",
            )
        if lot.successors.exists():
            raise ValidationError(_("该标段已重新招标。"), code="retendered")
        procedure = procedure or predecessor_tender.procedure
        _method_change(predecessor_tender, procedure, approval, approval_number)
        changed = procedure.pk != predecessor_tender.procedure_id
        word = Word(_retender_msgid(predecessor_tender))
        # The tender's name is a record in Chinese, whatever language the owner reads.
        with translation.override("zh-hans"):
            suffix = retender_word(predecessor_tender)
        tender = tender_create(
            project=predecessor_tender.project,
            name=f"{predecessor_tender.name}（{suffix}）",
            procedure=procedure,
            price_form=predecessor_tender.price_form,
            deposit_form=predecessor_tender.deposit_form,
            documents_issued_at=documents_issued_at,
            actor=actor,
            clock=clock,
        )
        successor = lot_create(
            tender=tender,
            name=lot.name,
            estimate=lot.estimate,
            deposit_amount=lot.deposit_amount,
            increment=lot.increment,
            scope=lot.scope,
            duration_days=lot.duration_days,
            opens_at=opens_at,
            closes_at=closes_at,
            applications_close_at=applications_close_at,
            valuation=lot.valuation,
            actor=actor,
            clock=clock,
        )
        now = clock()
        successor.predecessor = lot
        successor.method_change_approval = approval if changed else ""
        successor.method_change_number = approval_number if changed else ""
        successor.save(
            update_fields=["predecessor", "method_change_approval", "method_change_number"]
        )
        event_emit(
            kind="lot.retendered",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": predecessor_tender.pk, "successor": successor.pk},
            clock=fixed_clock(now),
        )
        notify(
            owner_side_users(predecessor_tender.project),
            kind="lot.retendered",
            title=Message(
                gettext_noop("已起草%(word)s：%(code)s，请补充招标文件后提交审核"),
                word=word,
                code=successor.code,
            ),
            now=now,
        )
        change = {
            "procedure": procedure.code,
            "approval_number": approval_number if changed else "",
        }
        ledger(
            predecessor_tender,
            action="lot.retendered",
            actor=actor,
            obj=lot,
            payload={"successor": successor.pk, "code": successor.code, **change},
            now=now,
        )
        ledger(
            tender,
            action="lot.succeeds",
            actor=actor,
            obj=successor,
            payload={"predecessor": lot.pk, "code": lot.code, **change},
            now=now,
        )
    return successor
