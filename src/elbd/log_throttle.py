"""Warnings a tenant's traffic can repeat (an access log's ring overrun, a full disk under a busy log)
at most once a minute for each thing they are about: the log stays readable and bounded however often
the cause recurs. What was held back is counted into the next warning of the same thing; metrics
count every occurrence anyway."""

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

INTERVAL_S = 60.0
MOST_KEYS = 4096  # things remembered at once; the least recently warned about is forgotten first


class LogThrottle:
    def __init__(self, logger: logging.Logger, interval_s: float = INTERVAL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._logger = logger
        self._interval_s = interval_s
        self._clock = clock
        self._last: OrderedDict[Hashable, tuple[float, int]] = OrderedDict()  # key -> (last warned, held back since)

    def warning(self, key: Hashable, message: str, *args: object) -> None:
        """Log `message % args` unless a warning about `key` was logged less than the interval ago."""
        now = self._clock()
        warned, held = self._last.get(key, (None, 0))
        if warned is not None and now - warned < self._interval_s:
            self._last[key] = (warned, held + 1)
            return
        if held:
            message += f" (and {held} more like it in the last {self._interval_s:.0f} s)"
        self._logger.warning(message, *args)
        self._last[key] = (now, 0)
        self._last.move_to_end(key)
        while len(self._last) > MOST_KEYS:
            self._last.popitem(last=False)
