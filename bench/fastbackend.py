"""`python -m bench.fastbackend ADDRESS:PORT:NAME ...`: HTTP/1.1 endpoints answering 200 with their
name, keep-alive unless the client asks to close: the fallback when nginx is not installed."""

import asyncio
import sys


class _Endpoint(asyncio.Protocol):
    def __init__(self, name: bytes) -> None:
        self.answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(name), name)
        self.closing = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(name), name)
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            if b"connection: close" in head.lower():
                self.transport.write(self.closing)
                self.transport.close()
                return
            self.transport.write(self.answer)


async def main(specs: list[str]) -> None:
    loop = asyncio.get_running_loop()
    for spec in specs:
        address, port, name = spec.split(":", 2)
        await loop.create_server(lambda name=name: _Endpoint(name.encode()), address, int(port), reuse_address=True, backlog=4096)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
