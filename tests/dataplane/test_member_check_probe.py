"""The on-demand member check against real sockets on loopback: each kind of member gets its reason code."""

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from elbd.member_check.decisions import CheckSettings, Verdict
from elbd.member_check.probe import check_member
from tests.certificates import issue

ADDRESS = "127.0.0.1"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def settings(kind: str, port: int, timeout_s: float = 2.0, codes: str = "200") -> CheckSettings:
    return CheckSettings(kind, ADDRESS, port, timeout_s, http_method="GET", url_path="/health", host="member.test", expected_codes=codes)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)


def answering(answer: bytes) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(answer)
        await writer.drain()
        writer.close()

    return handle


async def resetting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()


async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.close()


def check_against(handler: Handler, kind: str, tls: ssl.SSLContext | None = None, **options: object) -> Verdict:
    async def scenario() -> Verdict:
        server = await asyncio.start_server(handler, ADDRESS, 0, ssl=tls)
        async with server:
            port = server.sockets[0].getsockname()[1]
            return await check_member(settings(kind, port, **options))  # type: ignore[arg-type]

    return asyncio.run(scenario())


def test_healthy_http_member_passes() -> None:
    assert check_against(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), "HTTP").passed


def test_the_request_carries_the_monitors_method_path_and_host() -> None:
    seen: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await _read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        writer.close()

    assert check_against(record, "HTTP").passed
    assert seen[0].startswith(b"GET /health HTTP/1.1\r\nHost: member.test\r\n")


def test_wrong_status_is_a_mismatch() -> None:
    verdict = check_against(answering(b"HTTP/1.1 500 Internal Server Error\r\n\r\n"), "HTTP", codes="200-204")
    assert verdict == Verdict("RESPONSE_MISMATCH", "200-204", "500")


def test_garbage_is_a_format_error() -> None:
    assert check_against(answering(b"this is not HTTP at all\r\n\r\n"), "HTTP") == Verdict("RESPONSE_FORMAT_ERROR")


def test_closed_without_an_answer_is_a_failed_receive() -> None:
    assert check_against(closing, "HTTP") == Verdict("RECV_RESPONSE_FAILED")


def test_reset_after_the_request_is_an_interrupted_connection() -> None:
    assert check_against(resetting, "HTTP") == Verdict("CONNECT_INTERRUPT")


def test_refused_port() -> None:
    with socket.socket() as sock:
        sock.bind((ADDRESS, 0))
        port = sock.getsockname()[1]  # bound, not listening: the kernel answers a SYN with a RST
        assert asyncio.run(check_member(settings("HTTP", port))) == Verdict("CONNECT_REFUSED")
        assert asyncio.run(check_member(settings("TCP", port))) == Verdict("CONNECT_REFUSED")


def test_a_member_that_accepts_but_never_answers_times_out_receiving() -> None:
    with socket.socket() as sock:
        sock.bind((ADDRESS, 0))
        sock.listen(8)  # the kernel completes handshakes; nobody ever accepts or reads
        started = time.monotonic()
        assert asyncio.run(check_member(settings("HTTP", sock.getsockname()[1], timeout_s=0.5))) == Verdict("RECV_RESPONSE_TIMEOUT")
        assert time.monotonic() - started < 5
        assert asyncio.run(check_member(settings("TCP", sock.getsockname()[1], timeout_s=0.5))).passed


def test_a_member_whose_backlog_is_full_times_out_connecting() -> None:
    """With its accept queue full, the kernel drops further SYNs: the connect never completes."""
    with socket.socket() as sock:
        sock.bind((ADDRESS, 0))
        sock.listen(0)
        port = sock.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):  # a backlog of 0 holds one or two; the rest are left half-open
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex((ADDRESS, port))
                fillers.append(filler)
            time.sleep(0.2)
            started = time.monotonic()
            assert asyncio.run(check_member(settings("TCP", port, timeout_s=0.5))) == Verdict("CONNECT_TIMEOUT")
            assert time.monotonic() - started < 5
        finally:
            for filler in fillers:
                filler.close()


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    issued = issue("member.test", names=["member.test"])
    directory: Path = tmp_path_factory.mktemp("tls")
    (directory / "cert.pem").write_text(issued.certificate_pem)
    (directory / "key.pem").write_text(issued.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


def test_healthy_https_and_tls_members_pass(server_tls: ssl.SSLContext) -> None:
    assert check_against(answering(b"HTTP/1.1 200 OK\r\n\r\n"), "HTTPS", tls=server_tls).passed
    assert check_against(answering(b""), "TLS", tls=server_tls).passed


def test_a_plain_member_checked_over_tls_fails_its_handshake() -> None:
    assert check_against(answering(b"HTTP/1.1 400 Bad Request\r\n\r\n"), "HTTPS") == Verdict("SSL_HANDSHAKE_ERROR")
    assert check_against(answering(b"HTTP/1.1 400 Bad Request\r\n\r\n"), "TLS") == Verdict("SSL_HANDSHAKE_ERROR")


def test_a_tls_member_checked_over_plain_http_answers_no_http(server_tls: ssl.SSLContext) -> None:
    """Python's TLS server closes a connection whose first bytes are no handshake, without an alert."""
    assert check_against(answering(b""), "HTTP", tls=server_tls) == Verdict("RECV_RESPONSE_FAILED")
