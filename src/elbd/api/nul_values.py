"""No value a client sends may hold a NUL character (U+0000): PostgreSQL's text cannot store one, so a
name, a filter or an id with it failed there with a 500 (SQLite took it). Refused on both stores, for
every route, as invalid input: in the path, the query string, and any string of a JSON body.

It is a dependency of the whole application, so the refusal goes the way of every validation error
(api/errors.py): credentials are judged first. The hot path pays a substring search of the body: only a
body that spells `\\u0000` somewhere is parsed again to tell a NUL from an escaped backslash."""

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

MESSAGE = "Invalid input: a value holds a NUL character (\\u0000), which elbd does not accept."


async def refuse_nul_values(request: Request) -> None:
    if "\x00" in request.scope["path"] or b"%00" in request.scope["query_string"]:
        _refuse()
    body = await request.body()
    if b"\\u0000" in body and _holds_nul(_json_or_none(body)):
        _refuse()


def _refuse() -> None:
    raise RequestValidationError([{"type": "nul_character", "loc": ("body",), "msg": MESSAGE}])


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:  # not JSON: the route's own validation says so
        return None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False
