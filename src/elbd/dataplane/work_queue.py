"""Pending data-plane work per load balancer, shared fairly by a few worker threads.

Changes to one load balancer merge while they wait (a burst of member adds becomes one apply), and a
load balancer is worked on by one thread at a time. Fairness:

- A worker takes one round of a load balancer's work, then the load balancer goes to the back of the
  line if more came meanwhile: no load balancer holds a worker while others wait (a project flooding
  listener updates on a few load balancers used to keep every worker on them).
- Work that the runtime API carries out in milliseconds (members, a config write) goes before whole
  rebuilds, which reload HAProxy; every few quick rounds a waiting rebuild goes first, so neither kind
  can starve the other.

Every change told is counted, so that a caller can wait until it is live; a round that fails says so
to its waiters rather than letting them take it for done.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from elbd.changes import Changes

log = logging.getLogger(__name__)
QUICK_ROUNDS_PER_REBUILD = 4


@dataclass(frozen=True)
class Work:
    """One load balancer's round: its changes (a whole rebuild, or only some members), and whether its
    config file, behind the runtime changes, should be written now."""

    load_balancer_id: str
    changes: Changes = Changes()
    write_config: bool = False

    @property
    def whole(self) -> bool:
        return self.load_balancer_id in self.changes.load_balancers

    @property
    def members(self) -> frozenset[str]:
        return self.changes.members.get(self.load_balancer_id, frozenset())

    @property
    def access(self) -> frozenset[str]:
        """The listeners whose access lists' entries changed."""
        return self.changes.access.get(self.load_balancer_id, frozenset())

    def merged(self, other: "Work") -> "Work":
        return Work(self.load_balancer_id, self.changes.merged(other.changes), self.write_config or other.write_config)


class WorkQueue:
    def __init__(self) -> None:
        self._pending: dict[str, Work] = {}
        self._quick: deque[str] = deque()  # load balancers waiting with member or config-write work only
        self._rebuilds: deque[str] = deque()  # load balancers waiting with a whole rebuild
        self._busy: set[str] = set()
        self._quick_in_a_row = 0
        self._closed = False
        self._requested: dict[str, int] = {}  # changes told, per load balancer
        self._done: dict[str, int] = {}  # of those, how many a finished round covered
        self._failed: dict[str, int] = {}  # the count covered by the last round that failed
        self._changed = threading.Condition()

    def submit(self, changes: Changes, counted: bool = True) -> None:
        """`counted` changes are changes someone may wait for (see wait_until_applied)."""
        for load_balancer_id in changes.touched:
            self._add(Work(load_balancer_id, changes.of_load_balancer(load_balancer_id)), counted)

    def submit_config_write(self, load_balancer_id: str) -> None:
        self._add(Work(load_balancer_id, write_config=True), counted=False)

    def _add(self, work: Work, counted: bool) -> None:
        load_balancer_id = work.load_balancer_id
        with self._changed:
            if counted:
                self._requested[load_balancer_id] = self._requested.get(load_balancer_id, 0) + 1
            waiting = load_balancer_id in self._pending
            self._pending[load_balancer_id] = self._pending[load_balancer_id].merged(work) if waiting else work
            if not waiting and load_balancer_id not in self._busy:
                self._line_up(load_balancer_id)
            self._changed.notify_all()

    def _line_up(self, load_balancer_id: str) -> None:
        """Under the lock: behind the others of its kind."""
        (self._rebuilds if self._pending[load_balancer_id].whole else self._quick).append(load_balancer_id)

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        """Whether every change told so far for these load balancers is live: False once a round that
        covered one of them failed, or when `timeout_s` passed first."""
        with self._changed:
            targets = {one: self._requested.get(one, 0) for one in load_balancer_ids}
            deadline = time.monotonic() + timeout_s
            while True:
                if any(self._failed.get(one, 0) >= target > self._done.get(one, 0) for one, target in targets.items()):
                    return False
                if all(self._done.get(one, 0) >= target for one, target in targets.items()):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)

    def busy(self, load_balancer_id: str) -> bool:
        with self._changed:
            return load_balancer_id in self._busy

    def next(self, timeout_s: float | None) -> str | None:
        """A load balancer whose work this worker now owns (run it with `serve`); None once closed.
        Raises TimeoutError after `timeout_s` without one."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._changed:
            while not self._closed:
                chosen = self._choose()
                if chosen is not None:
                    self._busy.add(chosen)
                    return chosen
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError
                self._changed.wait(left)
            return None

    def _choose(self) -> str | None:
        """Under the lock: quick work first, a rebuild after QUICK_ROUNDS_PER_REBUILD quick rounds."""
        rebuild_due = self._rebuilds and (not self._quick or self._quick_in_a_row >= QUICK_ROUNDS_PER_REBUILD)
        line = self._rebuilds if rebuild_due else self._quick
        if not line:
            return None
        self._quick_in_a_row = 0 if rebuild_due else self._quick_in_a_row + 1
        return line.popleft()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def serve(self, load_balancer_id: str, handle: Callable[[Work], bool]) -> None:
        """Hand one round of the load balancer's pending work to `handle` (which answers whether it
        applied it), then put the load balancer back in line if more came meanwhile."""
        with self._changed:
            work = self._pending.pop(load_balancer_id, None)
            target = self._requested.get(load_balancer_id, 0)
        applied = False
        try:
            applied = work is None or handle(work)
        except Exception:
            log.exception("applying changes to load balancer %s failed", load_balancer_id)
        with self._changed:
            if applied:
                self._done[load_balancer_id] = max(self._done.get(load_balancer_id, 0), target)
            else:
                self._failed[load_balancer_id] = max(self._failed.get(load_balancer_id, 0), target)
            self._busy.discard(load_balancer_id)
            if load_balancer_id in self._pending:
                self._line_up(load_balancer_id)
            self._changed.notify_all()
