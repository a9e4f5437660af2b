"""What each published document says: the fields per kind and pure builders of their contents.

A builder takes the document input (the notice's `data` plus its title, body, issuer, number,
date and verification code) and returns the template context. No Django, no clock: the same
input always gives the same document (DESIGN.md invariant 7 relies on it to re-render).

The labels are the documents' own Chinese wording; `N_` marks them for the catalogue, and the
renderer always renders in Chinese because an official document has one authentic text.
The package is split by what the documents are about and re-exports the whole interface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from notices.domain.documents.fields import NOTICE_FIELDS, Field, missing_fields
from notices.domain.documents.formatting import (
    Row,
    chinese_date,
    chinese_datetime,
    document_number,
    price_with_words,
    text,
    yuan,
    yuan_in_words,
)
from notices.domain.documents.kinds import (
    AMENDMENT,
    ANNOUNCEMENT,
    AWARD_LETTER,
    CANDIDATES,
    CLARIFICATION,
    DEAL,
    DEAL_CONFIRMATION,
    DOCUMENT_NAMES,
    FAILURE,
    KINDS,
    N_,
    NUMBER_CODES,
    RESULT,
    TERMINATION,
)
from notices.domain.documents.result_notices import (
    build_award_letter,
    build_candidates,
    build_deal,
    build_deal_confirmation,
    build_result,
)
from notices.domain.documents.tender_notices import (
    build_amendment,
    build_announcement,
    build_clarification,
    build_failure,
    build_termination,
)
from notices.domain.documents.words import VOCABULARY, Vocabulary, vocabulary

Builder = Callable[[Mapping[str, Any]], dict[str, Any]]

BUILDERS: dict[str, Builder] = {
    ANNOUNCEMENT: build_announcement,
    AMENDMENT: build_amendment,
    CLARIFICATION: build_clarification,
    CANDIDATES: build_candidates,
    RESULT: build_result,
    DEAL: build_deal,
    FAILURE: build_failure,
    TERMINATION: build_termination,
    AWARD_LETTER: build_award_letter,
    DEAL_CONFIRMATION: build_deal_confirmation,
}

__all__ = [
    "AMENDMENT",
    "ANNOUNCEMENT",
    "AWARD_LETTER",
    "BUILDERS",
    "CANDIDATES",
    "CLARIFICATION",
    "DEAL",
    "DEAL_CONFIRMATION",
    "DOCUMENT_NAMES",
    "FAILURE",
    "KINDS",
    "NOTICE_FIELDS",
    "NUMBER_CODES",
    "N_",
    "RESULT",
    "TERMINATION",
    "VOCABULARY",
    "Builder",
    "Field",
    "Row",
    "Vocabulary",
    "build_amendment",
    "build_announcement",
    "build_award_letter",
    "build_candidates",
    "build_clarification",
    "build_deal",
    "build_deal_confirmation",
    "build_failure",
    "build_result",
    "build_termination",
    "chinese_date",
    "chinese_datetime",
    "document_number",
    "missing_fields",
    "price_with_words",
    "text",
    "vocabulary",
    "yuan",
    "yuan_in_words",
]
