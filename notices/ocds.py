"""Open Contracting Data Standard 1.1.5: one release package per published tender.

The platform publishes the current state of each tender as one release (a snapshot tagged with the
stages it contains), at a stable URL and in the bulk export. What OCDS lacks — lots, candidates,
business types that are not procurement (land, mining rights, state property …), training — goes
into fields prefixed ``tianping:``, which OCDS allows (its schemas do not forbid extra properties).

The mapping tables at the top are pure (strings in, strings out) so they can be read and tested on
their own; the builders below read trading's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from trading.domain.procedures import is_sale
from trading.models import (
    Award,
    Candidate,
    Contract,
    Lot,
    Organisation,
    Tender,
    TenderDocument,
)
from trading.site import site_url

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
LANGUAGE = "zh"
SHANGHAI = ZoneInfo("Asia/Shanghai")
EXTENSION_PREFIX = "tianping:"
# org-id.guide's list for the national enterprise credit register, which is keyed by the
# 统一社会信用代码 (GB 32100).
USCC_SCHEME = "CN-SAIC"
DEFAULT_PREFIX = "ocds-tianping-"
DEFAULT_PUBLISHER = "天平公共资源交易平台"

# --- pure mappings ------------------------------------------------------------------------------

# Business types whose lots are bought by the owner (a procurement); the others sell or transfer
# a right or an asset (a disposal): there the owner is a seller and the winner pays.
PURCHASE_TYPES = frozenset({"engineering", "procurement", "medicine"})

# Procedures whose flags do not say it: agreements are concluded with one chosen party, and a
# few sales and negotiations admit only parties the seller or the buyer chose.
METHOD_OVERRIDES: dict[tuple[str, str], str] = {
    ("mining", "agreement"): "direct",  # 协议出让
    ("pollution", "agreement"): "direct",  # 协议出让
    ("carbon", "sale"): "limited",  # 有偿出售 to the emitters covered by the scheme
    ("medicine", "negotiation"): "limited",  # 谈判采购 with the listed manufacturers
}

# GB/T 4754 sections (the first letter of an industry code) for procurements that are not works.
_GOODS_SECTIONS = frozenset({"A", "B", "C", "D", "F"})
_SERVICE_SECTIONS = frozenset(
    {"G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T"}
)

# A prequalification takes applications before the bidding: the tender process is under way.
_ACTIVE_LOT = frozenset({"published", "bidding", "prequalification", "prequal_review"})
_AFTER_DEADLINE_LOT = frozenset(
    {
        "opening",
        "auction",
        "evaluation",
        "negotiation",
        "publicity",
        "awarded",
        "contracted",
        "closed",
        "listing_closed",
        "agreement",
    }
)


def procurement_method(
    *,
    business_type: str,
    code: str,
    invitation_only: bool,
    prequalification: bool,
    sealed_bids: bool,
    min_bids: int,
) -> str:
    """OCDS ``method`` (open, selective, limited, direct) of a procedure, from its flags."""
    override = METHOD_OVERRIDES.get((business_type, code))
    if override is not None:
        return override
    if invitation_only:
        # 单一来源: one invited supplier without sealed competition.
        return "direct" if not sealed_bids and min_bids <= 1 else "limited"
    if prequalification:
        return "selective"
    return "open"


def main_procurement_category(
    *, business_type: str, procedure: str, industry: str | None
) -> str | None:
    """``goods``, ``works`` or ``services`` where the lot is a procurement; None for disposals."""
    if business_type == "engineering":
        return "works"
    if business_type == "medicine":
        return "goods"
    # 国企公开采购 under "other" is a procurement; its listings (林权, 农村产权) are not.
    if business_type not in {"procurement"} and (business_type, procedure) != ("other", "open"):
        return None
    if not industry:
        return None
    section = industry[:1]
    if section == "E":
        return "works"
    if section in _GOODS_SECTIONS:
        return "goods"
    if section in _SERVICE_SECTIONS:
        return "services"
    return None


def is_purchase(*, business_type: str, procedure: str) -> bool:
    return business_type in PURCHASE_TYPES or (business_type, procedure) == ("other", "open")


def lot_tender_status(status: str) -> str:
    """OCDS ``tenderStatus`` of one lot's lifecycle status."""
    if status == "draft":
        return "planning"
    if status in _ACTIVE_LOT:
        return "active"
    if status == "failed":
        return "unsuccessful"  # 流标 / 流拍
    if status == "terminated":
        return "cancelled"
    if status in _AFTER_DEADLINE_LOT:
        return "complete"
    raise ValueError(f"unknown lot status {status!r}")


def tender_status(lot_statuses: Iterable[str]) -> str:
    """The tender's ``tenderStatus``: active while any lot accepts bids, else what the lots say."""
    mapped = {lot_tender_status(status) for status in lot_statuses}
    if not mapped:
        return "planning"
    for status in ("active", "planning"):
        if status in mapped:
            return status
    if "complete" in mapped:
        return "complete"
    # Every lot failed or was terminated: terminated only if none failed.
    return "cancelled" if mapped == {"cancelled"} else "unsuccessful"


def tender_final_status(lot_statuses: Iterable[str]) -> str | None:
    """``tenderFinalStatus`` once every lot has reached an end; None while one is under way."""
    statuses = list(lot_statuses)
    if not statuses or any(s not in {"closed", "failed", "terminated"} for s in statuses):
        return None
    if "closed" in statuses:
        return "complete"
    return "cancelled" if set(statuses) == {"terminated"} else "unsuccessful"


def award_status(*, lot_status: str, has_award: bool) -> str | None:
    """``awardStatus``: a sale under publicity is pending, a confirmed award active."""
    if lot_status == "terminated":
        return "cancelled" if has_award else None
    if has_award:
        return "active"
    if lot_status == "publicity":
        return "pending"
    return None


def contract_status(lot_status: str) -> str:
    """``contractStatus`` of a recorded contract: signed and in force unless the lot ended it."""
    return "terminated" if lot_status == "terminated" else "active"


def release_tags(*, has_awards: bool, has_contracts: bool, all_cancelled: bool) -> list[str]:
    """``releaseTag`` codes describing what the snapshot contains."""
    if all_cancelled:
        return ["tenderCancellation"]
    tags = ["tender"]
    if has_awards:
        tags.append("award")
    if has_contracts:
        tags.append("contract")
    return tags


# --- value helpers ------------------------------------------------------------------------------


def ocds_datetime(moment: datetime | None) -> str | None:
    """ISO 8601 with the UTC offset, in Beijing time (the platform's day boundaries)."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def ocds_date(day: date | None) -> str | None:
    """A calendar day as the start of that day in Beijing time."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).isoformat(timespec="seconds")


def ocds_value(amount: Decimal | None) -> dict[str, Any] | None:
    # Amounts are at most 14 significant digits (MAX_AMOUNT), which a float round-trips exactly.
    if amount is None:
        return None
    return {"amount": float(amount), "currency": CURRENCY}


def ocds_prefix() -> str:
    return str(getattr(settings, "OCDS_PREFIX", DEFAULT_PREFIX))


def tender_ocid(tender: Tender) -> str:
    return f"{ocds_prefix()}{tender.code}"


def _ext(name: str) -> str:
    return f"{EXTENSION_PREFIX}{name}"


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    # OCDS prefers absent fields to nulls and empty lists.
    return {key: value for key, value in values.items() if value not in (None, [], {}, "")}


# --- selection ----------------------------------------------------------------------------------


def tenders_for_ocds(*, include_training: bool = False) -> QuerySet[Tender]:
    """Published tenders, with what their release needs; drafts and reviews are never public."""
    tenders = Tender.objects.filter(status="published").select_related(
        "project__owner__region",
        "project__agency__region",
        "project__region",
        "project__business_type",
        "project__industry",
        "procedure",
    )
    if not include_training:
        tenders = tenders.filter(project__training=False)
    return tenders.prefetch_related(
        Prefetch("lots", queryset=Lot.objects.order_by("code")),
        Prefetch(
            "lots__candidates",
            queryset=Candidate.objects.filter(superseded_at__isnull=True)
            .select_related("organisation__region")
            .order_by("rank"),
        ),
    ).order_by("code")


def tender_for_ocds(code: str, *, include_training: bool = False) -> Tender | None:
    return tenders_for_ocds(include_training=include_training).filter(code=code).first()


# --- builders -----------------------------------------------------------------------------------


class _Parties:
    """The release's parties, one entry per organisation, roles merged in first-seen order."""

    def __init__(self) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}

    def add(self, organisation: Organisation, *roles: str) -> dict[str, str]:
        party_id = f"{USCC_SCHEME}-{organisation.uscc}"
        entry = self._by_id.get(party_id)
        if entry is None:
            address: dict[str, Any] = {"country": "CN", "countryName": "中国"}
            if organisation.region is not None:
                address["region"] = organisation.region.name
            entry = _compact(
                {
                    "id": party_id,
                    "name": organisation.name,
                    "identifier": {
                        "scheme": USCC_SCHEME,
                        "id": organisation.uscc,
                        "legalName": organisation.name,
                    },
                    "address": address,
                    "contactPoint": (
                        {"telephone": organisation.contact_phone}
                        if organisation.contact_phone
                        else None
                    ),
                }
            )
            entry["roles"] = []
            self._by_id[party_id] = entry
        for role in roles:
            if role not in entry["roles"]:
                entry["roles"].append(role)
        return {"id": party_id, "name": organisation.name}

    def as_list(self) -> list[dict[str, Any]]:
        return list(self._by_id.values())


def _period(start: datetime | None, end: datetime | None) -> dict[str, Any] | None:
    return _compact({"startDate": ocds_datetime(start), "endDate": ocds_datetime(end)}) or None


def _candidate(candidate: Candidate, reference: dict[str, str]) -> dict[str, Any]:
    return _compact(
        {
            "rank": candidate.rank,
            "tenderer": reference,
            "value": ocds_value(candidate.price),
            "score": float(candidate.score) if candidate.score is not None else None,
            "durationInDays": candidate.duration_days,
            "quality": candidate.quality,
        }
    )


def release_package(tender: Tender, *, uri: str | None = None) -> dict[str, Any]:
    """The release package of one published tender (its current state as one release)."""
    release = tender_release(tender)
    package: dict[str, Any] = {
        "version": OCDS_VERSION,
        "publishedDate": release["date"],
        "publisher": _compact(
            {
                "name": str(getattr(settings, "OCDS_PUBLISHER_NAME", DEFAULT_PUBLISHER)),
                "uri": site_url(),
            }
        ),
        "releases": [release],
    }
    if uri:
        package = {"uri": uri, **package}
    return package


def tender_release(tender: Tender) -> dict[str, Any]:
    """One OCDS release: parties, tender, awards and contracts from trading's rows."""
    project = tender.project
    procedure = tender.procedure
    business_type = project.business_type.code
    lots = list(tender.lots.all())
    awards_by_lot = {
        award.lot_id: award
        for award in Award.objects.filter(
            lot__tender=tender, declined_at__isnull=True
        ).select_related("organisation__region")
    }
    contracts_by_lot = {
        contract.lot_id: contract for contract in Contract.objects.filter(lot__tender=tender)
    }
    purchase = is_purchase(business_type=business_type, procedure=procedure.code)

    parties = _Parties()
    owner_roles = ["buyer"] if purchase else [_ext("seller")]
    if project.agency is None:
        owner_roles.append("procuringEntity")
    owner_ref = parties.add(project.owner, *owner_roles)
    procuring_ref = owner_ref
    if project.agency is not None:
        procuring_ref = parties.add(project.agency, "procuringEntity")

    ocid = tender_ocid(tender)
    lot_entries: list[dict[str, Any]] = []
    awards: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    tenderers: list[dict[str, str]] = []
    moments: list[datetime] = [m for m in (tender.announced_at, tender.created_at) if m]

    for lot in lots:
        candidates = list(lot.candidates.all())
        candidate_entries = []
        for candidate in candidates:
            reference = parties.add(candidate.organisation, "tenderer")
            if reference not in tenderers:
                tenderers.append(reference)
            candidate_entries.append(_candidate(candidate, reference))
        award = awards_by_lot.get(lot.pk)
        contract = contracts_by_lot.get(lot.pk)
        if lot.status_changed_at:
            moments.append(lot.status_changed_at)
        lot_entries.append(
            _compact(
                {
                    "id": lot.code,
                    "title": lot.name,
                    "description": lot.scope,
                    "status": lot_tender_status(lot.status),
                    _ext("status"): lot.status,
                    "value": ocds_value(lot.estimate),
                    _ext("deposit"): ocds_value(lot.deposit_amount),
                    _ext("increment"): ocds_value(lot.increment) if lot.increment else None,
                    "tenderPeriod": _period(lot.opens_at, lot.closes_at),
                    "contractPeriod": (
                        {"durationInDays": lot.duration_days} if lot.duration_days else None
                    ),
                    "numberOfTenderers": lot.bid_count,
                    _ext("publicityPeriod"): _period(
                        lot.publicity_starts_at, lot.publicity_ends_at
                    ),
                    _ext("candidates"): candidate_entries,
                }
            )
        )
        status = award_status(lot_status=lot.status, has_award=award is not None)
        award_id = f"{lot.code}-award"
        if award is not None:
            supplier = parties.add(award.organisation, "supplier")
            moments.append(award.confirmed_at)
            awards.append(
                _compact(
                    {
                        "id": award_id,
                        "title": lot.name,
                        "status": status,
                        "date": ocds_datetime(award.confirmed_at),
                        "value": ocds_value(award.price),
                        "suppliers": [supplier],
                        "contractPeriod": (
                            {"durationInDays": lot.duration_days} if lot.duration_days else None
                        ),
                        _ext("lot"): lot.code,
                        _ext("letterIssuedDate"): ocds_datetime(award.letter_issued_at),
                        _ext("notFirstCandidateReason"): award.reason,
                    }
                )
            )
        elif status == "pending" and is_sale(procedure.family) and candidates:
            # A sale by auction is decided at the hammer; publicity is its standstill period.
            winner = candidates[0]
            supplier = parties.add(winner.organisation, "supplier")
            awards.append(
                _compact(
                    {
                        "id": award_id,
                        "title": lot.name,
                        "status": status,
                        "value": ocds_value(winner.price),
                        "suppliers": [supplier],
                        _ext("lot"): lot.code,
                    }
                )
            )
        if contract is not None and award is not None:
            moments.append(contract.recorded_at)
            contracts.append(
                _compact(
                    {
                        "id": f"{lot.code}-contract",
                        "awardID": award_id,
                        "title": lot.name,
                        "status": contract_status(lot.status),
                        "dateSigned": ocds_date(contract.signed_on),
                        "value": ocds_value(contract.amount),
                        _ext("lot"): lot.code,
                        _ext("reportFiledDate"): ocds_datetime(contract.report_filed_at),
                    }
                )
            )

    amendments = list(
        TenderDocument.objects.filter(tender=tender, kind="amendment")
        .order_by("version")
        .values_list("uploaded_at", "title", "version")
    )
    moments.extend(uploaded_at for uploaded_at, _title, _version in amendments)
    release_date = max(moments)
    statuses = [lot.status for lot in lots]
    industry = project.industry

    tender_section = _compact(
        {
            "id": tender.code,
            "title": tender.name,
            "status": tender_status(statuses),
            "finalStatus": tender_final_status(statuses),
            "procuringEntity": procuring_ref,
            "value": ocds_value(sum((lot.estimate for lot in lots), Decimal("0"))),
            "procurementMethod": procurement_method(
                business_type=business_type,
                code=procedure.code,
                invitation_only=procedure.invitation_only,
                prequalification=procedure.prequalification,
                sealed_bids=procedure.sealed_bids,
                min_bids=procedure.min_bids,
            ),
            "procurementMethodDetails": procedure.name,
            "mainProcurementCategory": main_procurement_category(
                business_type=business_type,
                procedure=procedure.code,
                industry=industry.code if industry is not None else None,
            ),
            "submissionMethod": ["electronicSubmission"]
            if procedure.sealed_bids
            else (["electronicAuction"] if procedure.live_auction else None),
            "datePublished": ocds_datetime(tender.announced_at),
            "tenderPeriod": _period(
                min((lot.opens_at for lot in lots if lot.opens_at), default=None),
                max((lot.closes_at for lot in lots if lot.closes_at), default=None),
            ),
            "enquiryPeriod": _period(tender.documents_issued_at, tender.clarification_deadline),
            "numberOfTenderers": (
                sum(lot.bid_count for lot in lots if lot.bid_count is not None)
                if any(lot.bid_count is not None for lot in lots)
                else None
            ),
            "tenderers": tenderers,
            "amendments": [
                {
                    "id": f"{tender.code}-amendment-{version}",
                    "date": ocds_datetime(uploaded_at),
                    "description": title,
                }
                for uploaded_at, title, version in amendments
            ],
            _ext("procedure"): {
                "code": procedure.code,
                "name": procedure.name,
                "family": procedure.family,
            },
            _ext("transactionDirection"): "purchase" if purchase else "disposal",
            # A purchase states its estimate or budget, a sale or transfer its starting price.
            _ext("valueKind"): "estimate" if purchase else "startingPrice",
            _ext("lots"): lot_entries,
        }
    )

    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{tender.code}-{release_date.astimezone(SHANGHAI):%Y%m%dT%H%M%S}",
        "date": ocds_datetime(release_date),
        "tag": release_tags(
            has_awards=bool(awards),
            has_contracts=bool(contracts),
            all_cancelled=bool(statuses) and set(statuses) == {"terminated"},
        ),
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": parties.as_list(),
    }
    if purchase:
        release["buyer"] = owner_ref
    release["tender"] = tender_section
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    release.update(
        _compact(
            {
                _ext("tradeId"): tender.trade_id,
                _ext("projectCode"): project.code,
                _ext("businessType"): {
                    "code": business_type,
                    "number": project.business_type.number,
                    "name": project.business_type.name,
                },
                _ext("region"): {"code": project.region.code, "name": project.region.name},
                _ext("industry"): (
                    {"code": industry.code, "name": industry.name} if industry is not None else None
                ),
                _ext("fundingSource"): project.funding_source if purchase else None,
                _ext("seller"): owner_ref if not purchase else None,
            }
        )
    )
    if project.training:
        release[_ext("training")] = True
    return release
