"""Counts every API request by method, route template (`/v3/{project_id}/elb/pools/{pool_id}/members`,
never the ids a path holds: one series per route, not per resource) and status, with its latency."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from elbd.api.access_log import UNMATCHED, method_word
from elbd.metrics.registry import Metric, Registry

REQUESTS = Metric("elbd_api_requests_total", "counter", "API requests answered, by method, route template and status.")
LATENCY = Metric("elbd_api_request_duration_seconds", "histogram", "Time to answer an API request, by method and route template.")


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp, registry: Registry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = getattr(scope.get("route"), "path", UNMATCHED)
            method = method_word(scope["method"])
            self.registry.count(REQUESTS, (("method", method), ("route", route), ("status", str(status))))
            self.registry.observe(LATENCY, time.perf_counter() - started, (("method", method), ("route", route)))
