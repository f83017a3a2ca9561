"""Which processes are which, from the kernel's records rather than from command lines.

A pid alone may be reused; a pid with the time its process started (clock ticks since boot, field 22
of /proc/<pid>/stat) names one process for as long as the machine runs, and it does not change when
the process re-executes itself (HAProxy's master does on every reload, and its command line reads
empty meanwhile: deciding by the command line made elbd think a reloading master dead and start a
second one). A process that binds a Unix socket under a load balancer's socket directory is one of
that load balancer's HAProxy processes, also after its socket file was unlinked or replaced.
"""

import os
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    started: int  # clock ticks after boot

    @classmethod
    def of(cls, pid: int) -> "ProcessIdentity | None":
        """The process now running as `pid`, or None (gone, or a zombie nobody reaped)."""
        fields = _stat_fields(pid)
        if fields is None or fields[0] == "Z":
            return None
        return cls(pid, int(fields[19]))

    def running(self) -> bool:
        return ProcessIdentity.of(self.pid) == self

    def line(self) -> str:
        return f"{self.pid} {self.started}"

    @classmethod
    def parse(cls, line: str) -> "ProcessIdentity | None":
        parts = line.split()
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            return None
        return cls(int(parts[0]), int(parts[1]))


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces): state first."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


class SocketTable:
    """One reading of the host's Unix sockets: which path each was bound to, and which processes hold
    each. Reading it walks every process's descriptors, so one reading serves many questions (stopping
    a thousand load balancers asks it a thousand times)."""

    def __init__(self) -> None:
        self._paths: dict[str, set[str]] = {}  # bound path -> inodes
        self._holders: dict[str, set[int]] | None = None  # inode -> pids, read at the first question that needs it
        try:
            lines = (PROC / "net" / "unix").read_text().splitlines()[1:]
        except OSError:
            lines = []
        for line in lines:
            fields = line.split()
            if len(fields) >= 8:
                self._paths.setdefault(fields[7], set()).add(fields[6])

    def _socket_holders(self) -> dict[str, set[int]]:
        if self._holders is None:
            self._holders = {}
            for entry in PROC.iterdir():
                if not entry.name.isdigit():
                    continue
                for link in _descriptor_links(entry / "fd"):
                    if link.startswith("socket:["):
                        self._holders.setdefault(link[8:-1], set()).add(int(entry.name))
        return self._holders

    def holders(self, socket_path: Path) -> set[ProcessIdentity]:
        """The processes holding a Unix socket bound to `socket_path` (listening or not), unlinked or not:
        HAProxy binds `<path>.<pid>.tmp` and renames it to `path`, and the kernel keeps the bound name."""
        path = str(socket_path)
        inodes = set(self._paths.get(path, set()))
        for bound, found in self._paths.items():
            if bound.startswith(f"{path}.") and bound.endswith(".tmp"):
                inodes |= found
        if not inodes:
            return set()
        holders = self._socket_holders()
        pids = set().union(*(holders.get(inode, set()) for inode in inodes))
        return {identity for pid in pids if (identity := ProcessIdentity.of(pid)) is not None}


def _descriptor_links(fd_dir: Path) -> Iterator[str]:
    """What each open descriptor of one process points to. A descriptor closed between the listing and
    its reading is skipped alone: a process opening and closing files (a master starting its workers)
    must not drop out of the reading whole."""
    try:
        descriptors = list(fd_dir.iterdir())
    except OSError:
        return
    for descriptor in descriptors:
        try:
            yield os.readlink(descriptor)
        except OSError:
            continue


def socket_holders(socket_path: Path) -> set[ProcessIdentity]:
    """The processes holding a Unix socket bound to `socket_path`, from a fresh reading."""
    return SocketTable().holders(socket_path)


def terminate(identities: Iterable[ProcessIdentity], timeout_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL for those still running after `timeout_s`; only the very processes named."""
    targets = [identity for identity in identities if identity.running()]
    for identity in targets:
        _signal(identity, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(identity.running() for identity in targets):
        time.sleep(0.02)
    for identity in targets:
        _signal(identity, signal.SIGKILL)


def signal_each(identities: Iterable[ProcessIdentity], signal_number: int) -> None:
    """Send the signal to each of these processes still running, without waiting."""
    for identity in identities:
        _signal(identity, signal_number)


def _signal(identity: ProcessIdentity, signal_number: int) -> None:
    """Signal the process if it is still the one named: through a pidfd opened before the check, so a
    pid reused in between is never signalled."""
    try:
        handle = os.pidfd_open(identity.pid)
    except ProcessLookupError:
        return
    try:
        if identity.running():
            signal.pidfd_send_signal(handle, signal_number)
    except ProcessLookupError:
        pass
    finally:
        os.close(handle)
