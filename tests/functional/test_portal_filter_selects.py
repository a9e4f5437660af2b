"""The portal's filter selects, rendered in Python (notices/widgets.py), are the HTML Django's own
select templates make: same options, labels, chosen option and attributes."""

from __future__ import annotations

import re

import pytest
from django import forms

from notices.views_portal import RESULT_KINDS, NoticeFilterForm
from tests.conftest import ControlledClock
from tests.tenders import make_world

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def attributes(html: str) -> list[tuple[str, list[str]]]:
    """Each tag with its attributes in any order, and the text between tags."""
    parts = re.findall(r"<(/?\w+)([^>]*)>([^<]*)", html)
    return [(tag + text.strip(), sorted(attrs.split())) for tag, attrs, text in parts]


@pytest.mark.parametrize(
    ("data", "kinds"),
    [
        (None, None),
        ({"region": "460100", "type": "engineering", "kind": "result"}, None),
        ({"region": "nowhere", "kind": "forged"}, None),
        ({"kind": "deal"}, RESULT_KINDS),
    ],
)
def test_the_filter_selects_are_djangos_html(
    clock: ControlledClock, data: dict[str, str] | None, kinds: tuple[str, ...] | None
) -> None:
    make_world()
    form = NoticeFilterForm(data, kinds=kinds)
    form.is_valid()
    for name in ("region", "type", "industry", "kind"):
        bound = form[name]
        ours = str(bound)
        widget = bound.field.widget
        django = forms.Select(attrs=widget.attrs, choices=widget.choices)
        expected = bound.as_widget(widget=django)
        assert attributes(ours) == attributes(str(expected)), name
    if data and data.get("region") == "460100":
        assert '<option value="460100" selected>' in str(form["region"])
