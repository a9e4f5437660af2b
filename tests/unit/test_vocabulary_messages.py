"""Every word of the business types' vocabulary reaches the English pages (Django i18n)."""

from __future__ import annotations

from dataclasses import asdict

from django.utils import translation

from trading.domain.vocabulary import PROCEDURE_TERMS, TERMS
from trading.templatetags.vocabulary import VOCABULARY_MESSAGES

WORDS = {
    word
    for terms in [*TERMS.values(), *PROCEDURE_TERMS.values()]
    for word in asdict(terms).values()
    if word
}


def test_makemessages_finds_every_word_of_the_vocabulary() -> None:
    assert set(VOCABULARY_MESSAGES) == WORDS


def test_every_word_has_its_english() -> None:
    with translation.override("en"):
        untranslated = sorted(w for w in WORDS if translation.gettext(w) == w)
    assert untranslated == []
