"""Tokens this process has verified, so a request's token costs no database read.

An entry lives until its token expires, at most `ttl_s`: a token revoked through this process is
forgotten at once; one revoked through another elbd process sharing the database stops working here
within `ttl_s`.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import datetime

from elbd.clock import utcnow
from elbd.service.identity import Principal

DEFAULT_TTL_S = 5.0
DEFAULT_ENTRIES = 10_000


class TokenCache:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, entries: int = DEFAULT_ENTRIES) -> None:
        self._ttl_s = ttl_s
        self._entries = entries
        self._known: OrderedDict[bytes, tuple[Principal, float, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> Principal | None:
        key = self._key(token)
        with self._lock:
            entry = self._known.get(key)
        if entry is None:
            return None
        principal, cached_until, expires_at = entry
        if time.monotonic() >= cached_until or utcnow() >= expires_at:
            self.forget(token)
            return None
        return principal

    def put(self, token: str, principal: Principal, expires_at: datetime) -> None:
        key = self._key(token)
        with self._lock:
            self._known[key] = (principal, time.monotonic() + self._ttl_s, expires_at)
            self._known.move_to_end(key)
            while len(self._known) > self._entries:
                self._known.popitem(last=False)

    def forget(self, token: str) -> None:
        with self._lock:
            self._known.pop(self._key(token), None)
