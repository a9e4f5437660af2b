"""The words a tender's lots speak: its business type's, or its procedure's own (增资: 投资方)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.domain.vocabulary import Terms, terms_for
from trading.models import Tender
from trading.translatable import Message, Word


def tender_terms(tender: Tender) -> Terms:
    """The untranslated words of `tender` (32号令 第三章: a capital increase has 投资方)."""
    return terms_for(tender.project.business_type.code, tender.procedure.code)


def article_words(article: str) -> str:
    """A rule row's article for the reader: a law keeps its Chinese title; the platform's own
    rule phrases (本平台规则…) are words and are translated."""
    return "；".join(_(part) if part else part for part in article.split("；"))


def article_cited(article: str) -> str:
    """`article` in brackets after a sentence; nothing where no rule row governs the step."""
    return _("（%(article)s）") % {"article": article_words(article)} if article else ""


def article_note(article: str) -> Message | str:
    """`article_cited` rendered in the reader's language; the law's title stays Chinese."""
    if not article:
        return ""
    parts = article.split("；")
    words = {f"a{index}": Word(part) for index, part in enumerate(parts)}
    joined = "；".join(f"%({name})s" for name in words)
    return Message(gettext_noop("（%(article)s）"), article=Message(joined, **words))
