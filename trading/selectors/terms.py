"""The words a tender's lots speak: its business type's, or its procedure's own (增资: 投资方)."""

from __future__ import annotations

import re
from dataclasses import asdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.domain.vocabulary import PROCEDURE_TERMS, TERMS, Terms, terms_for
from trading.models import Tender
from trading.translatable import Message, Word

# Titles of the laws the rule rows cite, where makemessages finds them: an English page names
# the law in English ("Tendering Law, Art. 45"); a title without a translation stays Chinese.
LAW_TITLES = (
    gettext_noop("招标投标法实施条例"),
    gettext_noop("政府采购法实施条例"),
    gettext_noop("财政部令第74号"),
    gettext_noop("财政部令第87号"),
    gettext_noop("财政部令第94号"),
    gettext_noop("财库〔2014〕214号"),
    gettext_noop("民法典"),
    gettext_noop("企业国有产权交易操作规则（国资发产权〔2009〕120号）"),
)
# "<law> 第<n>条", the way rule rows write an article (n may be a range, 第16-22条).
_CITATION = re.compile(r"^(?P<law>\S.*?)\s*第(?P<number>[0-9]+(?:[-–、][0-9]+)*)条$")
_CITATION_MSGID = gettext_noop("%(law)s 第%(number)s条")
# Citations the vocabulary names whole (招标投标法 第45条): each has its own English already.
_WHOLE_CITATIONS = frozenset(
    word
    for terms in [*TERMS.values(), *PROCEDURE_TERMS.values()]
    for word in asdict(terms).values()
    if word
)


_NAMED_LAWS = frozenset({*LAW_TITLES, *_WHOLE_CITATIONS})


def tender_terms(tender: Tender) -> Terms:
    """The untranslated words of `tender` (32号令 第三章: a capital increase has 投资方)."""
    return terms_for(tender.project.business_type.code, tender.procedure.code)


def _part(part: str) -> Message | Word:
    """One citation as a message: the law's title is a word, the article number a literal."""
    match = _CITATION.match(part)
    if match is None or part in _WHOLE_CITATIONS or match["law"] not in _NAMED_LAWS:
        return Word(part)
    return Message(_CITATION_MSGID, law=Word(match["law"]), number=match["number"])


def _parts(article: str) -> Message:
    parts = {f"a{index}": _part(part) for index, part in enumerate(article.split("；")) if part}
    return Message("；".join(f"%({name})s" for name in parts), **parts)


def article_words(article: str) -> str:
    """A rule row's article for the reader: each law named in the reader's language where the
    catalogue knows it (else its Chinese title), the platform's own rule phrases translated."""
    return _parts(article).render() if article else ""


def article_cited(article: str) -> str:
    """`article` in brackets after a sentence; nothing where no rule row governs the step."""
    return _("（%(article)s）") % {"article": article_words(article)} if article else ""


def article_note(article: str) -> Message | str:
    """`article_cited` kept as a message, rendered in each reader's language."""
    return Message(gettext_noop("（%(article)s）"), article=_parts(article)) if article else ""
