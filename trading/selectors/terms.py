"""The words a tender's lots speak: its business type's, or its procedure's own (增资: 投资方)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.domain.vocabulary import Terms, terms_for
from trading.models import Tender
from trading.translatable import Message


def tender_terms(tender: Tender) -> Terms:
    """The untranslated words of `tender` (32号令 第三章: a capital increase has 投资方)."""
    return terms_for(tender.project.business_type.code, tender.procedure.code)


def article_cited(article: str) -> str:
    """`article` in brackets after a sentence; nothing where no rule row governs the step."""
    return _("（%(article)s）") % {"article": article} if article else ""


def article_note(article: str) -> Message | str:
    """`article_cited` rendered in the reader's language; the law's title stays Chinese."""
    return Message(gettext_noop("（%(article)s）"), article=article) if article else ""
