"""Hosts on one machine: network namespaces joined by veth pairs to a bridge in a namespace of its own,
with addresses in 198.18.0.0/15 (the benchmarking range) inside them only. Nothing is added to the
machine's own namespace; everything made is removed, also when a test fails."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

PREFIX_LENGTH = 24


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


def netns_permitted() -> str | None:
    """Why network namespaces cannot be made here, or None."""
    probe = f"elbd-probe-{os.getpid()}"
    try:
        ip("netns", "add", probe)
    except (subprocess.CalledProcessError, OSError) as error:
        return f"ip netns is not permitted here ({getattr(error, 'stderr', b'') or error!r})"
    ip("netns", "del", probe)
    return None


class Network:
    """A bridge namespace and hosts on it, each with eth0 at its address."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.switch = f"{tag}-sw"
        self.hosts: dict[str, str] = {}  # name -> namespace
        ip("netns", "add", self.switch)
        ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        ip("-n", self.switch, "link", "set", "br0", "up")

    def host(self, name: str, address: str) -> list[str]:
        """A host with eth0 at `address`; answers the command prefix that runs a program in it."""
        namespace = f"{self.tag}-{name}"
        ip("netns", "add", namespace)
        self.hosts[name] = namespace
        port = f"p-{name}"[:15]
        ip("-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        ip("-n", self.switch, "link", "set", port, "master", "br0", "up")
        ip("-n", namespace, "addr", "add", f"{address}/{PREFIX_LENGTH}", "dev", "eth0")
        ip("-n", namespace, "link", "set", "eth0", "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        return self.run_in(name)

    def run_in(self, name: str) -> list[str]:
        return ["ip", "netns", "exec", self.hosts[name]]

    def addresses(self, name: str) -> str:
        return subprocess.run(["ip", "-n", self.hosts[name], "-4", "addr", "show", "dev", "eth0"], capture_output=True, text=True, timeout=30).stdout

    def remove(self) -> None:
        """Kill what still runs in the namespaces (bounded), then delete them."""
        for namespace in [*self.hosts.values(), self.switch]:
            for attempt in range(50):
                pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, timeout=30).stdout.split()
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), signal.SIGCONT)
                        os.kill(int(pid), signal.SIGKILL if attempt > 10 else signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                time.sleep(0.1)
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)


@contextmanager
def network(tag: str) -> Iterator[Network]:
    made = Network(tag)
    try:
        yield made
    finally:
        made.remove()
