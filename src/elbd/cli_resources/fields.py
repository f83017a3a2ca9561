"""`FIELD=VALUE` arguments as a request body: a value that reads as JSON is taken as JSON (80, true,
null, ["a","b"], {"k": 1}), any other as text; so `name=web`, `protocol_port=80`, `name='"80"'` (the
text 80)."""

import json
from collections.abc import Iterable
from typing import Any


class BadField(ValueError):
    pass


def body_of(assignments: Iterable[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for assignment in assignments:
        field, separator, text = assignment.partition("=")
        if not separator or not field:
            raise BadField(f"{assignment!r} is not FIELD=VALUE")
        if field in body:
            raise BadField(f"{field} is given twice")
        body[field] = value_of(text)
    return body


def value_of(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def filters_of(assignments: Iterable[str]) -> list[tuple[str, str]]:
    """List filters (`--filter name=web`), each as the query sends it (a filter may be given more than once)."""
    pairs = []
    for assignment in assignments:
        field, separator, text = assignment.partition("=")
        if not separator or not field:
            raise BadField(f"{assignment!r} is not FIELD=VALUE")
        pairs.append((field, text))
    return pairs
