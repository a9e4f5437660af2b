"""What a browser gets from the daphne of `make run`: static files, error pages, long requests.

A real daphne process on loopback, DEBUG off as in the embedded mode: the static files come from
WhiteNoise, a path that tries to leave the static folder gets the platform's 404, and a request
line too long for daphne's HTTP parser is answered 414 instead of a dropped connection.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.live_daphne import daphne_server


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with daphne_server(tmp_path_factory.mktemp("daphne") / "var") as port:
        yield port


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def raw_exchange(port: int, request: bytes) -> bytes:
    """Send a whole request as a client does, then read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_static_files_are_served_with_debug_off(port: int) -> None:
    status, headers, body = get(port, "/static/frontend/site.css")

    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert ".site-header" in body
    status, headers, _ = get(port, "/static/frontend/htmx.min.js")
    assert status == 200
    assert "javascript" in headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2f..%2fconfig/settings/base.py",
        "/static/../../config/settings/base.py",
        "/static/%2e%2e/%2e%2e/manage.py",
    ],
)
def test_a_path_out_of_the_static_folder_gets_the_platforms_404(port: int, path: str) -> None:
    status, _, body = get(port, path)

    assert status == 404
    assert "页面不存在" in body
    assert "SECRET_KEY" not in body and "Traceback" not in body


def test_an_unknown_page_is_the_platforms_404_in_english_for_an_english_browser(port: int) -> None:
    status, _, body = get(port, "/no-such-page/", **{"Accept-Language": "en"})

    assert status == 404
    assert "Page not found" in body
    assert "Using the URLconf" not in body  # Django's debug page


def test_a_search_of_18_kb_is_answered_414(port: int) -> None:
    words = quote("海口市第二中学图书馆") * 200  # 18,000 bytes once percent-encoded
    assert 17_000 < len(words) < 19_000

    status, headers, body = get(port, f"/?q={words}")

    assert status == 414
    assert "请求地址过长" in body
    assert headers["connection"] == "close"


def test_a_100_kb_verification_code_is_answered_414(port: int) -> None:
    request = f"GET /verify/?code={'A' * 100_000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()

    answer = raw_exchange(port, request)

    assert answer.startswith(b"HTTP/1.1 414 URI Too Long\r\n"), answer[:200]
    assert b"shorten it" in answer


def test_a_header_line_too_long_is_answered_431(port: int) -> None:
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a={'b' * 20_000}\r\n\r\n".encode()

    answer = raw_exchange(port, request)

    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:200]


def test_headers_too_large_together_are_answered_400_with_a_body(port: int) -> None:
    headers = "".join(f"X-Filler-{n}: {'c' * 1000}\r\n" for n in range(20))
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()

    answer = raw_exchange(port, request)

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer[:200]
    assert b"Content-Length: " in answer


def test_the_server_still_answers_after_refusing(port: int) -> None:
    raw_exchange(port, f"GET /?q={'x' * 30_000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())

    status, _, _ = get(port, "/static/frontend/site.css")

    assert status == 200
