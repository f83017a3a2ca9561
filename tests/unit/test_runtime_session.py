"""RuntimeSession against a socket that answers as HAProxy's runtime API does in prompt mode (the bytes
below were captured from HAProxy 2.6): pipelined commands, answers told apart by the prompts."""

import socket
import threading
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest

from elbd.dataplane.haproxy import RuntimeSession
from elbd.dataplane.model import Backend, Server
from elbd.dataplane.runtime_commands import AddServer, DeleteServer, EnableDown, ShowServersState

ANSWERS = {
    "prompt": b"\n> ",
    "add server b/s1 127.0.0.1:80 weight 1": b"New server registered.\n\n> ",
    "enable server b/s1": b"\n> ",
    "set server b/s1 health down": b"\n> ",
    "del server b/zz": b"No such server.\n> ",
    "show servers state": b"1\n# be_id be_name srv_id\n2 b 1\n\n> ",
}
ADD = AddServer(Backend("b", "tcp", "roundrobin"), Server("s1", ip_address("127.0.0.1"), 80, 1))


@pytest.fixture
def runtime_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "stats.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection, connection.makefile("rb") as lines:
            for line in lines:
                text = line.decode().strip()
                if text == "quit":
                    return
                for part in text.split(";"):
                    connection.sendall(ANSWERS[part.strip()])  # one write per answer, as HAProxy may split them

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
