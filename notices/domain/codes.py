"""Verification codes printed on every published document (DESIGN.md invariant 7).

Twelve Crockford base32 symbols (60 random bits), grouped by four so a person can read one aloud
and type it back: "7KQ2-9M4X-3TZA". Reading back forgives what people mistype: lower case,
spaces or missing dashes, O for 0, I or L for 1.
"""

from __future__ import annotations

import secrets
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH: Final = 12
GROUP: Final = 4
# Crockford's decoding of the look-alikes it leaves out of the alphabet.
_LOOKALIKES: Final = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS: Final = frozenset(" -_\u3000\t")
# Anything longer is not a code (and not worth normalising).
_MAX_RAW: Final = 64


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))


def verification_code_new() -> str:
    """A fresh random code, grouped as XXXX-XXXX-XXXX."""
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def verification_code_normalise(raw: str) -> str | None:
    """The canonical grouped form of what a person typed, or None if it cannot be a code."""
    if not isinstance(raw, str) or len(raw) > _MAX_RAW:
        return None
    symbols = []
    for char in raw.strip().upper():
        if char in _SEPARATORS:
            continue
        char = _LOOKALIKES.get(char, char)
        if char not in ALPHABET:
            return None
        symbols.append(char)
    if len(symbols) != LENGTH:
        return None
    return _grouped("".join(symbols))
