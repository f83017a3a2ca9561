"""BodyLimitMiddleware on raw ASGI messages: how much of a body it pulls, and what reaches the client."""

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from elbd.api.body_limit import BodyLimitMiddleware, BodyTooLarge

LIMIT = 3000
CHUNK = 1000


async def reads_whole_body(scope: Scope, receive: Receive, send: Send) -> None:
    """An application that reads the body, and answers 400 when that read fails (as FastAPI does)."""
    try:
        body = await Request(scope, receive).body()
    except BodyTooLarge:
        await JSONResponse({"error": "could not read"}, status_code=400)(scope, receive, send)
        return
    await JSONResponse({"read": len(body)})(scope, receive, send)


def run(headers: list[tuple[bytes, bytes]], chunk_count: int) -> tuple[int, list[Message]]:
    """Sends `chunk_count` chunks of CHUNK bytes; answers how many were pulled and what was sent back."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": pulled < chunk_count}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""}
    asyncio.run(BodyLimitMiddleware(reads_whole_body, max_bytes=LIMIT)(scope, receive, send))
    return pulled, sent


def answer(sent: list[Message]) -> tuple[int, dict[str, Any], dict[bytes, bytes]]:
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), dict(start["headers"])


def test_a_streamed_body_is_read_only_one_chunk_past_the_limit() -> None:
    pulled, sent = run([], chunk_count=100)
    status, body, headers = answer(sent)
    assert pulled == LIMIT // CHUNK + 1
    assert status == 413 and body["error_code"] == "APIGW.0201"
    assert headers[b"connection"] == b"close"


def test_the_applications_own_answer_to_the_failed_read_never_goes_out() -> None:
    _, sent = run([], chunk_count=100)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]


def test_a_declared_length_over_the_limit_is_refused_before_any_read() -> None:
    pulled, sent = run([(b"content-length", str(LIMIT + 1).encode())], chunk_count=3)
    assert pulled == 0
    assert answer(sent)[0] == 413


def test_a_body_at_the_limit_is_read_whole() -> None:
    pulled, sent = run([], chunk_count=3)
    assert pulled == 3
    assert answer(sent)[:2] == (200, {"read": LIMIT})
