"""What the CLI prints on stdout: tables for people, JSON (--json) for scripts."""

import json
from collections.abc import Sequence
from typing import Any

MAX_CELL = 60


def cell(value: Any, limit: int = MAX_CELL) -> str:
    """A value as one table cell: ids of [{id}] lists joined, other lists joined, objects as JSON."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(item["id"] if isinstance(item, dict) and set(item) == {"id"} else cell(item, limit) for item in value) or "-"
    if isinstance(value, dict):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    cells = [[cell(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(line[index]) for line in cells)]) for index, column in enumerate(columns)]
    lines = [[column.upper() for column in columns], *cells]
    return "\n".join("  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip() for line in lines)


def fields(resource: dict[str, Any]) -> str:
    """One resource: a field a line."""
    width = max((len(key) for key in resource), default=0)
    return "\n".join(f"{key.ljust(width)}  {cell(value, limit=10_000)}" for key, value in resource.items())


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
