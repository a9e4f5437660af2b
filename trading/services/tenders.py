"""Projects, tenders and their documents, from the draft to publication and amendment.

Every writer: keyword-only, one transaction, locks in the order of `trading.lock_objects`
(region → project → tender → lot), the clock read after the locks, the domain rule checked inside
them, and the ledger entry of the tender's chain as the last write (DESIGN.md §3, invariant 6).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import (
    TERMINAL,
    Family,
    IllegalTransition,
    LotEvent,
    LotStatus,
    TenderStatus,
    next_check,
    transition,
)
from trading.domain.timeline import Violation, check_schedule
from trading.events import event_emit
from trading.lock_objects import (
    lock_lot,
    lock_lots_of_tender,
    lock_project,
    lock_region,
    lock_tender,
)
from trading.models import (
    BusinessType,
    Desk,
    DocumentDownload,
    Industry,
    Lot,
    Organisation,
    Procedure,
    Project,
    Question,
    Region,
    Tender,
    TenderDocument,
    User,
)
from trading.models.tenders import MAX_AMOUNT, DepositForm, DocumentKind, FundingSource, PriceForm
from trading.selectors.rules import calendar_load
from trading.selectors.tenders import (
    BIDDER_DOCUMENT_KINDS,
    EDIT,
    OPERATE,
    VIEW,
    access_tender,
    amendment_earliest_deadline,
    closing_point,
    desk_staff_list,
    may,
    owner_side_users,
    rule_between,
    scaled_points,
    sealed_scope_key,
    shanghai_day,
    tender_rules,
    tender_scope_key,
    tender_violations,
)
from trading.services.ledger import ledger_append
from trading.services.notifications import notification_send

__all__ = [
    "document_store",
    "lot_create",
    "lot_update",
    "project_create",
    "question_answer",
    "question_ask",
    "tender_amend",
    "tender_create",
    "tender_document_download",
    "tender_document_upload",
    "tender_publish",
    "tender_reject",
    "tender_submit",
    "tender_update",
]

PDF_MAGIC = b"%PDF-"


# --- shared helpers (lots.py uses them too) -------------------------------------------------


def fixed_clock(now: datetime) -> Clock:
    """Everything one transaction writes carries the one moment read after its locks."""
    return lambda: now


def money(value: Any, field: str) -> Decimal:
    """Yuan as a Decimal with at most two decimals, 0 to MAX_AMOUNT (DESIGN.md invariant 8)."""
    if isinstance(value, (float, bool)):
        raise ValidationError({field: _("金额须以精确的小数表示（不接受浮点数）。")}, code="money")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("金额格式不正确。")}, code="money") from None
    if not amount.is_finite():
        raise ValidationError({field: _("金额格式不正确。")}, code="money")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("金额最多保留两位小数（元、角、分）。")}, code="money")
    if amount < 0:
        raise ValidationError({field: _("金额不能为负数。")}, code="money")
    if amount > MAX_AMOUNT:
        raise ValidationError(
            {field: _("金额不能超过 %(max)s 元。") % {"max": f"{MAX_AMOUNT:,}"}}, code="money"
        )
    return amount.quantize(Decimal("0.01"))


def aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError({field: _("请填写带时区的日期时间。")}, code="datetime")
    return value


def not_in_past(value: datetime | None, field: str, now: datetime) -> None:
    if value is not None and value < now:
        raise ValidationError({field: _("时间不能早于当前时间。")}, code="past")


def ledger(
    tender: Tender,
    *,
    action: str,
    actor: User | None,
    obj: Tender | Lot | Any,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """One entry of the tender's chain (its scope head is locked last, DESIGN.md invariant 6)."""
    obj_type = "tender" if isinstance(obj, Tender) else "lot" if isinstance(obj, Lot) else "other"
    ledger_append(
        scope_key=tender_scope_key(tender.pk),
        scope_kind="tender",
        action=action,
        actor=actor,
        obj_type=obj_type,
        obj_id=str(obj.pk),
        payload=payload or {},
        clock=fixed_clock(now),
    )


def notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str = "", now: datetime
) -> None:
    people = [user for user in recipients if user is not None]
    if people:
        notification_send(
            recipients=people, kind=kind, title=title, body=body, clock=fixed_clock(now)
        )


def lot_next_check(lot: Lot) -> datetime | None:
    """next_check derived from the lot's state and schedule (DESIGN.md invariant 2)."""
    return next_check(
        status=LotStatus(lot.status),
        opens_at=lot.opens_at,
        closes_at=lot.closes_at,
        publicity_ends_at=lot.publicity_ends_at,
        suspended=lot.suspended_at is not None,
    )


def apply_transition(
    lot: Lot,
    tender: Tender,
    event: LotEvent,
    *,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Move the lot by `event` (raises IllegalTransition); return the ledger payload.

    The caller saves the lot, and appends the ledger entry last.
    """
    before = LotStatus(lot.status)
    after = transition(Family(tender.procedure.family), before, event)
    lot.status = after
    lot.status_changed_at = now
    lot.next_check = lot_next_check(lot)
    document = {"from": before.value, "to": after.value, "event": event.value, **(payload or {})}
    event_emit(
        kind="lot.status_changed",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, **document},
        clock=fixed_clock(now),
    )
    return document


def refused_transition(lot: Lot, error: IllegalTransition) -> ValidationError:
    return ValidationError(
        _("标段当前状态为“%(status)s”，不能进行此操作。") % {"status": lot.get_status_display()},
        code="illegal_transition",
    )


def check_pdf(file: File[Any] | Any, field: str = "file") -> tuple[int, str]:
    """A PDF no larger than TENDER_DOCUMENT_MAX_BYTES; returns (size, sha256)."""
    limit = int(getattr(settings, "TENDER_DOCUMENT_MAX_BYTES", 50 * 1024 * 1024))
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {field: _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024) or 1}},
            code="too_large",
        )
    file.seek(0)
    digest = hashlib.sha256()
    head = b""
    total = 0
    for chunk in _chunks(file):
        if not head:
            head = chunk[: len(PDF_MAGIC)]
        total += len(chunk)
        if total > limit:
            raise ValidationError(
                {field: _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024) or 1}},
                code="too_large",
            )
        digest.update(chunk)
    file.seek(0)
    if total == 0:
        raise ValidationError({field: _("文件为空。")}, code="empty")
    if not head.startswith(PDF_MAGIC):
        raise ValidationError({field: _("只接受 PDF 文件。")}, code="not_pdf")
    return total, digest.hexdigest()


def _chunks(file: Any) -> Iterable[bytes]:
    if hasattr(file, "chunks"):
        yield from file.chunks()
        return
    while True:
        chunk = file.read(64 * 1024)
        if not chunk:
            return
        yield chunk


def document_store(
    *,
    tender: Tender,
    kind: str,
    title: str,
    file: Any,
    actor: User,
    now: datetime,
    affects_bids: bool = False,
    note: str = "",
    lot: Lot | None = None,
) -> TenderDocument:
    """The next version of the tender's documents; the caller holds the tender's lock."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("未知的文件类型。")}, code="kind")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写文件标题。")}, code="title")
    size, sha256 = check_pdf(file)
    last = tender.documents.order_by("-version").values_list("version", flat=True).first()
    version = (last or 0) + 1
    document = TenderDocument(
        tender=tender,
        lot=lot,
        kind=kind,
        version=version,
        title=title,
        size=size,
        sha256=sha256,
        affects_bids=affects_bids,
        note=note,
        uploaded_by=actor,
        uploaded_at=now,
    )
    # The file is written before the commit; a rollback leaves an orphan file, never a row
    # pointing to a missing one.
    document.file.save(f"{tender.code}-v{version}.pdf", File(file), save=False)
    document.save()
    return document


def _owner_side(actor: User, project: Project) -> bool:
    return actor.organisation_id in (project.owner_id, project.agency_id)


# --- projects -------------------------------------------------------------------------------


def project_create(
    *,
    owner: Organisation,
    agency: Organisation | None = None,
    name: str,
    region: Region,
    business_type: BusinessType,
    industry: Industry | None = None,
    funding_source: str = FundingSource.STATE,
    state_funded: bool = True,
    training: bool = False,
    time_scale: int = 1,
    actor: User,
    clock: Clock | None = None,
) -> Project:
    """Register a project (项目, code C17 = region + year + 7-digit serial) for its owner."""
    if owner.kind != OrganisationKind.OWNER:
        raise ValidationError({"owner": _("招标人须为招标人/采购人/出让人类主体。")}, code="owner")
    if agency is not None and agency.kind != OrganisationKind.AGENCY:
        raise ValidationError({"agency": _("代理机构须为代理机构类主体。")}, code="agency")
    if actor.organisation_id not in (owner.pk, agency.pk if agency else None):
        raise PermissionDenied(_("只有招标人或其委托的代理机构可以登记项目。"))
    if not (actor.organisation and actor.organisation.is_verified and owner.is_verified):
        raise PermissionDenied(_("主体通过核验后才能登记项目。"))
    if agency is not None and not agency.is_verified:
        raise ValidationError({"agency": _("代理机构尚未通过核验。")}, code="agency")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写项目名称。")}, code="name")
    if funding_source not in FundingSource.values:
        raise ValidationError({"funding_source": _("未知的资金来源。")}, code="funding")
    if time_scale < 1 or (time_scale != 1 and not training):
        raise ValidationError(
            {"time_scale": _("只有培训演示项目可以设置时间倍率（不小于1）。")}, code="time_scale"
        )
    if not Desk.objects.filter(region=region, business_type=business_type).exists():
        raise ValidationError({"region": _("该市县没有办理此业务类型的交易科室。")}, code="desk")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_region(region.pk)
        now = clock()
        prefix = f"{region.code}{shanghai_day(now).year}"
        last = (
            Project.objects.filter(code__startswith=prefix)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        serial = int(last[len(prefix) :]) + 1 if last else 1
        project = Project.objects.create(
            code=f"{prefix}{serial:07d}",
            name=name,
            owner=owner,
            agency=agency,
            region=region,
            business_type=business_type,
            industry=industry,
            funding_source=funding_source,
            state_funded=state_funded,
            training=training,
            time_scale=time_scale,
            created_by=actor,
            created_at=now,
        )
    return project


# --- tenders --------------------------------------------------------------------------------


def _may_draft(actor: User, project: Project, desk: Desk) -> bool:
    from trading.selectors.tenders import operates_desk

    return _owner_side(actor, project) or operates_desk(actor, desk.pk)


def _check_procedure(procedure: Procedure, project: Project) -> None:
    if procedure.business_type_id != project.business_type_id:
        raise ValidationError(
            {"procedure": _("交易方式“%(p)s”不属于本项目的业务类型。") % {"p": procedure.name}},
            code="procedure_business_type",
        )


def _check_tender_schedule(
    *,
    documents_issued_at: datetime | None,
    clarification_deadline: datetime | None,
    announced_at: datetime | None,
    now: datetime,
) -> None:
    for field, value in (
        ("documents_issued_at", documents_issued_at),
        ("clarification_deadline", clarification_deadline),
        ("announced_at", announced_at),
    ):
        aware(value, field)
        not_in_past(value, field, now)
    if documents_issued_at is None:
        raise ValidationError(
            {"documents_issued_at": _("请填写招标文件发出时间。")}, code="required"
        )
    if clarification_deadline is not None and clarification_deadline <= documents_issued_at:
        raise ValidationError(
            {"clarification_deadline": _("澄清截止时间须晚于招标文件发出时间。")}, code="order"
        )


def tender_create(
    *,
    project: Project,
    name: str,
    procedure: Procedure,
    price_form: str = PriceForm.AMOUNT,
    deposit_form: str = DepositForm.EITHER,
    documents_issued_at: datetime | None,
    clarification_deadline: datetime | None = None,
    announced_at: datetime | None = None,
    actor: User,
    clock: Clock | None = None,
) -> Tender:
    """Draft a tender (招标项目, code C20 = project code + 3-digit serial) at its desk."""
    desk = Desk.objects.filter(
        region_id=project.region_id, business_type_id=project.business_type_id
    ).first()
    if desk is None:
        raise ValidationError({"project": _("该市县没有办理此业务类型的交易科室。")}, code="desk")
    if not _may_draft(actor, project, desk):
        raise Http404(_("没有找到该项目。"))
    _check_procedure(procedure, project)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写招标项目名称。")}, code="name")
    if price_form not in PriceForm.values:
        raise ValidationError({"price_form": _("未知的报价方式。")}, code="price_form")
    if deposit_form not in DepositForm.values:
        raise ValidationError({"deposit_form": _("未知的保证金形式。")}, code="deposit_form")
    clock = clock or get_clock()
    with transaction.atomic():
        project = lock_project(project.pk)
        now = clock()
        _check_tender_schedule(
            documents_issued_at=documents_issued_at,
            clarification_deadline=clarification_deadline,
            announced_at=announced_at,
            now=now,
        )
        last = (
            Tender.objects.filter(project=project)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        serial = int(last[-3:]) + 1 if last else 1
        code = f"{project.code}{serial:03d}"
        tender = Tender.objects.create(
            project=project,
            code=code,
            # 统一交易标识码: the platform's C20 code with the business type number, until the
            # provincial platform assigns its own.
            trade_id=f"JY{code}{project.business_type.number:02d}",
            name=name,
            procedure=procedure,
            desk=desk,
            price_form=price_form,
            deposit_form=deposit_form,
            announced_at=announced_at,
            documents_issued_at=documents_issued_at,
            clarification_deadline=clarification_deadline,
            drafted_by=actor,
            created_at=now,
        )
        ledger(
            tender,
            action="tender.drafted",
            actor=actor,
            obj=tender,
            payload={"code": tender.code, "procedure": procedure.code},
            now=now,
        )
    return tender


_TENDER_FIELDS = frozenset(
    {
        "name",
        "procedure",
        "price_form",
        "deposit_form",
        "documents_issued_at",
        "clarification_deadline",
        "announced_at",
    }
)


def tender_update(
    *, tender: Tender, actor: User, clock: Clock | None = None, **fields: Any
) -> Tender:
    """Correct a draft tender (only while it is a draft, by whoever may edit it)."""
    access_tender(actor, tender.pk, purpose=EDIT)
    unknown = set(fields) - _TENDER_FIELDS
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以修改。"), code="not_draft")
        for field, value in fields.items():
            setattr(tender, field, value.strip() if isinstance(value, str) else value)
        if "procedure" in fields:
            _check_procedure(tender.procedure, tender.project)
        if "price_form" in fields and tender.price_form not in PriceForm.values:
            raise ValidationError({"price_form": _("未知的报价方式。")}, code="price_form")
        if "deposit_form" in fields and tender.deposit_form not in DepositForm.values:
            raise ValidationError({"deposit_form": _("未知的保证金形式。")}, code="deposit_form")
        if not tender.name:
            raise ValidationError({"name": _("请填写招标项目名称。")}, code="name")
        _check_tender_schedule(
            documents_issued_at=tender.documents_issued_at,
            clarification_deadline=tender.clarification_deadline,
            announced_at=tender.announced_at,
            now=now,
        )
        for lot in lots:
            if lot.closes_at is not None and lot.closes_at <= tender.documents_issued_at:  # type: ignore[operator]
                raise ValidationError(
                    {"documents_issued_at": _("投标截止时间不能早于招标文件发出时间。")},
                    code="order",
                )
        tender.save()
        ledger(
            tender,
            action="tender.updated",
            actor=actor,
            obj=tender,
            payload={"fields": sorted(fields)},
            now=now,
        )
    return tender


# --- lots -----------------------------------------------------------------------------------


def _check_lot(
    *,
    tender: Tender,
    name: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    now: datetime,
) -> None:
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写标段名称。")}, code="name")
    aware(opens_at, "opens_at")
    aware(closes_at, "closes_at")
    if opens_at is None:
        raise ValidationError({"opens_at": _("请填写投标（挂牌）开始时间。")}, code="required")
    if closes_at is None:
        raise ValidationError({"closes_at": _("请填写投标截止（挂牌截止）时间。")}, code="required")
    not_in_past(opens_at, "opens_at", now)
    not_in_past(closes_at, "closes_at", now)
    if closes_at <= opens_at:
        raise ValidationError(
            {"closes_at": _("截止时间须晚于开始时间。")}, code="closes_before_opens"
        )
    if tender.documents_issued_at is not None and closes_at <= tender.documents_issued_at:
        raise ValidationError(
            {"closes_at": _("投标截止时间不能早于招标文件发出时间。")}, code="order"
        )


def lot_create(
    *,
    tender: Tender,
    name: str,
    estimate: Decimal,
    deposit_amount: Decimal = Decimal("0"),
    increment: Decimal = Decimal("0"),
    scope: str = "",
    duration_days: int | None = None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    actor: User,
    clock: Clock | None = None,
) -> Lot:
    """Add a lot (标段/包/宗地/标的, code C23 = tender code + 3-digit serial) to a draft."""
    access_tender(actor, tender.pk, purpose=EDIT)
    amounts = {
        "estimate": money(estimate, "estimate"),
        "deposit_amount": money(deposit_amount, "deposit_amount"),
        "increment": money(increment, "increment"),
    }
    if duration_days is not None and duration_days <= 0:
        raise ValidationError({"duration_days": _("工期须为正整数（日）。")}, code="duration")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以增加标段。"), code="not_draft")
        _check_lot(tender=tender, name=name, opens_at=opens_at, closes_at=closes_at, now=now)
        last = (
            Lot.objects.filter(tender=tender)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        serial = int(last[-3:]) + 1 if last else 1
        lot = Lot.objects.create(
            tender=tender,
            code=f"{tender.code}{serial:03d}",
            name=name.strip(),
            scope=scope,
            duration_days=duration_days,
            opens_at=opens_at,
            closes_at=closes_at,
            **amounts,
        )
        ledger(
            tender,
            action="lot.drafted",
            actor=actor,
            obj=lot,
            payload={"code": lot.code, **{k: str(v) for k, v in amounts.items()}},
            now=now,
        )
    return lot


_LOT_FIELDS = frozenset(
    {
        "name",
        "estimate",
        "deposit_amount",
        "increment",
        "scope",
        "duration_days",
        "opens_at",
        "closes_at",
    }
)
_MONEY_FIELDS = ("estimate", "deposit_amount", "increment")


def lot_update(*, lot: Lot, actor: User, clock: Clock | None = None, **fields: Any) -> Lot:
    """Correct a lot of a draft tender."""
    access_tender(actor, lot.tender_id, purpose=EDIT)
    unknown = set(fields) - _LOT_FIELDS
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for field in _MONEY_FIELDS:
        if field in fields:
            fields[field] = money(fields[field], field)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(lot.tender.project_id)
        tender = lock_tender(lot.tender_id)
        lot = lock_lot(lot.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以修改。"), code="not_draft")
        for field, value in fields.items():
            setattr(lot, field, value)
        _check_lot(
            tender=tender, name=lot.name, opens_at=lot.opens_at, closes_at=lot.closes_at, now=now
        )
        lot.save()
        ledger(
            tender,
            action="lot.updated",
            actor=actor,
            obj=lot,
            payload={"fields": sorted(fields)},
            now=now,
        )
    return lot


def tender_document_upload(
    *,
    tender: Tender,
    kind: str,
    title: str,
    file: Any,
    affects_bids: bool = False,
    note: str = "",
    lot: Lot | None = None,
    actor: User,
    clock: Clock | None = None,
) -> TenderDocument:
    """Upload the tender documents (招标文件/出让文件) as a new PDF version, while drafting."""
    access_tender(actor, tender.pk, purpose=EDIT)
    if kind != DocumentKind.TENDER_DOCUMENTS:
        # Clarifications, amendments, reports and contracts have services of their own, which
        # check what each means for the schedule.
        raise ValidationError({"kind": _("此处只能上传招标文件。")}, code="kind")
    if lot is not None and lot.tender_id != tender.pk:
        raise ValidationError({"lot": _("标段不属于该招标项目。")}, code="lot")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(
                _("已提交或已发布的招标文件不能替换，请发布澄清或变更。"), code="not_draft"
            )
        document = document_store(
            tender=tender,
            kind=kind,
            title=title,
            file=file,
            actor=actor,
            now=now,
            affects_bids=affects_bids,
            note=note,
            lot=lot,
        )
        ledger(
            tender,
            action="tender.document_uploaded",
            actor=actor,
            obj=tender,
            payload={"version": document.version, "kind": kind, "sha256": document.sha256},
            now=now,
        )
    return document


def tender_document_download(
    *, document: TenderDocument, actor: User, clock: Clock | None = None
) -> TenderDocument:
    """A verified bidder obtains published documents; who did stays sealed (法 第22条, inv. 3).

    The first download per organisation and document is recorded, with an entry in each lot's
    sealed scope; later downloads are served without a new row. Anybody else gets Http404.
    """
    if actor.organisation_kind != OrganisationKind.BIDDER or actor.organisation is None:
        raise Http404(_("没有找到该文件。"))
    if document.kind not in BIDDER_DOCUMENT_KINDS:
        raise Http404(_("没有找到该文件。"))
    organisation = actor.organisation
    clock = clock or get_clock()
    with transaction.atomic():
        # The lots' locks order this download against the close of bidding (DESIGN.md inv. 1).
        if document.lot_id is not None:
            lots = [lock_lot(document.lot_id)]
        else:
            lots = lock_lots_of_tender(document.tender_id)
        now = clock()
        tender = Tender.objects.select_related("procedure").get(pk=document.tender_id)
        open_lots = [lot for lot in lots if lot.status not in TERMINAL]
        if tender.status != TenderStatus.PUBLISHED or not open_lots:
            raise Http404(_("没有找到该文件。"))
        if any(lot.status == LotStatus.DRAFT for lot in open_lots):
            raise Http404(_("没有找到该文件。"))
        if not organisation.is_verified:
            raise PermissionDenied(
                _("您的主体尚未通过交易中心核验，暂不能下载招标文件。请等待核验通过后再下载。")
            )
        _row, first = DocumentDownload.objects.get_or_create(
            document=document,
            organisation=organisation,
            defaults={"user": actor, "downloaded_at": now},
        )
        if first:
            for lot in open_lots:
                ledger_append(
                    scope_key=sealed_scope_key(lot.pk),
                    scope_kind="sealed_lot",
                    sealed=True,
                    action="document.downloaded",
                    actor=actor,
                    obj_type="document",
                    obj_id=str(document.pk),
                    payload={
                        "lot": lot.pk,
                        "document": document.pk,
                        "version": document.version,
                        "sha256": document.sha256,
                        "organisation": organisation.pk,
                        "uscc": organisation.uscc,
                    },
                    clock=fixed_clock(now),
                )
    return document


# --- review and publication -----------------------------------------------------------------


def tender_submit(*, tender: Tender, actor: User, clock: Clock | None = None) -> Tender:
    """Submit a draft to the desk for review; its staff are notified (审核发布, 管办分离)."""
    access_tender(actor, tender.pk, purpose=EDIT)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以提交审核。"), code="not_draft")
        if not lots:
            raise ValidationError(_("请至少添加一个标段后再提交。"), code="no_lots")
        if not tender.documents.filter(kind=DocumentKind.TENDER_DOCUMENTS).exists():
            raise ValidationError(
                {"documents": _("请先上传招标文件（PDF）。")}, code="no_documents"
            )
        tender.status = TenderStatus.PENDING_REVIEW
        tender.submitted_by = actor
        tender.save(update_fields=["status", "submitted_by"])
        reviewers = [
            user for user in desk_staff_list(tender.desk) if user.pk != tender.drafted_by_id
        ]
        notify(
            reviewers,
            kind="tender.submitted",
            title=_("待审核：%(code)s %(name)s") % {"code": tender.code, "name": tender.name},
            body=_("请审核该招标项目的公告、文件和时间安排后发布。"),
            now=now,
        )
        ledger(tender, action="tender.submitted", actor=actor, obj=tender, now=now)
    return tender


def tender_reject(
    *, tender: Tender, reason: str, actor: User, clock: Clock | None = None
) -> Tender:
    """Desk staff return a submitted tender to its drafter with the reason."""
    access_tender(actor, tender.pk, purpose=OPERATE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")}, code="reason")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PENDING_REVIEW:
            raise ValidationError(_("只有待审核的项目可以退回。"), code="not_pending")
        tender.status = TenderStatus.DRAFT
        tender.save(update_fields=["status"])
        notify(
            [tender.drafted_by, *owner_side_users(tender.project)],
            kind="tender.rejected",
            title=_("已退回：%(code)s %(name)s") % {"code": tender.code, "name": tender.name},
            body=reason,
            now=now,
        )
        ledger(
            tender,
            action="tender.rejected",
            actor=actor,
            obj=tender,
            payload={"reason": reason},
            now=now,
        )
    return tender


def _past_violations(tender: Tender, lots: list[Lot], now: datetime) -> list[Violation]:
    found = []
    for lot in lots:
        for moment, point in (
            (lot.opens_at, "listing_start"),
            (lot.closes_at, closing_point(tender)),
        ):
            if moment is not None and moment <= now:
                found.append(
                    Violation(
                        rule_key="not_in_past",
                        point=point,
                        article="",
                        description=_("时间已过"),
                        earliest=now,
                        latest=None,
                        message=_("%(lot)s：时间已过，请重新安排。") % {"lot": lot.name},
                    )
                )
    return found


def violations_error(violations: list[Violation], *, lots: list[Lot]) -> ValidationError:
    """Each violation next to the point it belongs to, each message naming its article."""
    by_point: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        message = str(violation.message)
        if message not in by_point[violation.point]:
            by_point[violation.point].append(message)
    return ValidationError(dict(by_point), code="schedule")


def tender_publish(*, tender: Tender, actor: User, clock: Clock | None = None) -> Tender:
    """Desk staff publish a reviewed tender: not its drafter, and only with a lawful schedule."""
    access_tender(actor, tender.pk, purpose=OPERATE)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PENDING_REVIEW:
            raise ValidationError(_("只有待审核的项目可以发布。"), code="not_pending")
        if tender.drafted_by_id == actor.pk:
            drafter_kind = tender.drafted_by.organisation_kind
            if drafter_kind == OrganisationKind.CENTER:
                raise PermissionDenied(_("工作人员起草的项目须由另一名工作人员审核发布。"))
            raise PermissionDenied(_("起草人不能发布自己起草的项目。"))
        if not lots:
            raise ValidationError(_("请至少添加一个标段后再发布。"), code="no_lots")
        # Documents cannot be issued before the announcement that offers them.
        tender.announced_at = now
        if tender.documents_issued_at is None or tender.documents_issued_at < now:
            tender.documents_issued_at = now
        on = shanghai_day(now)
        violations = _past_violations(tender, lots, now) + tender_violations(
            tender, on=on, lots=lots, now=now
        )
        if violations:
            raise violations_error(violations, lots=lots)
        tender.status = TenderStatus.PUBLISHED
        tender.published_by = actor
        tender.rules_as_of = on
        tender.save(
            update_fields=[
                "status",
                "published_by",
                "rules_as_of",
                "announced_at",
                "documents_issued_at",
            ]
        )
        entries = []
        for lot in lots:
            entries.append((lot, apply_transition(lot, tender, LotEvent.PUBLISH, now=now)))
            lot.save(update_fields=["status", "status_changed_at", "next_check"])
        event_emit(
            kind="tender.published",
            subject=f"tender:{tender.pk}",
            payload={
                "tender": tender.pk,
                "code": tender.code,
                "lots": [lot.pk for lot in lots],
                "training": tender.project.training,
                "rules_as_of": on.isoformat(),
            },
            clock=fixed_clock(now),
        )
        notify(
            [tender.drafted_by, *owner_side_users(tender.project)],
            kind="tender.published",
            title=_("已发布：%(code)s %(name)s") % {"code": tender.code, "name": tender.name},
            now=now,
        )
        ledger(
            tender,
            action="tender.published",
            actor=actor,
            obj=tender,
            payload={"rules_as_of": on.isoformat(), "announced_at": now.isoformat()},
            now=now,
        )
        for lot, document in entries:
            ledger(tender, action="lot.published", actor=actor, obj=lot, payload=document, now=now)
    return tender


# --- after publication ----------------------------------------------------------------------


def tender_amend(
    *,
    tender: Tender,
    document_file: Any,
    title: str,
    affects_bids: bool,
    new_closes_at: datetime | None = None,
    note: str = "",
    actor: User,
    clock: Clock | None = None,
) -> TenderDocument:
    """Publish an amendment (变更); late ones move the deadline (实施条例 第21条)."""
    access_tender(actor, tender.pk, purpose=EDIT)
    aware(new_closes_at, "new_closes_at")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PUBLISHED:
            raise ValidationError(_("只有已发布的项目可以发布变更。"), code="not_published")
        open_lots = [lot for lot in lots if lot.status in (LotStatus.PUBLISHED, LotStatus.BIDDING)]
        if not open_lots:
            raise ValidationError(_("投标已截止，不能再发布变更。"), code="closed")
        moves: list[tuple[Lot, datetime, datetime]] = []
        if new_closes_at is not None:
            earliest_lawful = amendment_earliest_deadline(tender, now) if affects_bids else now
            for lot in open_lots:
                if new_closes_at < lot.closes_at:  # type: ignore[operator]
                    raise ValidationError(
                        {"new_closes_at": _("变更后的截止时间不能早于原截止时间。")}, code="earlier"
                    )
                if new_closes_at < earliest_lawful:
                    raise ValidationError(
                        {
                            "new_closes_at": _(
                                "投标截止时间不得早于 %(at)s（招标投标法实施条例 第21条："
                                "澄清或修改影响投标文件编制的，应当在投标截止时间至少15日前发出）。"
                            )
                            % {"at": _local(earliest_lawful)}
                        },
                        code="amendment_deadline",
                    )
                moves.append((lot, lot.closes_at, new_closes_at))  # type: ignore[arg-type]
        elif affects_bids:
            for lot in open_lots:
                if _amendment_too_late(tender, lot, now):
                    proposal = amendment_earliest_deadline(tender, now)
                    raise ValidationError(
                        {
                            "new_closes_at": _(
                                "距投标截止不足15日，须顺延投标截止时间，最早为 %(at)s"
                                "（实施条例 第21条）。"
                            )
                            % {"at": _local(proposal)}
                        },
                        code="amendment_deadline",
                    )
        document = document_store(
            tender=tender,
            kind=DocumentKind.AMENDMENT,
            title=title,
            file=document_file,
            actor=actor,
            now=now,
            affects_bids=affects_bids,
            note=note,
        )
        for lot, _before, after in moves:
            lot.closes_at = after
            lot.next_check = lot_next_check(lot)
            lot.save(update_fields=["closes_at", "next_check"])
        event_emit(
            kind="tender.amended",
            subject=f"tender:{tender.pk}",
            payload={
                "tender": tender.pk,
                "document": document.pk,
                "version": document.version,
                "affects_bids": affects_bids,
                "moved": {str(lot.pk): after.isoformat() for lot, _b, after in moves},
            },
            clock=fixed_clock(now),
        )
        ledger(
            tender,
            action="tender.amended",
            actor=actor,
            obj=tender,
            payload={
                "version": document.version,
                "sha256": document.sha256,
                "affects_bids": affects_bids,
            },
            now=now,
        )
        for lot, before, after in moves:
            ledger(
                tender,
                action="lot.deadline_moved",
                actor=actor,
                obj=lot,
                payload={
                    "from": before.isoformat(),
                    "to": after.isoformat(),
                    "article": "实施条例 第21条",
                },
                now=now,
            )
    return document


def _amendment_too_late(tender: Tender, lot: Lot, now: datetime) -> bool:
    rules = rule_between(
        tender_rules(tender, on=tender.rules_as_of or shanghai_day(now)),
        "amendment",
        "bid_deadline",
    )
    if not rules or lot.closes_at is None:
        return False
    scale = tender.project.time_scale if tender.project.training else 1
    points = scaled_points({"amendment": now, "bid_deadline": lot.closes_at}, scale)
    return bool(check_schedule(points, rules, calendar_load()))


def _local(moment: datetime) -> str:
    from trading.selectors.tenders import SHANGHAI

    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def question_ask(*, tender: Tender, text: str, actor: User, clock: Clock | None = None) -> Question:
    """A bidder asks about the documents; the owner answers in a clarification (实施条例 第21条)."""
    if actor.organisation_kind != OrganisationKind.BIDDER or not (
        actor.organisation and actor.organisation.is_verified
    ):
        raise PermissionDenied(_("只有已核验的投标人可以提问。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写问题。")}, code="text")
    clock = clock or get_clock()
    with transaction.atomic():
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PUBLISHED:
            raise Http404(_("没有找到该招标项目。"))
        if tender.clarification_deadline is not None and now > tender.clarification_deadline:
            raise ValidationError(_("澄清截止时间已过，不能再提问。"), code="late")
        question = Question.objects.create(tender=tender, asked_by=actor, text=text, asked_at=now)
        notify(
            owner_side_users(tender.project),
            kind="question.asked",
            title=_("有新的答疑问题：%(code)s") % {"code": tender.code},
            body=text[:200],
            now=now,
        )
        # The asker stays anonymous in the tender's chain: who takes part is secret (法 第22条).
        ledger(
            tender,
            action="question.asked",
            actor=None,
            obj=tender,
            payload={"question": question.pk},
            now=now,
        )
    return question


def question_answer(
    *,
    questions: list[Question],
    document_file: Any,
    title: str,
    actor: User,
    clock: Clock | None = None,
) -> TenderDocument:
    """The owner answers questions in one clarification, a new version of the documents."""
    if not questions:
        raise ValidationError({"questions": _("请选择要答复的问题。")}, code="questions")
    tender_ids = {question.tender_id for question in questions}
    if len(tender_ids) != 1:
        raise ValidationError({"questions": _("一次只能答复同一项目的问题。")}, code="questions")
    tender = access_tender(actor, tender_ids.pop(), purpose=EDIT)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PUBLISHED:
            raise ValidationError(_("只有已发布的项目可以答疑。"), code="not_published")
        pks = [question.pk for question in questions]
        rows = list(Question.objects.select_for_update().filter(pk__in=pks, tender=tender))
        if len(rows) != len(set(pks)) or any(row.answered_in_id for row in rows):
            raise ValidationError({"questions": _("所选问题已答复或不存在。")}, code="answered")
        document = document_store(
            tender=tender,
            kind=DocumentKind.CLARIFICATION,
            title=title,
            file=document_file,
            actor=actor,
            now=now,
        )
        Question.objects.filter(pk__in=pks).update(answered_in=document)
        event_emit(
            kind="tender.clarified",
            subject=f"tender:{tender.pk}",
            payload={"tender": tender.pk, "document": document.pk, "version": document.version},
            clock=fixed_clock(now),
        )
        notify(
            [row.asked_by for row in rows],
            kind="question.answered",
            title=_("您的问题已答复：%(code)s") % {"code": tender.code},
            now=now,
        )
        ledger(
            tender,
            action="tender.clarified",
            actor=actor,
            obj=tender,
            payload={
                "version": document.version,
                "sha256": document.sha256,
                "questions": sorted(pks),
            },
            now=now,
        )
    return document


def tender_viewable(user: User, tender: Tender) -> bool:
    return may(user, tender, purpose=VIEW)
