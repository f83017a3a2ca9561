"""A UDP backend for traffic tests: answers every datagram with its name; counts what it received."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class UdpEcho:
    def __init__(self, name: str, address: str, port: int = 0) -> None:
        self.name, self.address = name, address
        self.received = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((address, port))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                _data, peer = self._sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            self.received += 1
            self._sock.sendto(self.name.encode(), peer)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._sock.close()


@contextmanager
def udp_echoes(*names_and_addresses: tuple[str, str]) -> Iterator[list[UdpEcho]]:
    started = [UdpEcho(name, address) for name, address in names_and_addresses]
    try:
        yield started
    finally:
        for echo in started:
            echo.stop()


def ask(address: str, port: int, source: str | None = None, timeout_s: float = 1.0, payload: bytes = b"hello") -> str | None:
    """One datagram from a new socket (a new flow); the answer's text, or None when none came."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        if source:
            sock.bind((source, 0))
        sock.settimeout(timeout_s)
        sock.sendto(payload, (address, port))
        try:
            return sock.recv(2048).decode()
        except (TimeoutError, ConnectionRefusedError):
            return None
