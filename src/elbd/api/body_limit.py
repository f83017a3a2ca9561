"""Refuses a request body over the limit with 413, before any of it is stored or parsed.

A declared Content-Length over the limit is refused without reading the body. A body that comes without
one (chunked) or lies about it is counted as it streams in: the read that crosses the limit fails, so the
handler never gets a body, whatever the application answers to that failure is dropped, and the 413 goes
out instead. At most the limit plus one chunk is ever held in memory."""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from elbd.api.replies import error_reply
from elbd.errors import ElbError


class BodyTooLarge(Exception):
    """Raised into the application by the read that crosses the limit."""


def too_large(max_bytes: int) -> ElbError:
    return ElbError(413, "APIGW.0201", f"Request entity too large: the body exceeds {max_bytes} bytes.")


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not started:
                    refused = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_reply(Request(scope), too_large(self.max_bytes))
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
