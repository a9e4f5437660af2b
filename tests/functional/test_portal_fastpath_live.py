"""The fast path in the real daphne of `make run` (embedded SQLite, the services' Redis): the second
anonymous request for a public page is answered before Django, as are HEAD and a revalidation;
a request with a session cookie always reaches Django. The publication and Redis-away cases are
in test_portal_fastpath.py, through the same ASGI application."""

from __future__ import annotations

import http.client
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_daphne import ROOT, daphne_server, embedded_env

PATH = "/notices/?q=%E9%81%93%E8%B7%AF"


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    var: Path = tmp_path_factory.mktemp("fastpath") / "var"
    var.mkdir()
    prefix = f"test:fastlive:{uuid.uuid4().hex}:"
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=embedded_env(var),
        check=True,
        timeout=300,
    )
    with daphne_server(var, PORTAL_FASTPATH_PREFIX=prefix) as port:
        yield port


def fetch(port: int, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        named = {name.replace("_", "-"): value for name, value in headers.items()}
        connection.request(method, PATH, headers=named)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_the_second_anonymous_request_is_answered_before_django(port: int) -> None:
    status, first, body = fetch(port)
    assert status == 200 and "x-tianping-cache" not in first

    status, again, same = fetch(port)

    assert status == 200 and again["x-tianping-cache"] == "fast"
    assert same == body
    assert again["etag"] == first["etag"] and again["content-type"] == first["content-type"]
    assert "x-tianping-fast-seq" not in first | again

    status, head, empty = fetch(port, "HEAD")
    assert status == 200 and head["x-tianping-cache"] == "fast" and empty == b""

    status, revalidated, empty = fetch(port, If_None_Match=first["etag"])
    assert status == 304 and revalidated["x-tianping-cache"] == "fast" and empty == b""


def test_a_request_with_a_session_cookie_always_reaches_django(port: int) -> None:
    fetch(port)
    for _ in range(2):
        status, headers, _ = fetch(port, Cookie="sessionid=not-a-session")
        assert status == 200 and "x-tianping-cache" not in headers
