"""Per-project request rate limit: 429 APIGW.0308 with Retry-After once a project's bucket is empty.

The key is the project_id of the path (/v3/{project_id}/..., /v1/{project_id}/...), so one busy project
never slows another. Token requests (/v3/auth/...) name no project in the path; they are keyed by the
client's address instead, because that endpoint is unauthenticated and checks a password at argon2's cost
on every call, which makes it the cheapest way to load the server and to guess passwords. Paths with
neither (the OpenAPI document) are not limited."""

import math
import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from elbd.api.replies import error_reply
from elbd.api.token_buckets import TokenBuckets
from elbd.errors import ElbError

PROJECT_PATH = re.compile(r"^/v\d+/([^/]+)/")
TOKEN_PATHS = "/v3/auth/"


def bucket_key(scope: Scope) -> tuple[str, str] | None:
    path: str = scope["path"]
    if path.startswith(TOKEN_PATHS):
        client = scope.get("client")
        return ("client", client[0] if client else "")
    match = PROJECT_PATH.match(path)
    return ("project", match.group(1)) if match else None


def throttled(buckets: TokenBuckets, per: str) -> ElbError:
    return ElbError(
        429,
        "APIGW.0308",
        f"The throttling threshold has been reached: {per} over ratelimit, limit:{buckets.rate:g} per second, burst:{buckets.burst}.",
    )


def install_rate_limit(app: Starlette, rate: float, burst: int) -> None:
    """Limits `app` when `rate` is above 0; its buckets are `app.state.rate_buckets` (None when off)."""
    app.state.rate_buckets = TokenBuckets(rate, burst) if rate > 0 else None
    if app.state.rate_buckets is not None:
        app.add_middleware(RateLimitMiddleware, buckets=app.state.rate_buckets)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = bucket_key(scope) if scope["type"] == "http" else None
        wait = self.buckets.take(key) if key is not None else 0.0
        if key is None or wait == 0:
            await self.app(scope, receive, send)
            return
        response = error_reply(Request(scope), throttled(self.buckets, key[0]))
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        await response(scope, receive, send)
