"""Every request gets an id: in the X-Request-Id header of every answer and the request_id of every body.

The middleware also answers an unexpected exception itself, with the ELB 500 body: Starlette's own
last-resort handler sits outside every user middleware, so its answer would carry no X-Request-Id
(the SDK reads the request id of an error only from that header).

With an access log style given, it also logs each request's line once it is answered (api/access_log.py)."""

import logging
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from elbd.api.access_log import UNMATCHED, AccessRecord, Style, install_access_log, method_word
from elbd.api.replies import error_reply
from elbd.errors import ElbError

log = logging.getLogger(__name__)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, access_log: Style | None = None) -> None:
        self.app = app
        self.access_log = (install_access_log(), access_log) if access_log else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        started = False
        status = 500
        began = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if started:
                raise
            request = Request(scope)
            log.exception("unexpected error on %s %s (request %s)", request.method, request.url.path, request_id)
            response = error_reply(request, ElbError(500, "ELB.8906", "Internal server error."))
            await response(scope, receive, send_with_id)
        finally:
            if self.access_log is not None:
                logger, style = self.access_log
                record = AccessRecord(
                    request_id=request_id,
                    method=method_word(scope["method"]),
                    route=getattr(scope.get("route"), "path", UNMATCHED),
                    status=status,
                    duration_ms=(time.perf_counter() - began) * 1000,
                    project_id=scope["state"].get("project_id"),
                )
                logger.info(record.line(style))
