"""Every page carries a Content-Security-Policy without inline scripts or styles, and no
template needs one (an inline script, style or event handler would break under it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

TEMPLATES = Path(settings.BASE_DIR) / "frontend" / "templates"
# PDF templates are rendered by WeasyPrint, never served to a browser.
BROWSER_TEMPLATES = sorted(
    path for path in TEMPLATES.rglob("*.html") if "pdf" not in path.relative_to(TEMPLATES).parts
)
INLINE = [
    (re.compile(r"\sstyle\s*="), "an inline style attribute"),
    (re.compile(r"<style\b"), "a <style> element"),
    (re.compile(r"\son[a-z]+\s*="), "an inline event handler"),
    (re.compile(r"<script\b(?![^>]*\bsrc=)"), "an inline <script>"),
    (re.compile(r"javascript:"), "a javascript: URL"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/verify/", "/no-such-page/"])
def test_pages_carry_a_policy_without_inline_code(client: Client, path: str) -> None:
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split("; ") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code() -> None:
    base = (TEMPLATES / "base.html").read_text()

    assert '"includeIndicatorStyles":false' in base
    assert '"allowEval":false' in base


@pytest.mark.parametrize("template", BROWSER_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_needs_inline_code(template: Path) -> None:
    text = template.read_text()

    found = [what for pattern, what in INLINE if pattern.search(text)]

    assert found == [], f"{template.relative_to(TEMPLATES)} has {', '.join(found)}"
