"""RuntimeSession against a socket that answers as HAProxy's runtime API does in prompt mode (the bytes
below were captured from HAProxy 2.6): pipelined commands, answers told apart by the prompts, also when
they arrive a byte at a time, and a payload's `+ ` prompts taken as part of its command's answer."""

import socket
import threading
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest

from elbd.dataplane.haproxy import RuntimeSession
from elbd.dataplane.model import Backend, Server
from elbd.dataplane.runtime_commands import AddMapEntries, AddServer, DeleteServer, EnableDown, ShowServersState

ANSWERS = {
    "prompt": b"\n> ",
    "add server b/s1 127.0.0.1:80 weight 1": b"New server registered.\n\n> ",
    "enable server b/s1": b"\n> ",
    "set server b/s1 health down": b"\n> ",
    "del server b/zz": b"No such server.\n> ",
    "show servers state": b"1\n# be_id be_name srv_id\n2 b 1\n\n> ",
    "add map @3 /run/l.map <<": b"\n> ",  # after a `+ ` for each payload line and the empty one
    "add map @4 /run/l.map <<": b"'::1/128' is not a valid IPv4 address.\n\n> ",
}
ADD = AddServer(Backend("b", "tcp", "roundrobin"), Server("s1", ip_address("127.0.0.1"), 80, 1))


@pytest.fixture(params=["as written", "a byte at a time"])
def runtime_socket(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    path = tmp_path / "stats.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def serve() -> None:
        connection, _ = listener.accept()

        def send(answer: bytes) -> None:
            if request.param == "as written":
                connection.sendall(answer)  # one write per answer, as HAProxy may split them
            else:  # a prompt cut between reads
                for byte in answer:
                    connection.sendall(bytes([byte]))

        with connection, connection.makefile("rb") as lines:
            payload_of: str | None = None
            for line in lines:
                text = line.decode().strip()
                if payload_of is not None:
                    send(b"+ ")
                    if not text:
                        send(ANSWERS[payload_of])
                        payload_of = None
                    continue
                if text == "quit":
                    return
                if text.endswith(" <<"):
                    payload_of = text
                    continue
                for part in text.split(";"):
                    send(ANSWERS[part.strip()])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    thread.join(timeout=5)
    listener.close()


def test_pipelined_answers_are_told_apart_by_their_prompts(runtime_socket: Path) -> None:
    session = RuntimeSession(runtime_socket)
    try:
        answers = session.run_all([ADD, EnableDown("b", "s1"), DeleteServer("b", "zz"), ShowServersState()])
    finally:
        session.close()
    assert answers == ["New server registered.", "", "No such server.", "1\n# be_id be_name srv_id\n2 b 1"]


def test_a_payload_command_answers_what_follows_its_line_prompts(runtime_socket: Path) -> None:
    networks = ("127.0.0.1/32", "10.0.0.0/8")
    session = RuntimeSession(runtime_socket)
    try:
        answers = session.run_all([AddMapEntries("/run/l.map", 3, networks), ADD, AddMapEntries("/run/l.map", 4, networks)])
    finally:
        session.close()
    assert answers == ["", "New server registered.", "'::1/128' is not a valid IPv4 address."]


@pytest.mark.parametrize("runtime_socket", ["as written"], indirect=True)
def test_more_commands_than_the_socket_buffers_hold_are_answered(runtime_socket: Path) -> None:
    """HAProxy, like the fake, stops reading commands while its answers go unread: a client that wrote
    every command before reading any answer blocked for good once both directions' buffers were full."""
    commands = [ADD] * 40_000  # about 1.5 MB each way, past any socket buffer
    session = RuntimeSession(runtime_socket)
    try:
        answers = session.run_all(commands)
    finally:
        session.close()
    assert answers == ["New server registered."] * len(commands)
