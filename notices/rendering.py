"""PDF rendering of notices and letters: the only module that imports WeasyPrint.

Each document type is a template plus a pure builder (notices.domain.documents) registered here;
other apps' issues add theirs (complaint decisions, the opening record) with `register_document`.
Rendering is slow (≈0.2 s): it runs in Celery on the slow queue, never in a request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from notices.domain import documents
from notices.domain.documents.complaint_documents import COMPLAINT_BUILDERS
from notices.domain.documents.opening_record import OPENING_RECORD_BUILDERS

if TYPE_CHECKING:
    from notices.models import Notice

PDF_BASE_TEMPLATE = "notices/pdf/base.html"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str
    template_version: str
    # The HTML WeasyPrint rendered `content` from: frozen with the PDF, shown on the portal.
    html: str = ""


@dataclass(frozen=True)
class DocumentType:
    kind: str
    template: str
    builder: Callable[[Mapping[str, Any]], dict[str, Any]]
    version: str


class UnknownDocument(LookupError):
    """No template is registered for a notice kind."""


_REGISTRY: dict[str, DocumentType] = {}


def register_document(
    kind: str,
    *,
    template: str,
    builder: Callable[[Mapping[str, Any]], dict[str, Any]],
    version: str,
) -> None:
    """Declare how `kind` is rendered; bump `version` when its wording changes on purpose."""
    _REGISTRY[kind] = DocumentType(kind=kind, template=template, builder=builder, version=version)
    _template_digest.cache_clear()


def document_type(kind: str) -> DocumentType:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise UnknownDocument(kind) from None


def registered_kinds() -> list[str]:
    return sorted(_REGISTRY)


def _template_source(name: str) -> bytes:
    origin = get_template(name).origin  # type: ignore[attr-defined]
    return Path(origin.name).read_bytes()


@cache
def _template_digest(template: str) -> str:
    """A digest of the template and the shared base, so an edit without a version bump shows."""
    digest = hashlib.sha256()
    for name in (PDF_BASE_TEMPLATE, template):
        digest.update(_template_source(name))
    return digest.hexdigest()[:8]


def template_version(kind: str) -> str:
    """'<kind>/<declared version>+<template digest>', stored with every PDF (≤ 40 characters)."""
    doc_type = document_type(kind)
    return f"{kind}/{doc_type.version}+{_template_digest(doc_type.template)}"[:40]


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", DEFAULT_SITE_URL)).rstrip("/")


def verification_url(code: str) -> str:
    """The public verification page of `code`, absolute: printed and encoded in the QR code."""
    return f"{site_url()}/verify/?{urlencode({'code': code})}"


def qr_svg(url: str) -> str:
    """An inline SVG QR code (error correction M: survives a crease or a stamp over a corner)."""
    return str(segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000"))


def notice_document_input(notice: Notice) -> dict[str, Any]:
    """What a builder reads: the frozen data plus the notice's own title, body and identity."""
    dated = notice.publish_at or notice.created_at
    return {
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "issuer": notice.issuer,
        "verification_code": notice.verification_code,
        "number": documents.document_number(
            notice.kind, str(notice.data.get("tender_code", "")), notice.pk or 0
        ),
        "dated": timezone.localtime(dated).date().isoformat() if dated else None,
        "verify_url": verification_url(notice.verification_code),
        "data": notice.data,
    }


def css_string(value: str) -> str:
    """`value` as a quoted CSS string: every character outside printable ASCII and CJK escaped."""
    out = []
    for char in value:
        if (char.isalnum() and (char.isascii() or ord(char) > 0x2E7F)) or char in " -·./:()":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return mark_safe(f'"{"".join(out)}"')  # noqa: S308 - every special character is escaped


def render_html(kind: str, document_input: Mapping[str, Any]) -> str:
    """The document's HTML, always in Chinese: an official document has one authentic text."""
    doc_type = document_type(kind)
    context = doc_type.builder(document_input)
    context["qr_svg"] = qr_svg(context["verify_url"]) if context.get("verify_url") else ""
    context["site_url"] = site_url()
    with translation.override("zh-hans"):
        # Page margin texts live in CSS strings, where HTML escaping means nothing.
        context["css"] = {
            "header": css_string(gettext("天平 · 公共资源交易平台")),
            "number": css_string(str(context.get("number", ""))),
            "code": css_string(f"{gettext('验证码')} {context.get('verification_code', '')}"),
        }
        return render_to_string(doc_type.template, context)


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint costs 0.6 s at import, and only the render worker and the demo
    # seed print; every web process that merely previews a notice's HTML is spared it.
    import weasyprint

    # No base_url: a document must not load anything from outside itself.
    return bytes(weasyprint.HTML(string=html).write_pdf())


def notice_html(notice: Notice) -> str:
    """The notice as a document in HTML: what the PDF is rendered from, and what staff preview."""
    return render_html(str(notice.kind), notice_document_input(notice))


def render_notice(notice: Notice) -> RenderedPdf:
    """The notice's PDF, its SHA-256 and the template version (DESIGN.md invariant 7)."""
    html = notice_html(notice)
    content = render_pdf(html)
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_version=template_version(str(notice.kind)),
        html=html,
    )


def _register_notices() -> None:
    for kind, builder in documents.BUILDERS.items():
        register_document(kind, template=f"notices/pdf/{kind}.html", builder=builder, version="1")


def _register_complaint_documents() -> None:
    for kind, builder in COMPLAINT_BUILDERS.items():
        register_document(kind, template=f"notices/pdf/{kind}.html", builder=builder, version="1")


def _register_opening_records() -> None:
    for kind, builder in OPENING_RECORD_BUILDERS.items():
        register_document(kind, template=f"notices/pdf/{kind}.html", builder=builder, version="1")


_register_notices()
_register_complaint_documents()
_register_opening_records()
