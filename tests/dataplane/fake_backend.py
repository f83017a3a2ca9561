"""Real backends on loopback for data-plane tests: each answers with its own name, or misbehaves on purpose."""

import socket
import socketserver
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    """How the backend answers: `status` with its name as body (health checks, `GET /health`, get
    `health_status`); or in mode `garbage` (not HTTP), `silent` (never answers) or `reset` (resets the
    connection once it has read the request)."""

    mode: str = "ok"
    status: int = 200
    health_status: int = 200
    delay_s: float = 0.0
    health_host: str | None = None  # when set, a check with another Host header gets 400
    keep_alive: bool = False  # answer requests on one connection until the client closes it
    set_cookie: str | None = None  # a Set-Cookie value to send with each answer (a session cookie of its own)
    idle_timeout_s: float = 10  # a connection that sends nothing for this long is closed


MAX_REQUESTS_PER_CONNECTION = 100_000


class _Handler(socketserver.BaseRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        backend = self.server.owner
        self.request.settimeout(backend.behaviour.idle_timeout_s)
        with backend.lock:
            backend.connections += 1
        buffer = b""
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            head, separator, buffer = buffer.partition(b"\r\n\r\n")
            while not separator:
                try:
                    chunk = self.request.recv(4096)
                except (ConnectionResetError, ssl.SSLError):  # a proxy that closes a kept connection may reset it
                    return
                if not chunk:
                    return
                head, separator, buffer = (head + chunk).partition(b"\r\n\r\n")
            with backend.lock:
                backend.last_request = head + separator
            self._request(head + separator)
            if not backend.behaviour.keep_alive:
                return

    def _request(self, buffer: bytes) -> None:
        backend = self.server.owner
        behaviour = backend.behaviour
        if behaviour.mode == "silent":
            time.sleep(5)
            return
        if behaviour.mode == "reset":
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()  # a RST, and no FIN before it
            return
        if behaviour.mode == "garbage":
            self.request.sendall(b"this is not HTTP at all\r\n\r\n")
            return
        if buffer.startswith(b"GET /health"):
            wrong_host = behaviour.health_host and f"\r\nhost: {behaviour.health_host}\r\n".encode() not in buffer.lower()
            self._answer(400 if wrong_host else behaviour.health_status, b"ok")
            return
        with backend.lock:
            backend.active += 1
        try:
            time.sleep(behaviour.delay_s)
            self._answer(behaviour.status, backend.name.encode())
            with backend.lock:
                backend.served += 1
        finally:
            with backend.lock:
                backend.active -= 1

    def _answer(self, status: int, body: bytes) -> None:
        connection = "keep-alive" if self.server.owner.behaviour.keep_alive else "close"
        cookie = f"Set-Cookie: {self.server.owner.behaviour.set_cookie}\r\n" if self.server.owner.behaviour.set_cookie else ""
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: {connection}\r\n{cookie}\r\n"
        self.request.sendall(head.encode() + body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "FakeBackend"

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """For a TLS backend, the handshake runs in the connection's own thread, never in the accept loop."""
        tls = self.owner.tls
        if tls is not None:
            request.settimeout(10)
            try:
                request = tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)  # type: ignore[arg-type]


@dataclass
class FakeBackend:
    name: str
    address: str
    port: int
    behaviour: Behaviour = field(default_factory=Behaviour)
    served: int = 0
    active: int = 0
    connections: int = 0
    tls: ssl.SSLContext | None = None  # when set, it speaks HTTPS
    last_request: bytes = b""
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None

    def start(self) -> "FakeBackend":
        self._server = _Server((self.address, self.port), _Handler)
        self._server.owner = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
