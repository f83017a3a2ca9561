"""One check of a member over real sockets, from elbd's own process (asyncio). The meaning of what
happens is decisions.py's; this module does the I/O and names the kind of each failure."""

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable
from typing import TypeVar

from elbd.member_check.decisions import (
    MAX_HEAD_BYTES,
    PASSED,
    CheckSettings,
    Failure,
    Phase,
    Verdict,
    failed,
    judge_received,
    request_bytes,
)

_READ_SIZE = 4096
T = TypeVar("T")


class _PhaseFailed(Exception):
    def __init__(self, phase: Phase, failure: Failure) -> None:
        super().__init__(phase.value, failure.value)
        self.verdict = failed(phase, failure)


def _failure_of(error: BaseException) -> Failure:
    if isinstance(error, TimeoutError):
        return Failure.TIMEOUT
    if isinstance(error, ConnectionRefusedError):
        return Failure.REFUSED
    if isinstance(error, ConnectionResetError):
        return Failure.RESET
    if isinstance(error, (asyncio.IncompleteReadError, ssl.SSLEOFError, EOFError)):
        return Failure.CLOSED
    return Failure.ERROR


def tls_context() -> ssl.SSLContext:
    """As HAProxy's `check-ssl verify none`: the member's certificate is not verified, no SNI is sent."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _within(phase: Phase, deadline: float, work: Awaitable[T]) -> T:
    try:
        async with asyncio.timeout_at(deadline):
            return await work
    except (OSError, EOFError, TimeoutError, ssl.SSLError) as error:
        raise _PhaseFailed(phase, _failure_of(error)) from error


async def _connect(settings: CheckSettings, deadline: float) -> socket.socket:
    family = socket.AF_INET6 if ipaddress.ip_address(settings.address).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await _within(Phase.CONNECT, deadline, asyncio.get_running_loop().sock_connect(sock, (settings.address, settings.port)))
    except BaseException:
        sock.close()
        raise
    return sock


async def _exchange(settings: CheckSettings, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, deadline: float) -> Verdict:
    writer.write(request_bytes(settings))
    await _within(Phase.SEND, deadline, writer.drain())
    received = b""
    while True:
        chunk = await _within(Phase.RECEIVE, deadline, reader.read(_READ_SIZE))
        received = (received + chunk)[: MAX_HEAD_BYTES + _READ_SIZE]
        verdict = judge_received(received, closed=not chunk, expected_codes=settings.expected_codes)
        if verdict is not None:
            return verdict


async def check_member(settings: CheckSettings) -> Verdict:
    """Run one check now, bounded by the monitor's timeout as a whole: connect, and by its type, a TLS
    handshake, an HTTP request and its response head."""
    deadline = asyncio.get_running_loop().time() + settings.timeout_s
    sock: socket.socket | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        sock = await _connect(settings, deadline)
        if settings.kind == "TCP":
            return PASSED
        tls = tls_context() if settings.uses_tls else None
        streams = asyncio.open_connection(sock=sock, ssl=tls, server_hostname="" if tls else None, limit=MAX_HEAD_BYTES)
        reader, streams_writer = await _within(Phase.HANDSHAKE if tls else Phase.SEND, deadline, streams)
        writer = streams_writer
        if not settings.sends_request:
            return PASSED
        return await _exchange(settings, reader, streams_writer, deadline)
    except _PhaseFailed as failure:
        return failure.verdict
    finally:
        if writer is not None:
            writer.transport.abort()
        elif sock is not None:
            sock.close()
