"""Tells the moment a watched process exits, through Linux pidfds, instead of at the next poll.

A pidfd becomes readable when its process ends (a zombie included, and an HAProxy master that no one
reaps stays one), so one thread waits on all of them at once. Watches change from other threads; a
pipe wakes the waiting thread to take them in. A process whose pidfd could not be opened (not Linux, a
kernel before 5.3, no descriptor left) is not watched: `unwatched()` names it, for the caller to poll.
"""

import logging
import os
import select
import selectors
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class ExitWatch:
    def __init__(self, on_exit: Callable[[str], None]) -> None:
        self._on_exit = on_exit
        self._selector = selectors.DefaultSelector()
        self._wanted: dict[str, int] = {}  # key -> pid, as the callers last said
        self._watched: dict[str, tuple[int, int]] = {}  # key -> (pid, pidfd), as the waiting thread has them
        self._unwatched: dict[str, int] = {}  # key -> pid the callers wanted watched and no pidfd could be opened for
        self._lock = threading.Lock()
        self._wake_read, self._wake_write = os.pipe()
        self._selector.register(self._wake_read, selectors.EVENT_READ)
        self._stopping = False
        self._closed = False  # once run() has closed the pipe, its descriptor numbers may be another file's

    def watch(self, key: str, pid: int) -> None:
        """From now on `on_exit(key)` runs when `pid` exits (instead of the pid watched before, if any)."""
        with self._lock:
            if self._unwatched.get(key) == pid:
                return  # no pidfd for it: opening one again would fail again
            self._unwatched.pop(key, None)
            if self._wanted.get(key) != pid:
                self._wanted[key] = pid
                self._wake()

    def forget(self, key: str) -> None:
        with self._lock:
            self._unwatched.pop(key, None)
            if self._wanted.pop(key, None) is not None:
                self._wake()

    def unwatched(self) -> set[str]:
        """The keys whose process could not be watched: only a poll finds their exit."""
        with self._lock:
            return set(self._unwatched)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._wake()

    def _wake(self) -> None:
        """Under the lock."""
        if not self._closed:
            os.write(self._wake_write, b".")

    def run(self) -> None:
        """The waiting thread's loop, until stop()."""
        try:
            while not self._stopping:
                for selected, _ in self._selector.select():
                    if selected.fd == self._wake_read:
                        os.read(self._wake_read, 4096)
                        self._take_watches()
                    else:
                        self._exited(selected.data, selected.fd)
        finally:
            for _, pidfd in self._watched.values():
                os.close(pidfd)
            self._selector.close()
            with self._lock:
                self._closed = True
                os.close(self._wake_read)
                os.close(self._wake_write)

    def _take_watches(self) -> None:
        with self._lock:
            wanted = dict(self._wanted)
        for key, (pid, pidfd) in list(self._watched.items()):
            if wanted.get(key) != pid:
                self._unwatch(key, pidfd)
        for key, pid in wanted.items():
            if key not in self._watched:
                self._open(key, pid)

    def _open(self, key: str, pid: int) -> None:
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            if self._forget_if_still(key, pid):
                self._tell(key)  # gone before it could be watched
            return
        except (AttributeError, OSError) as error:
            log.debug("exits of process %s are found by polling only: %s", pid, error)
            self._forget_if_still(key, pid, unwatched=True)
            return
        self._watched[key] = (pid, pidfd)
        self._selector.register(pidfd, selectors.EVENT_READ, key)

    def _exited(self, key: str, pidfd: int) -> None:
        """Told only if the callers still watch this process: a forget or a new pid may have come in the
        same wake-up as the exit, and a pidfd closed earlier in that wake-up may be a new one's number."""
        watched = self._watched.get(key)
        if watched is None or watched[1] != pidfd or not select.select([pidfd], [], [], 0)[0]:
            return
        self._unwatch(key, pidfd)
        if self._forget_if_still(key, watched[0]):
            self._tell(key)

    def _tell(self, key: str) -> None:
        try:
            self._on_exit(key)
        except Exception:
            log.exception("handling the exit of %s failed", key)

    def _unwatch(self, key: str, pidfd: int) -> None:
        self._selector.unregister(pidfd)
        os.close(pidfd)
        del self._watched[key]

    def _forget_if_still(self, key: str, pid: int, unwatched: bool = False) -> bool:
        """The callers' watch of `key` ends with this pid, unless they named another one (or forgot it)
        meanwhile; answers whether it did. `unwatched`: it ends because no pidfd could be opened."""
        with self._lock:
            if self._wanted.get(key) != pid:
                return False
            del self._wanted[key]
            if unwatched:
                self._unwatched[key] = pid
            return True
