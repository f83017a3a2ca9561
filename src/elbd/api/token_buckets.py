"""Token buckets by key: `rate` requests a second on average, `burst` at once.

Memory is bounded: past `capacity` keys the least recently seen bucket is dropped. A dropped bucket comes
back full, which is what it would be anyway once idle for burst / rate seconds; only a flood of more than
`capacity` distinct keys within that time can hand a key an early refill."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

DEFAULT_CAPACITY = 10_000


class TokenBuckets:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._capacity = capacity
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> float:
        """Takes one token: 0 when there was one, else the seconds until there will be."""
        with self._lock:
            now = self.clock()
            tokens, updated = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            if len(self._buckets) > self._capacity:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)
