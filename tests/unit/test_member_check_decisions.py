"""The on-demand member check's decisions: which reason code each phase's failure and each response means."""

import pytest

from elbd.member_check.decisions import (
    MAX_HEAD_BYTES,
    PASSED,
    CheckSettings,
    Failure,
    Phase,
    UnsendableRequest,
    Verdict,
    expected,
    failed,
    judge_received,
    request_bytes,
)

CODES = "200-204,300"


@pytest.mark.parametrize(
    ("phase", "failure", "reason"),
    [
        (Phase.CONNECT, Failure.TIMEOUT, "CONNECT_TIMEOUT"),
        (Phase.CONNECT, Failure.REFUSED, "CONNECT_REFUSED"),
        (Phase.CONNECT, Failure.ERROR, "CONNECT_FAILED"),
        (Phase.CONNECT, Failure.RESET, "CONNECT_FAILED"),
        (Phase.HANDSHAKE, Failure.TIMEOUT, "SSL_HANDSHAKE_ERROR"),
        (Phase.HANDSHAKE, Failure.ERROR, "SSL_HANDSHAKE_ERROR"),
        (Phase.HANDSHAKE, Failure.RESET, "SSL_HANDSHAKE_ERROR"),
        (Phase.HANDSHAKE, Failure.CLOSED, "SSL_HANDSHAKE_ERROR"),
        (Phase.SEND, Failure.TIMEOUT, "SEND_REQUEST_TIMEOUT"),
        (Phase.SEND, Failure.RESET, "SEND_REQUEST_FAILED"),
        (Phase.SEND, Failure.ERROR, "SEND_REQUEST_FAILED"),
        (Phase.RECEIVE, Failure.TIMEOUT, "RECV_RESPONSE_TIMEOUT"),
        (Phase.RECEIVE, Failure.RESET, "CONNECT_INTERRUPT"),
        (Phase.RECEIVE, Failure.CLOSED, "RECV_RESPONSE_FAILED"),
        (Phase.RECEIVE, Failure.ERROR, "RECV_RESPONSE_FAILED"),
    ],
)
def test_each_phase_tells_its_failures_apart(phase: Phase, failure: Failure, reason: str) -> None:
    assert failed(phase, failure) == Verdict(reason)


def test_eleven_codes_are_reachable() -> None:
    reached = {failed(phase, failure).reason_code for phase in Phase for failure in Failure}
    reached |= {judge_received(b"nope", False, CODES).reason_code, judge_received(b"HTTP/1.1 500 X\r\n\r\n", False, CODES).reason_code}
    assert reached == {
        "CONNECT_TIMEOUT", "CONNECT_REFUSED", "CONNECT_FAILED", "CONNECT_INTERRUPT", "SSL_HANDSHAKE_ERROR",
        "RECV_RESPONSE_FAILED", "RECV_RESPONSE_TIMEOUT", "SEND_REQUEST_FAILED", "SEND_REQUEST_TIMEOUT",
        "RESPONSE_FORMAT_ERROR", "RESPONSE_MISMATCH",
    }  # fmt: skip


@pytest.mark.parametrize(("status", "wanted"), [(200, True), (204, True), (205, False), (300, True), (301, False), (199, False)])
def test_expected_codes(status: int, wanted: bool) -> None:
    assert expected(CODES, status) is wanted


def test_a_whole_head_with_an_expected_status_passes() -> None:
    assert judge_received(b"HTTP/1.1 204 No Content\r\nServer: x\r\n\r\nbody", False, CODES) == PASSED
    assert judge_received(b"HTTP/1.0 300\r\n\r\n", True, CODES) == PASSED


def test_another_status_is_a_mismatch_with_both_codes() -> None:
    assert judge_received(b"HTTP/1.1 503 Busy\r\n\r\n", False, CODES) == Verdict("RESPONSE_MISMATCH", CODES, "503")


@pytest.mark.parametrize(
    "received",
    [
        b"this is not HTTP at all\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"\x16\x03\x01\x00",  # a TLS record: a TLS port checked over plain HTTP
        b"HTTP/2 200\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * (MAX_HEAD_BYTES // 6),
    ],
)
def test_what_cannot_be_an_http_response_is_a_format_error(received: bytes) -> None:
    assert judge_received(received, False, CODES) == Verdict("RESPONSE_FORMAT_ERROR")


def test_a_partial_head_waits_for_more_and_fails_when_closed() -> None:
    for partial in (b"", b"HT", b"HTTP/1.1 200 OK\r\n"):
        assert judge_received(partial, False, CODES) is None
        assert judge_received(partial, True, CODES) == Verdict("RECV_RESPONSE_FAILED")


def test_request_is_the_monitors_method_path_and_host() -> None:
    settings = CheckSettings("HTTP", "10.0.0.5", 80, 3, http_method="HEAD", url_path="/health?x=1", host="www.example.com")
    assert request_bytes(settings).startswith(b"HEAD /health?x=1 HTTP/1.1\r\nHost: www.example.com\r\n")
    assert request_bytes(settings).endswith(b"\r\n\r\n")


@pytest.mark.parametrize("path", ["/a b", "/x\r\nHost: evil", "/é", ""])
def test_a_value_that_would_change_the_requests_shape_is_never_sent(path: str) -> None:
    with pytest.raises(UnsendableRequest):
        request_bytes(CheckSettings("HTTP", "10.0.0.5", 80, 3, url_path=path))
