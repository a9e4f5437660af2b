"""`{% terms business_type as words %}`: a business type's words, translated, for templates."""

from __future__ import annotations

from dataclasses import asdict

from django import template
from django.utils.translation import gettext

from trading.domain.vocabulary import terms_for

register = template.Library()


def translated_terms(business_type: str, procedure: str = "") -> dict[str, str]:
    """Every word of `business_type`'s (and `procedure`'s) vocabulary in the reader's language."""
    words = terms_for(business_type, procedure)
    return {name: gettext(word) for name, word in asdict(words).items()}


@register.simple_tag
def terms(business_type: str, procedure: str = "") -> dict[str, str]:
    return translated_terms(str(business_type or ""), str(procedure or ""))
