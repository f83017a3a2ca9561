"""Requests to elbd's API, with a token or signed with AK/SK exactly as the official SDK signs
(auth/sdk_hmac.py, the server's own check). The standard library only: the CLI needs no HTTP client
beyond what elbd installs."""

import json
import urllib.error
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

from elbd.auth import sdk_hmac
from elbd.cli_resources.connection import Connection

TIMEOUT_S = 60.0
Query = Sequence[tuple[str, str]]


class ApiFailure(Exception):
    """The API answered an error (status > 0, with its ELB error code and message), or could not be
    reached (status 0)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}" if status else message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the JSON answered, None for a 204


def query_string(query: Query) -> str:
    """Sorted and percent-encoded as the SDK sends it: the signature covers the query as sent."""
    return "&".join(f"{quote(key, safe='~')}={quote(value, safe='~')}" for key, value in sorted(query))


def signature_headers(connection: Connection, method: str, url: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers that authenticate a request: X-Auth-Token, or the SDK-HMAC-SHA256 signature."""
    if connection.token:
        return {"X-Auth-Token": connection.token}
    assert connection.access_key and connection.secret_key
    parts = urlsplit(url)
    sdk_date = now.astimezone(timezone.utc).strftime(sdk_hmac.DATE_FORMAT)
    headers = {"host": parts.netloc, "x-sdk-date": sdk_date, "x-project-id": connection.project_id}
    if body:
        headers["content-type"] = "application/json"
    signed = tuple(sorted(headers))
    canonical = sdk_hmac.canonical_request(method, parts.path, parts.query, headers, signed, body)
    signature = sdk_hmac.sign(connection.secret_key, canonical, sdk_date)
    authorization = f"{sdk_hmac.ALGORITHM} Access={connection.access_key}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    return {**{name: value for name, value in headers.items() if name != "host"}, "Authorization": authorization}


class ApiClient:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def elb(self, method: str, path: str, body: Any = None, query: Query = ()) -> Any:
        """A call under /v3/{project_id}/elb/: the JSON answered (None for a 204), or ApiFailure."""
        return self.call(method, f"/v3/{self.connection.project_id}/elb/{path}", body, query).body

    def call(self, method: str, path: str, body: Any = None, query: Query = ()) -> Answer:
        url = self.connection.url + path + (f"?{query_string(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Accept": "application/json", **signature_headers(self.connection, method, url, data, datetime.now(timezone.utc))}
        if data:
            headers["Content-Type"] = "application/json"
        import urllib.request  # here: every elbd command imports this module, and most of them send no request

        request = urllib.request.Request(url, data=data or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return Answer(response.status, _json(response.read()))
        except urllib.error.HTTPError as error:
            raise _failure(error.code, error.read()) from None
        except (urllib.error.URLError, OSError) as error:
            raise ApiFailure(0, "", f"elbd at {self.connection.url} cannot be reached: {getattr(error, 'reason', error)}") from None


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiFailure(0, "", "the answer is not JSON: is the URL elbd's?") from None


def _failure(status: int, raw: bytes) -> ApiFailure:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict) and "error_msg" in body:
        return ApiFailure(status, str(body.get("error_code", "")), str(body["error_msg"]))
    if isinstance(body, dict) and isinstance(body.get("error"), dict):  # the identity API's format
        return ApiFailure(status, str(body["error"].get("code", "")), str(body["error"].get("message", "")))
    return ApiFailure(status, "", raw.decode("utf-8", "replace")[:500] or f"HTTP {status}")
