"""Backends that run inside the benchmark's own event loop (for the convergence part, where exact
timestamps matter more than speed): each answers `GET /` with its name and records the time of every
health check (`GET /health`) it receives."""

import asyncio
import time
from dataclasses import dataclass, field

from bench.server import free_port


@dataclass
class TinyBackend:
    name: str
    address: str
    port: int = 0
    checks: list[float] = field(default_factory=list)
    served: int = 0
    _server: asyncio.base_events.Server | None = None

    async def start(self) -> "TinyBackend":
        self.port = self.port or free_port(self.address)
        self._server = await asyncio.start_server(self._handle, self.address, self.port, reuse_address=True)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def first_check_after(self, moment: float) -> float | None:
        return next((at for at in self.checks if at >= moment), None)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if head.startswith(b"GET /health"):
                    self.checks.append(time.monotonic())
                    body = b"ok"
                else:
                    self.served += 1
                    body = self.name.encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def start_backends(names: list[str], first_host: int) -> list[TinyBackend]:
    """One backend per name, on 127.20.0.<first_host>, <first_host + 1>, ..."""
    return [await TinyBackend(name, f"127.20.0.{first_host + index}").start() for index, name in enumerate(names)]
