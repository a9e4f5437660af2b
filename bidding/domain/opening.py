"""The opening's pure rules: what a read-out shows and the features of an opened document.

Attribution (电子招标投标办法 第31条) is decided in `bidding.services.opening_unlock` from the
evidence each check produces; here are the pieces that need no database and no clock.
"""

from __future__ import annotations

import re
from typing import Any

# The Info dictionary's fields the supervisors compare between bids (collusion checks: the same
# author or the same authoring tool in bids of different bidders).
PDF_INFO_FIELDS = ("Author", "Creator", "Producer")

# A light reader of the document information dictionary, not a PDF parser: it finds
# `/Author (…)` or `/Author <…>` wherever they stand uncompressed in the file. A PDF that keeps
# its Info dictionary inside a compressed object stream (PDF 1.5+) yields nothing for it; the
# SHA-256 and the size still compare. pypdf is not installed, and these three strings are all
# the features need.
_ENTRY = {
    name: re.compile(rb"/" + name.encode() + rb"\s*(\((?:\\.|[^\\])*?\)|<[0-9A-Fa-f\s]*>)")
    for name in PDF_INFO_FIELDS
}
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
MAX_FEATURE_LENGTH = 200


def _literal(body: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(body):
        byte = body[index : index + 1]
        if byte != b"\\":
            out += byte
            index += 1
            continue
        following = body[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", body[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            index += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def _text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    # PDFDocEncoding agrees with Latin-1 on the characters tools write in these fields.
    return raw.decode("latin-1")


def pdf_info(data: bytes) -> dict[str, str]:
    """Author, Creator and Producer from a PDF's uncompressed Info dictionary ("" when absent).

    The last occurrence wins: an incremental update appends the newer Info dictionary.
    """
    found: dict[str, str] = {}
    for name, pattern in _ENTRY.items():
        matches = pattern.findall(data)
        value = ""
        if matches:
            token = matches[-1]
            if token.startswith(b"("):
                value = _text(_literal(token[1:-1]))
            else:
                digits = re.sub(rb"\s", b"", token[1:-1])
                if len(digits) % 2:
                    digits += b"0"
                value = _text(bytes.fromhex(digits.decode("ascii")))
        found[name.lower()] = value.strip()[:MAX_FEATURE_LENGTH]
    return found


def _plain(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def offer_read_out(offer: dict[str, Any] | None) -> dict[str, str | None]:
    """What 唱标 reads from an opened offer (实施条例 第44条): price (or rate), duration, quality.

    The offer's field names are the submission page's; a rate stands in for a price where the
    lot is priced by a rate (费率).
    """
    offer = offer or {}
    price = offer.get("price", offer.get("rate"))
    duration = offer.get("duration_days", offer.get("duration"))
    return {
        "price": _plain(price),
        "duration": _plain(duration),
        "quality": _plain(offer.get("quality")),
        "project_manager": _plain(offer.get("project_manager")),
    }


def window_minutes_valid(minutes: object) -> bool:
    """The decryption window: a whole number of minutes, 5 to 240 (default 30)."""
    return isinstance(minutes, int) and not isinstance(minutes, bool) and 5 <= minutes <= 240
