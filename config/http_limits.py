"""An answer for a request too large for daphne's HTTP parser, instead of a dropped connection.

daphne parses HTTP/1.1 with twisted's HTTPChannel, a LineReceiver. A request line (or a header
line) longer than LineReceiver.MAX_LENGTH, 16 KiB, ends in LineReceiver.lineLengthExceeded,
which closes the connection without a word: an 18 KB search on the portal or a 100 KB
verification code got no answer at all, and the browser showed a reset connection. The request
never reaches the ASGI application, so no Django middleware can answer it: the channel must.

Here the channel answers 414 (request line) or 431 (a header line), and a request whose lines
together pass HTTPChannel.totalHeadersSize gets a 400 with a body instead of a bare status line.
Then it stops reading the request and closes its sending side only: the client reads the answer
and closes; the socket is not closed with unread bytes in it, which would make the kernel send a
reset that destroys the answer on its way. A client that never closes is cut off after a while.

`install()` runs in config.asgi, which daphne imports before it listens.
"""

from __future__ import annotations

from typing import Any

# How long a refused client may go on sending before the connection is cut.
DRAIN_SECONDS = 10

ANSWERS = {
    414: (
        "URI Too Long",
        "请求地址过长：搜索词或验证码太长，平台无法处理。请缩短后重试。\n"
        "The address is too long for the platform (a search or a code that long cannot be "
        "right): shorten it and try again.\n",
    ),
    431: (
        "Request Header Fields Too Large",
        "请求头过大，平台无法处理。请清除本站的 Cookie 后重试。\n"
        "The request headers are too large for the platform: clear this site's cookies and "
        "try again.\n",
    ),
    400: (
        "Bad Request",
        "请求无效，平台无法处理。\nThe platform cannot process this request.\n",
    ),
}


def _respond_and_close(channel: Any, status: int) -> None:
    reason, text = ANSWERS[status]
    body = text.encode()
    channel.transport.write(
        f"HTTP/1.1 {status} {reason}\r\n".encode()
        + b"Content-Type: text/plain; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body
    )
    # Everything else the client sends is read and dropped (an instance attribute shadows the
    # method, as twisted itself does for a connection that is not persistent).
    channel.dataReceived = lambda data: None
    channel.lineReceived = lambda line: None
    half_close = getattr(channel.transport, "loseWriteConnection", None)
    if half_close is not None:
        half_close()
    else:
        channel.transport.loseConnection()
    channel.setTimeout(DRAIN_SECONDS)


def _line_length_exceeded(self: Any, line: bytes) -> None:
    # HTTPChannel's own flag: true until the request line of the current request is parsed.
    reading_request_line = getattr(self, "_HTTPChannel__first_line", 1)
    _respond_and_close(self, 414 if reading_request_line else 431)


def _respond_to_bad_request_and_disconnect(self: Any) -> None:
    _respond_and_close(self, 400)


def install() -> None:
    """Give twisted's HTTPChannel (daphne's HTTP/1.1 parser) the answers above; idempotent."""
    from twisted.web.http import HTTPChannel

    HTTPChannel.lineLengthExceeded = _line_length_exceeded  # type: ignore[method-assign]
    HTTPChannel._respondToBadRequestAndDisconnect = _respond_to_bad_request_and_disconnect  # type: ignore[method-assign]
