"""The certificate vault (证照库): add, replace (a new version) and retire certificates, and the
chronograph's expiry notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.domain.vault import ExpiryNotice, expiry_step
from bidding.models import Certificate, CertificateKind
from trading.chronograph import DueWork
from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.timeline import local_date, start_of_day
from trading.lock_objects import lock_organisation
from trading.models import Organisation, User
from trading.services.documents import check_pdf
from trading.services.ledger import ledger_append
from trading.services.notifications import notification_send
from trading.services.organisations import PLATFORM_SCOPE
from trading.translatable import Message, Param, Word


@dataclass(frozen=True)
class CertificateFacts:
    """What is printed on a certificate, as its holder typed it."""

    kind: str
    name: str
    number: str
    issuer: str
    issued_on: date | None
    expires_on: date | None = None
    grade: str = ""
    holder_name: str = ""
    speciality: str = ""


def certificate_max_bytes() -> int:
    return int(getattr(settings, "CERTIFICATE_MAX_BYTES", settings.BUSINESS_LICENCE_MAX_BYTES))


def _vault_user(actor: User, organisation: Organisation) -> None:
    if not (actor.is_active and actor.organisation_id == organisation.pk):
        raise PermissionDenied(_("只有本主体的用户可以管理本主体的证照库。"))
    if organisation.kind != OrganisationKind.BIDDER:
        raise PermissionDenied(_("证照库只供投标人使用。"))


def _required(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: message}, code=f"{field}_missing")
    return value


def _checked(facts: CertificateFacts, *, today: date) -> dict[str, Any]:
    """The facts as stored, or a refusal naming the field to correct."""
    if facts.kind not in CertificateKind.values:
        raise ValidationError({"kind": _("未知的证书类别。")}, code="kind")
    values: dict[str, Any] = {
        "kind": facts.kind,
        "name": _required(facts.name, "name", _("请填写证书名称。")),
        "number": _required(facts.number, "number", _("请填写证书编号。")),
        "issuer": _required(facts.issuer, "issuer", _("请填写发证机关。")),
        "grade": facts.grade.strip(),
        "holder_name": facts.holder_name.strip(),
        "speciality": facts.speciality.strip(),
        "issued_on": facts.issued_on,
        "expires_on": facts.expires_on,
    }
    if facts.kind == CertificateKind.QUALIFICATION:
        _required(facts.grade, "grade", _("资质证书请填写资质类别与等级。"))
    if facts.kind == CertificateKind.PRACTITIONER:
        _required(facts.holder_name, "holder_name", _("注册执业证书请填写持证人。"))
        _required(facts.speciality, "speciality", _("注册执业证书请填写注册专业。"))
    if facts.issued_on is None:
        raise ValidationError({"issued_on": _("请填写发证日期。")}, code="issued_on_missing")
    if facts.issued_on > today:
        raise ValidationError({"issued_on": _("发证日期不能晚于今天。")}, code="issued_future")
    if facts.expires_on is not None:
        if facts.expires_on < facts.issued_on:
            raise ValidationError(
                {"expires_on": _("有效期不能早于发证日期。")}, code="expires_before_issue"
            )
        if facts.expires_on < today:
            raise ValidationError(
                {
                    "expires_on": _("该证书已于 %(day)s 过期，不能入库，请上传有效的证书。")
                    % {"day": facts.expires_on.isoformat()}
                },
                code="expired",
            )
    return values


def _next_check(expires_on: date | None, now: datetime) -> datetime | None:
    step = expiry_step(expires_on=expires_on, on=local_date(now), warned=False, expired_told=False)
    if step.send is not None:
        return now
    return start_of_day(step.next_day) if step.next_day else None


def _store(certificate: Certificate, file: Any, sha256: str) -> None:
    # The uploaded name is the holder's: store under the organisation's code and the digest.
    name = f"{certificate.organisation.uscc}-{certificate.kind}-{sha256[:16]}.pdf"
    certificate.file.save(name, file, save=False)


def certificate_add(
    *,
    organisation: Organisation,
    facts: CertificateFacts,
    file: Any,
    actor: User,
    clock: Clock | None = None,
) -> Certificate:
    """Keep a certificate once, to be reused in every bid (证照文件一次入库)."""
    _vault_user(actor, organisation)
    clock = clock or get_clock()
    if not file:
        raise ValidationError({"file": _("请上传证书扫描件（PDF）。")}, code="file_missing")
    _size, sha256 = check_pdf(file, field="file", limit=certificate_max_bytes())
    with transaction.atomic():
        organisation = lock_organisation(organisation.pk)
        now = clock()
        values = _checked(facts, today=local_date(now))
        certificate = Certificate(
            organisation=organisation,
            file_sha256=sha256,
            added_at=now,
            added_by=actor,
            next_check=_next_check(values["expires_on"], now),
            **values,
        )
        _store(certificate, file, sha256)
        certificate.save()
        _ledger(certificate, action="certificate.added", actor=actor, now=now)
    return certificate


def certificate_replace(
    *,
    certificate: Certificate,
    facts: CertificateFacts,
    file: Any,
    actor: User,
    clock: Clock | None = None,
) -> Certificate:
    """A renewed certificate becomes the current version; the old one stays, unchanged, for
    the bids that used it."""
    organisation = certificate.organisation
    _vault_user(actor, organisation)
    clock = clock or get_clock()
    if not file:
        raise ValidationError({"file": _("请上传证书扫描件（PDF）。")}, code="file_missing")
    _size, sha256 = check_pdf(file, field="file", limit=certificate_max_bytes())
    facts = CertificateFacts(**{**facts.__dict__, "kind": certificate.kind})
    with transaction.atomic():
        lock_organisation(organisation.pk)
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not old.is_current:
            raise ValidationError(
                _("该证书已被替换或停用，请在当前版本上操作。"), code="not_current"
            )
        now = clock()
        values = _checked(facts, today=local_date(now))
        old.replaced_at = now
        old.next_check = None
        old.save(update_fields=["replaced_at", "next_check"])
        new = Certificate(
            organisation=organisation,
            file_sha256=sha256,
            added_at=now,
            added_by=actor,
            version=old.version + 1,
            previous=old,
            next_check=_next_check(values["expires_on"], now),
            **values,
        )
        _store(new, file, sha256)
        new.save()
        _ledger(new, action="certificate.replaced", actor=actor, now=now, previous=old.pk)
    return new


def certificate_retire(
    *, certificate: Certificate, actor: User, clock: Clock | None = None
) -> Certificate:
    """Take a certificate out of use (revoked, sold, a practitioner who left); kept for old bids."""
    _vault_user(actor, certificate.organisation)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_organisation(certificate.organisation_id)
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not locked.is_current:
            raise ValidationError(
                _("该证书已被替换或停用，请在当前版本上操作。"), code="not_current"
            )
        now = clock()
        locked.retired_at = now
        locked.retired_by = actor
        locked.next_check = None
        locked.save(update_fields=["retired_at", "retired_by", "next_check"])
        _ledger(locked, action="certificate.retired", actor=actor, now=now)
    return locked


def _ledger(
    certificate: Certificate, *, action: str, actor: User | None, now: datetime, **extra: Any
) -> None:
    ledger_append(
        scope_key=PLATFORM_SCOPE,
        scope_kind="platform",
        action=action,
        actor=actor,
        obj_type="certificate",
        obj_id=str(certificate.pk),
        payload={
            "organisation": certificate.organisation_id,
            "kind": certificate.kind,
            "number": certificate.number,
            "version": certificate.version,
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else "",
            "sha256": certificate.file_sha256,
            **extra,
        },
        clock=lambda: now,
    )


# --- expiry notices: chronograph due work -------------------------------------------------------

KIND_WORDS = {
    CertificateKind.QUALIFICATION.value: Word(gettext_noop("资质证书")),
    CertificateKind.LICENCE.value: Word(gettext_noop("许可证")),
    CertificateKind.PRACTITIONER.value: Word(gettext_noop("注册执业证书")),
}


def _certificates_due(now: datetime) -> QuerySet[Certificate]:
    return Certificate.objects.filter(next_check__lte=now)


def certificate_expiry_advance(certificate: Certificate, now: datetime) -> None:
    """Tell the organisation's users once ahead of expiry and once on it; then look no more."""
    if not certificate.is_current:
        certificate.next_check = None
        certificate.save(update_fields=["next_check"])
        return
    step = expiry_step(
        expires_on=certificate.expires_on,
        on=local_date(now),
        warned=certificate.expiry_warned_at is not None,
        expired_told=certificate.expired_told_at is not None,
    )
    fields = ["next_check"]
    if step.send is not None:
        _tell(certificate, step.send, now)
        if step.send == ExpiryNotice.WARNING:
            certificate.expiry_warned_at = now
            fields.append("expiry_warned_at")
        else:
            certificate.expired_told_at = now
            fields.append("expired_told_at")
    certificate.next_check = start_of_day(step.next_day) if step.next_day else None
    certificate.save(update_fields=fields)


def _tell(certificate: Certificate, notice: ExpiryNotice, now: datetime) -> None:
    params: dict[str, Param] = {
        "kind": KIND_WORDS[certificate.kind],
        "name": certificate.name,
        "number": certificate.number,
        "day": certificate.expires_on.isoformat() if certificate.expires_on else "",
    }
    if notice == ExpiryNotice.WARNING:
        title = Message(gettext_noop("证书即将到期：%(name)s"), name=certificate.name)
        body = Message(
            gettext_noop(
                "%(kind)s“%(name)s”（编号 %(number)s）将于 %(day)s 到期，到期后不能再用于投标。"
                "请及时换证，并在证照库中替换为新证书。"
            ),
            **params,
        )
    else:
        title = Message(gettext_noop("证书已过期：%(name)s"), name=certificate.name)
        body = Message(
            gettext_noop(
                "%(kind)s“%(name)s”（编号 %(number)s）已于 %(day)s 到期，不能再用于投标。"
                "请在证照库中上传新证书。"
            ),
            **params,
        )
    notification_send(
        recipients=list(certificate.organisation.users.filter(is_active=True)),
        kind=f"certificate.{notice.value}",
        title=title,
        body=body,
        url=reverse("bidding_certificates"),
        clock=lambda: now,
    )


CERTIFICATE_EXPIRY = DueWork(
    name="bidding.certificate_expiry",
    due=_certificates_due,
    advance=certificate_expiry_advance,
)
