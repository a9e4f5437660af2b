"""Form widgets of the portal's filters, rendered in Python.

Django renders a select through a template per option: the filter form's four selects (43
options) cost more than the rest of a list page. These produce the same HTML as Django's
templates (django/forms/widgets/select.html and select_option.html) without them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class PlainSelect(forms.Select):
    """A select without option groups, rendered without templates."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        ]
        for _group, options, _index in widget["optgroups"]:
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        str(option["value"]),
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html
