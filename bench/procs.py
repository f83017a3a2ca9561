"""Process facts from /proc: children, memory (RSS and PSS), CPU time."""

import os
import subprocess

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def live_pids() -> list[int]:
    """Every process that is not a zombie."""
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and (fields := _stat_fields(int(entry))) is not None and fields[0] != "Z"]


def parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields is not None else None


def children(pid: int) -> list[int]:
    """Live (not zombie) children of `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB; PSS shares pages between the processes that map them, so it adds up."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def proxy_pids(master: int | None) -> list[int]:
    """A proxy's processes whose CPU time counts: the master and its live children (HAProxy's worker,
    nginx's workers)."""
    return [master, *children(master)] if master else []


def autogroup(pid: int) -> str:
    """The scheduler autogroup (one per session) `pid` is in, e.g. `/autogroup-12`."""
    try:
        with open(f"/proc/{pid}/autogroup") as source:
            return source.read().split()[0]
    except (OSError, IndexError):
        return "unknown"


def terminate(process: subprocess.Popen | None) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
