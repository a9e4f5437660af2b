"""Which complaint documents the portal publishes: a procurement decision only (政府采购法实施条例
第58条); acceptances, refusals and engineering decisions are delivered to the parties."""

from __future__ import annotations

import pytest

from notices.domain.documents.complaint_documents import complaint_document_published


@pytest.mark.parametrize(
    ("kind", "business_type", "published"),
    [
        ("complaint_decision", "procurement", True),
        ("complaint_decision", "engineering", False),
        ("complaint_accepted", "procurement", False),
        ("complaint_refused", "procurement", False),
        ("complaint_accepted", "engineering", False),
        ("complaint_refused", "engineering", False),
    ],
)
def test_only_a_procurement_decision_is_published(
    kind: str, business_type: str, published: bool
) -> None:
    assert complaint_document_published(kind, business_type) is published
