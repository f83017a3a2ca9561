"""The API's access log: one line per request, written by RequestIdMiddleware once the answer is sent.

Each line holds the request id (as in X-Request-Id), the method, the route template (never the path a
client wrote: no id, no query, nothing a client chooses reaches the log), the status, the duration and
the project of the authenticated caller ("-" before or without authentication). Plain `key=value`
words, or one JSON object a line (`elbd serve --access-log-json`). Never a credential: headers and
bodies are not logged."""

import json
import logging
import sys
from dataclasses import dataclass

from elbd.config import AccessLogStyle as Style

LOGGER_NAME = "elbd.access"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # a path no route has: never the path itself (any client could mint series or forge lines)


@dataclass(frozen=True)
class AccessRecord:
    request_id: str
    method: str
    route: str
    status: int
    duration_ms: float
    project_id: str | None

    def line(self, style: Style) -> str:
        fields = {
            "request_id": self.request_id,
            "method": self.method,
            "route": self.route,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "project_id": self.project_id,
        }
        if style == "json":
            return json.dumps(fields, separators=(",", ":"))
        return " ".join(f"{key}={'-' if value is None else value}" for key, value in fields.items())


def method_word(method: str) -> str:
    """An HTTP method as logged: one of the known ones, else "other" (any token would be a method)."""
    return method if method in KNOWN_METHODS else "other"


def install_access_log() -> logging.Logger:
    """The access log's lines on stdout, alone (the notes of `elbd serve` go to stderr)."""
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
