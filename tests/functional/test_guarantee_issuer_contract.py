"""The contract every guarantee issuer honours; a real adapter joins the parametrisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from bidding.guarantee_issuers import (
    GuaranteeApplication,
    GuaranteeIssuer,
    IssuerDeclined,
    LocalIssuer,
    get_issuer,
)


@dataclass(frozen=True)
class Harness:
    name: str
    make: Callable[[], GuaranteeIssuer]
    # Another issuer, or the same one under another secret: it must not honour this one's numbers.
    make_other: Callable[[], GuaranteeIssuer]


HARNESSES = [
    Harness(
        name="local",
        make=lambda: LocalIssuer(secret="contract-secret"),
        make_other=lambda: LocalIssuer(secret="another-secret"),
    ),
]

APPLICATION = GuaranteeApplication(
    kind="bank",
    applicant_uscc="91460100MA5T000009",
    beneficiary_uscc="91460100MA5T000001",
    beneficiary_name="海口市某某局",
    amount=Decimal("20000.00"),
    valid_until=datetime.fromisoformat("2027-03-01T00:00:00+08:00"),
    reference="guarantee:41",
)


@pytest.fixture(params=HARNESSES, ids=lambda h: h.name)
def harness(request: pytest.FixtureRequest) -> Harness:
    return request.param


def test_an_issued_guarantee_carries_the_terms_applied_for(harness: Harness) -> None:
    issued = harness.make().apply(APPLICATION)
    assert issued.number
    assert issued.amount == APPLICATION.amount
    assert issued.beneficiary_uscc == APPLICATION.beneficiary_uscc
    assert issued.valid_until == APPLICATION.valid_until
    assert issued.issuer_name


def test_status_by_number_reads_the_same_terms_back(harness: Harness) -> None:
    issuer = harness.make()
    issued = issuer.apply(APPLICATION)
    assert issuer.status(issued.number) == issued


def test_the_same_application_issues_the_same_guarantee_and_another_a_different_one(
    harness: Harness,
) -> None:
    issuer = harness.make()
    first = issuer.apply(APPLICATION)
    assert issuer.apply(APPLICATION).number == first.number
    assert issuer.apply(replace(APPLICATION, reference="guarantee:42")).number != first.number


@pytest.mark.parametrize("tamper", ["", "LB-1-2-3-4-0000", "not a number", "-"])
def test_an_unknown_or_forged_number_is_not_honoured(harness: Harness, tamper: str) -> None:
    assert harness.make().status(tamper) is None


def test_a_number_with_its_amount_altered_is_not_honoured(harness: Harness) -> None:
    issuer = harness.make()
    number = issuer.apply(APPLICATION).number
    assert issuer.status(number.replace("20000.00", "90000.00")) is None
    assert harness.make_other().status(number) is None


def test_claim_and_release_answer_the_same_reference_on_a_repeat(harness: Harness) -> None:
    issuer = harness.make()
    number = issuer.apply(APPLICATION).number
    claim = issuer.claim(number, amount=APPLICATION.amount, reason="实施条例 第74条")
    assert claim and claim == issuer.claim(number, amount=APPLICATION.amount, reason="重复")
    release = issuer.release(number)
    assert release and release == issuer.release(number)


def test_claim_or_release_of_an_unknown_number_is_declined(harness: Harness) -> None:
    issuer = harness.make()
    with pytest.raises(IssuerDeclined):
        issuer.claim("LB-1-2-3-4-0000", amount=Decimal("1.00"), reason="x")
    with pytest.raises(IssuerDeclined):
        issuer.release("LB-1-2-3-4-0000")


def test_a_zero_amount_is_declined(harness: Harness) -> None:
    with pytest.raises(IssuerDeclined):
        harness.make().apply(replace(APPLICATION, amount=Decimal("0.00")))


def test_settings_choose_the_issuer(settings: Any) -> None:
    settings.GUARANTEE_ISSUER = "bidding.guarantee_issuers.LocalIssuer"
    assert isinstance(get_issuer(), LocalIssuer)
