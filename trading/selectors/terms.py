"""The words a tender's lots speak: its business type's, or its procedure's own (增资: 投资方)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from trading.domain.vocabulary import Terms, terms_for
from trading.models import Tender


def tender_terms(tender: Tender) -> Terms:
    """The untranslated words of `tender` (32号令 第三章: a capital increase has 投资方)."""
    return terms_for(tender.project.business_type.code, tender.procedure.code)


def article_cited(article: str) -> str:
    """`article` in brackets after a sentence; nothing where no rule row governs the step."""
    return _("（%(article)s）") % {"article": article} if article else ""
