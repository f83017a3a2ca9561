"""A minimal HTTP/1.1 client on asyncio streams: one keep-alive connection, little CPU per request, so
the load generator takes as little as possible of the two cores it shares with elbd and HAProxy."""

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

IDLE_REOPEN_S = 3.0  # uvicorn closes idle keep-alive connections after 5 s: reopen before that


class HttpError(Exception):
    pass


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


class Connection:
    """Requests one at a time over one connection, reopened when the server closed it."""

    def __init__(self, host: str, port: int, timeout_s: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.host_header = f"{host}:{port}"
        self.timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last_used = 0.0

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        if self._writer is not None and time.monotonic() - self._last_used > IDLE_REOPEN_S:
            await self.close()
        fresh = self._writer is None
        if fresh:
            try:
                self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout_s)
            except (TimeoutError, OSError) as error:
                raise HttpError(f"connect {self.host_header}: {error!r}") from error
        try:
            response = await asyncio.wait_for(self._exchange(method, path, body, headers or {}), self.timeout_s)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError) as error:
            await self.close()
            if fresh or method not in ("GET", "HEAD"):
                raise HttpError(f"{method} {path}: {error!r}") from error
            return await self.request(method, path, body, headers)
        except TimeoutError as error:
            await self.close()
            raise HttpError(f"{method} {path}: no answer within {self.timeout_s} s") from error
        self._last_used = time.monotonic()
        return response

    async def _exchange(self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]) -> Response:
        assert self._reader is not None and self._writer is not None
        host = next((value for name, value in headers.items() if name.lower() == "host"), self.host_header)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
        if body is not None or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body or b'')}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        found: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                found[name.strip().lower()] = value.strip()
        content = await self._body(method, status, found)
        if found.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, found, content)

    async def _body(self, method: str, status: int, headers: dict[str, str]) -> bytes:
        assert self._reader is not None
        if method == "HEAD" or status in (204, 304) or status < 200:
            return b""
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self._reader.readexactly(size + 2)
                if size == 0:
                    return b"".join(chunks)
                chunks.append(chunk[:-2])
        content = await self._reader.read()
        await self.close()
        return content
