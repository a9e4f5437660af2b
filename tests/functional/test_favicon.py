"""Browsers find the icon: /favicon.ico (no 404 in every log) and the SVG every page links."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator

import pytest

from tests.live_daphne import daphne_server


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with daphne_server(tmp_path_factory.mktemp("daphne") / "var") as port:
        yield port


def fetch(port: int, path: str) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def test_favicon_ico_is_an_icon_at_the_root(port: int) -> None:
    status, content_type, body = fetch(port, "/favicon.ico")

    assert status == 200
    assert "icon" in content_type
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header


def test_every_page_links_an_svg_icon_and_the_ico_fallback(port: int) -> None:
    status, _, page = fetch(port, "/accounts/login/")
    assert status == 200
    links = dict(
        (href, rel) for rel, href in re.findall(rb'<link rel="(icon)" href="([^"]+)"', page)
    )
    assert b"/favicon.ico" in links
    [svg_url] = [href for href in links if href.endswith(b".svg")]

    status, content_type, svg = fetch(port, svg_url.decode())
    assert status == 200
    assert content_type.startswith("image/svg+xml")
    assert svg.lstrip().startswith(b"<svg")
