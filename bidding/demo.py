"""The demo's bidders with their profiles and certificate vaults (`make run`)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.files.base import ContentFile

from bidding.models import Certificate, OrganisationProfile
from bidding.services.profile import organisation_profile_update
from bidding.services.vault import CertificateFacts, certificate_add
from trading.clock import get_clock
from trading.domain.timeline import local_date
from trading.models import User
from trading.services.demo import demo_licence_pdf

# username of the bidder's administrator → its legal representative, bank and account number.
PROFILES = {
    "bidder1": ("王建国", "中国工商银行海口龙昆支行", "2201021009000123456"),
    "bidder2": ("符海生", "中国建设银行琼海支行", "46050100363600000789"),
}


def _certificates(today: date) -> dict[str, list[CertificateFacts]]:
    soon = today + timedelta(days=20)  # flagged as expiring: within 30 days
    later = today + timedelta(days=700)
    issued = today - timedelta(days=400)
    return {
        "bidder1": [
            CertificateFacts(
                kind="qualification",
                name="建筑业企业资质证书",
                number="D246000001",
                grade="建筑工程施工总承包壹级",
                issuer="海南省住房和城乡建设厅",
                issued_on=issued,
                expires_on=later,
            ),
            CertificateFacts(
                kind="licence",
                name="安全生产许可证",
                number="(琼)JZ安许证字[2023]000001",
                issuer="海南省住房和城乡建设厅",
                issued_on=issued,
                expires_on=soon,
            ),
            CertificateFacts(
                kind="practitioner",
                name="一级注册建造师注册证书",
                number="琼1462020202100001",
                holder_name="李海军",
                speciality="建筑工程",
                issuer="中华人民共和国住房和城乡建设部",
                issued_on=issued,
                expires_on=later,
            ),
        ],
        "bidder2": [
            CertificateFacts(
                kind="qualification",
                name="建筑业企业资质证书",
                number="D246000002",
                grade="公路工程施工总承包贰级",
                issuer="海南省住房和城乡建设厅",
                issued_on=issued,
                expires_on=later,
            ),
        ],
        "bidder_new": [
            CertificateFacts(
                kind="licence",
                name="安全生产许可证",
                number="(琼)JZ安许证字[2024]000011",
                issuer="海南省住房和城乡建设厅",
                issued_on=issued,
            ),
        ],
    }


def demo_vault_seed(*, tenders: bool = True) -> dict[str, int]:
    """Profiles and vaults of the demo bidders, once; the newcomer's profile is left to fill."""
    if not tenders:
        return {}
    today = local_date(get_clock()())
    for username, facts_list in _certificates(today).items():
        admin = User.objects.filter(username=username).select_related("organisation").first()
        if admin is None or admin.organisation is None:
            continue
        organisation = admin.organisation
        if (
            username in PROFILES
            and not OrganisationProfile.objects.filter(organisation=organisation).exists()
        ):
            representative, bank, number = PROFILES[username]
            organisation_profile_update(
                organisation=organisation,
                actor=admin,
                legal_representative=representative,
                basic_account_bank=bank,
                basic_account_name=organisation.name,
                basic_account_number=number,
                contact_name=admin.first_name or representative,
                contact_phone=organisation.contact_phone or "0898-66530000",
            )
        if Certificate.objects.filter(organisation=organisation).exists():
            continue
        for facts in facts_list:
            # The stand-in scan prints an ASCII label: the number without its Chinese characters.
            label = re.sub(r"[^A-Za-z0-9]", "", facts.number)
            scan = ContentFile(demo_licence_pdf(label), name="certificate.pdf")
            certificate_add(organisation=organisation, facts=facts, file=scan, actor=admin)
    return {"certificates": Certificate.objects.count()}
