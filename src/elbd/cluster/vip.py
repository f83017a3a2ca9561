"""A node's VIPs on its network interface, for hosts that take a VIP over from one another.

With `elbd agent --vip-interface IF`, the node adds each VIP it serves to IF as a /32 (`ip addr add`)
before its engine binds it, and announces it with gratuitous ARPs (garp.py) so that neighbours send
to this node's MAC address from now on; it removes the VIP when it stops serving the load
balancer, and its fence watch removes them all. Without an interface (several agents on one host, VIPs
in 127.0.0.0/8) a VIP needs no move: nothing is done.
"""

import ipaddress
import logging
import subprocess
import threading
import time
from collections.abc import Iterable

from elbd.cluster.garp import send_gratuitous_arp

log = logging.getLogger(__name__)
GRATUITOUS_ARPS = 3
ARP_SPACING_S = 0.6
COMMAND_TIMEOUT_S = 5.0


def movable(address: str) -> bool:
    """Whether the VIP is a host address to move (IPv4, not loopback)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return parsed.version == 4 and not parsed.is_loopback and not parsed.is_unspecified


class Vips:
    def __init__(self, interface: str | None) -> None:
        self.interface = interface
        self._added: set[str] = set()
        self._lock = threading.Lock()

    def remember(self, addresses: Iterable[str]) -> None:
        """The fence watch's copy of what the agent added."""
        with self._lock:
            self._added = {one for one in addresses if movable(one)}

    def added(self) -> list[str]:
        with self._lock:
            return sorted(self._added)

    def add(self, address: str) -> bool:
        """Put the VIP on the interface and announce it; answers whether the set of VIPs changed."""
        if self.interface is None or not movable(address):
            return False
        with self._lock:
            if address in self._added:
                return False
            self._added.add(address)
        _run(["ip", "-4", "addr", "replace", f"{address}/32", "dev", self.interface])
        threading.Thread(target=_announce, args=(self.interface, address), name="elbd-garp", daemon=True).start()
        return True

    def drop(self, address: str) -> bool:
        with self._lock:
            if address not in self._added:
                return False
            self._added.discard(address)
        _run(["ip", "-4", "addr", "del", f"{address}/32", "dev", self.interface or ""])
        return True

    def drop_all(self) -> int:
        addresses = self.added()
        for address in addresses:
            self.drop(address)
        return len(addresses)


def _announce(interface: str, address: str) -> None:
    """Gratuitous ARPs, spaced out: Linux ignores an update within its locktime (1 s) of the previous one,
    so the later ones reach a neighbour that had just heard from the old node."""
    for number in range(GRATUITOUS_ARPS):
        try:
            send_gratuitous_arp(interface, address)
        except OSError as error:
            log.warning("announcing VIP %s on %s failed: %s", address, interface, error)
            return
        if number < GRATUITOUS_ARPS - 1:
            time.sleep(ARP_SPACING_S)


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=COMMAND_TIMEOUT_S)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        log.warning("%s failed: %s", " ".join(command), getattr(error, "stderr", b"") or error)
