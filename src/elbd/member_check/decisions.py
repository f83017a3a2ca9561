"""What one check of a member means: the request it sends and the ELB reason code of what happened. Pure.

A check goes through phases (connect, TLS handshake, send the request, receive the response head) and
stops at the first that fails. Each phase tells a timeout from a failure, and a few failures apart:

| phase | timeout | failure |
|---|---|---|
| connect | CONNECT_TIMEOUT | CONNECT_REFUSED (a RST to the SYN), CONNECT_FAILED (anything else: unreachable, no route) |
| TLS handshake | SSL_HANDSHAKE_ERROR | SSL_HANDSHAKE_ERROR |
| send | SEND_REQUEST_TIMEOUT | SEND_REQUEST_FAILED |
| receive | RECV_RESPONSE_TIMEOUT | CONNECT_INTERRUPT (the member reset the connection), RECV_RESPONSE_FAILED (it closed it, or the read failed otherwise, before a whole response head) |

A whole response head is judged: RESPONSE_FORMAT_ERROR when it is not HTTP/1.x, RESPONSE_MISMATCH when
its status is not one of the expected codes (with both), passed otherwise. Bytes that can no longer
become a status line are a format error at once, without waiting for the rest.
"""

import re
from dataclasses import dataclass
from enum import Enum

KINDS = ("TCP", "HTTP", "HTTPS", "TLS")  # the monitor types this checker runs
MAX_HEAD_BYTES = 16384
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9])(?: [\x20-\x7e\x80-\xff\t]*)?")
_STATUS_LINE_PREFIX = b"HTTP/1."


class Phase(Enum):
    CONNECT = "connect"
    HANDSHAKE = "handshake"
    SEND = "send"
    RECEIVE = "receive"


class Failure(Enum):
    TIMEOUT = "timeout"
    REFUSED = "refused"  # the peer answered the SYN with a RST
    RESET = "reset"  # the peer reset an established connection
    CLOSED = "closed"  # the peer closed the connection (end of stream)
    ERROR = "error"  # any other error of the socket or of TLS


@dataclass(frozen=True)
class CheckSettings:
    """What a monitor asks of one check, with the member's address and port filled in."""

    kind: str  # one of KINDS
    address: str
    port: int
    timeout_s: float
    http_method: str = "GET"
    url_path: str = "/"
    host: str = "localhost"
    expected_codes: str = "200"

    @property
    def uses_tls(self) -> bool:
        return self.kind in ("HTTPS", "TLS")

    @property
    def sends_request(self) -> bool:
        return self.kind in ("HTTP", "HTTPS")


@dataclass(frozen=True)
class Verdict:
    """A check's result: passed (reason_code None), or the ELB reason code; expected_response and
    healthcheck_response only with RESPONSE_MISMATCH."""

    reason_code: str | None = None
    expected_response: str | None = None
    healthcheck_response: str | None = None

    @property
    def passed(self) -> bool:
        return self.reason_code is None


PASSED = Verdict()

_PHASE_REASONS = {
    (Phase.CONNECT, Failure.TIMEOUT): "CONNECT_TIMEOUT",
    (Phase.CONNECT, Failure.REFUSED): "CONNECT_REFUSED",
    (Phase.SEND, Failure.TIMEOUT): "SEND_REQUEST_TIMEOUT",
    (Phase.RECEIVE, Failure.TIMEOUT): "RECV_RESPONSE_TIMEOUT",
    (Phase.RECEIVE, Failure.RESET): "CONNECT_INTERRUPT",
}
_PHASE_DEFAULTS = {
    Phase.CONNECT: "CONNECT_FAILED",
    Phase.HANDSHAKE: "SSL_HANDSHAKE_ERROR",
    Phase.SEND: "SEND_REQUEST_FAILED",
    Phase.RECEIVE: "RECV_RESPONSE_FAILED",
}


def failed(phase: Phase, failure: Failure) -> Verdict:
    """The reason code of a phase that did not complete."""
    return Verdict(_PHASE_REASONS.get((phase, failure), _PHASE_DEFAULTS[phase]))


class UnsendableRequest(ValueError):
    """A stored value the request line or Host header cannot carry (the API lets none through)."""


def request_bytes(settings: CheckSettings) -> bytes:
    """The HTTP request a check sends, as HAProxy's `http-check send` sends it. The API admits only
    printable ASCII without spaces in these values; anything else (a value stored by an older elbd) is
    never sent: it could change the request's shape."""
    for value in (settings.http_method, settings.url_path, settings.host):
        if not value or not all("!" <= character <= "~" for character in value):
            raise UnsendableRequest(f"{value!r} cannot be sent in a check's request")
    return (
        f"{settings.http_method} {settings.url_path} HTTP/1.1\r\nHost: {settings.host}\r\n"
        "Connection: close\r\nUser-Agent: elbd-member-check\r\n\r\n"
    ).encode("ascii")


def expected(codes: str, status: int) -> bool:
    """Whether `status` is one of `codes` (`200`, `200,202`, `200-204,300-399`; normalized by the API)."""
    for item in codes.split(","):
        low, _, high = item.partition("-")
        if int(low) <= status <= int(high or low):
            return True
    return False


def head_end(received: bytes) -> int | None:
    """Where the response head ends (after its blank line), or None while it has not."""
    end = received.find(b"\r\n\r\n")
    return None if end < 0 else end + 4


def hopeless(received: bytes) -> bool:
    """Whether bytes received so far can no longer be the start of an HTTP/1.x response head."""
    start = received[: len(_STATUS_LINE_PREFIX)]
    if not _STATUS_LINE_PREFIX.startswith(start):
        return True
    return len(received) > MAX_HEAD_BYTES and head_end(received) is None


def judge_head(head: bytes, expected_codes: str) -> Verdict:
    """A whole response head: its status line, and header lines of the form `name: value`."""
    status_line, *headers = head.removesuffix(b"\r\n\r\n").split(b"\r\n")
    match = _STATUS_LINE.fullmatch(status_line)
    if match is None or any(b":" not in line or line[:1] in (b" ", b"\t", b":") for line in headers):
        return Verdict("RESPONSE_FORMAT_ERROR")
    status = int(match.group(1))
    if not expected(expected_codes, status):
        return Verdict("RESPONSE_MISMATCH", expected_codes, str(status))
    return PASSED


def judge_received(received: bytes, closed: bool, expected_codes: str) -> Verdict | None:
    """What the bytes received so far decide: a verdict, or None to read on. `closed`: the member
    closed the connection after these bytes."""
    end = head_end(received)
    if end is not None and end <= MAX_HEAD_BYTES:
        return judge_head(received[:end], expected_codes)
    if hopeless(received):
        return Verdict("RESPONSE_FORMAT_ERROR")
    if closed:
        return failed(Phase.RECEIVE, Failure.CLOSED)
    return None
