"""SDK-HMAC-SHA256 request signatures, computed exactly as the official Huawei Cloud SDK signs.

Pure functions: the API layer hands in the request parts, these answer with the signature.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$"
)


@dataclass(frozen=True)
class Authorization:
    access_key: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization | None:
    match = _AUTHORIZATION.match(value)
    if not match:
        return None
    access_key, headers, signature = match.groups()
    return Authorization(access_key, tuple(headers.split(";")), signature.lower())


def canonical_uri(path: str) -> str:
    segments = [quote(segment, safe="~") for segment in unquote(path).split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_request(
    method: str, path: str, raw_query: str, headers: dict[str, str], signed_headers: tuple[str, ...], body: bytes
) -> str:
    """`raw_query` is the query string as received: the SDK sends it already in canonical order."""
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            raw_query,
            canonical_headers,
            ";".join(signed_headers),
            hashlib.sha256(body).hexdigest(),
        ]
    )


def string_to_sign(request: str, sdk_date: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(request.encode()).hexdigest()}"


def sign(secret_key: str, request: str, sdk_date: str) -> str:
    return hmac.new(secret_key.encode(), string_to_sign(request, sdk_date).encode(), hashlib.sha256).hexdigest()


def parse_sdk_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
