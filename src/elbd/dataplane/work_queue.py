"""Pending data-plane work per load balancer, shared by a few worker threads.

Changes to one load balancer merge while they wait (a burst of member adds becomes one apply), a load
balancer is worked on by one thread at a time, and every change told is counted so that a caller can
wait until it is live.
"""

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Work:
    """What one load balancer needs: a whole rebuild, or only these members applied; and whether its
    config file, behind the runtime changes, should be written now."""

    whole: bool = False
    members: set[str] = field(default_factory=set)
    write_config: bool = False

    def merge(self, other: "Work") -> None:
        self.whole |= other.whole
        self.members |= other.members
        self.write_config |= other.write_config


class WorkQueue:
    def __init__(self) -> None:
        self._ready: queue.Queue[str | None] = queue.Queue()
        self._pending: dict[str, Work] = {}
        self._busy: set[str] = set()
        self._requested: dict[str, int] = {}
        self._applied: dict[str, int] = {}
        self._progress = threading.Condition()

    def submit(self, load_balancer_id: str, work: Work, counted: bool = True) -> None:
        """`counted` work is a change someone may wait for (see wait_until_applied)."""
        with self._progress:
            if counted:
                self._requested[load_balancer_id] = self._requested.get(load_balancer_id, 0) + 1
            self._pending.setdefault(load_balancer_id, Work()).merge(work)
        self._ready.put(load_balancer_id)

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        with self._progress:
            targets = {one: self._requested.get(one, 0) for one in load_balancer_ids}
            return self._progress.wait_for(
                lambda: all(self._applied.get(one, 0) >= target for one, target in targets.items()), timeout=timeout_s
            )

    def busy(self, load_balancer_id: str) -> bool:
        with self._progress:
            return load_balancer_id in self._busy

    def next(self, timeout_s: float | None) -> str | None:
        """A load balancer that may have work; None once closed. Raises queue.Empty after `timeout_s`."""
        return self._ready.get(timeout=timeout_s)

    def close(self, workers: int) -> None:
        for _ in range(workers):
            self._ready.put(None)

    def serve(self, load_balancer_id: str, handle: Callable[[str, Work], None]) -> None:
        """Hand the load balancer's pending work to `handle` until none is left, unless another thread
        is already doing so (it will also take what arrived meanwhile)."""
        with self._progress:
            if load_balancer_id in self._busy or load_balancer_id not in self._pending:
                return
            self._busy.add(load_balancer_id)
        while True:
            with self._progress:
                work = self._pending.pop(load_balancer_id, None)
                if work is None:
                    self._busy.discard(load_balancer_id)
                    return
                target = self._requested.get(load_balancer_id, 0)
            try:
                handle(load_balancer_id, work)
            except Exception:
                log.exception("applying changes to load balancer %s failed", load_balancer_id)
            with self._progress:
                self._applied[load_balancer_id] = max(self._applied.get(load_balancer_id, 0), target)
                self._progress.notify_all()
