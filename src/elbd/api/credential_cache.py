"""Credentials this process has verified, so a request's token or access key costs no database read.

An entry lives until its credential expires, at most `ttl_s`: a token revoked through this process is
forgotten at once; one revoked through another elbd process sharing the database stops working here
within `ttl_s`.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Generic, TypeVar

from elbd.clock import utcnow

DEFAULT_TTL_S = 5.0
DEFAULT_ENTRIES = 10_000
Value = TypeVar("Value")


class CredentialCache(Generic[Value]):
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, entries: int = DEFAULT_ENTRIES) -> None:
        self._ttl_s = ttl_s
        self._entries = entries
        self._known: OrderedDict[bytes, tuple[Value, float, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(credential: str) -> bytes:
        return hashlib.sha256(credential.encode()).digest()

    def get(self, credential: str) -> Value | None:
        key = self._key(credential)
        with self._lock:
            entry = self._known.get(key)
        if entry is None:
            return None
        value, cached_until, expires_at = entry
        if time.monotonic() >= cached_until or (expires_at is not None and utcnow() >= expires_at):
            self.forget(credential)
            return None
        return value

    def put(self, credential: str, value: Value, expires_at: datetime | None = None) -> None:
        key = self._key(credential)
        with self._lock:
            self._known[key] = (value, time.monotonic() + self._ttl_s, expires_at)
            self._known.move_to_end(key)
            while len(self._known) > self._entries:
                self._known.popitem(last=False)

    def forget(self, credential: str) -> None:
        with self._lock:
            self._known.pop(self._key(credential), None)
