"""Free ports for the servers tests start (elbd serve, HAProxy listeners, backends). A port is found by
binding a probe and closing it before the server binds it. With bind(0) two pytest-xdist workers could
be handed the same port in that gap, and an outgoing connection's port could take it too. So each
worker probes a slice of its own of PORTS, which lies below the kernel's ephemeral range (where bind(0)
and outgoing connections take theirs), walking upwards from a random start: within a worker no port is
handed out twice before the walk comes round, and no other worker ever probes it."""

import itertools
import os
import random
import socket
from collections.abc import Iterator

PORTS = range(10000, 32768)  # the ephemeral range starts at 32768 (net.ipv4.ip_local_port_range)


def worker_slice(worker: str | None, worker_count: int) -> range:
    """The ports of pytest-xdist worker `worker` ("gw0", "gw1", ...) of `worker_count`; all of them
    without xdist (`worker` None)."""
    if worker is None:
        return PORTS
    size = len(PORTS) // worker_count
    start = PORTS.start + int(worker.removeprefix("gw")) * size
    return range(start, start + size)


def _walk(ports: range) -> Iterator[int]:
    first = random.randrange(len(ports))
    return itertools.cycle([*ports[first:], *ports[:first]])


_SLICE = worker_slice(os.environ.get("PYTEST_XDIST_WORKER"), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
_NEXT = _walk(_SLICE)


def free_port_on(address: str) -> int:
    """A port of this worker's slice that nothing is bound to on `address` now."""
    for port in itertools.islice(_NEXT, len(_SLICE)):
        with socket.socket() as probe:
            try:
                probe.bind((address, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port on {address} in {_SLICE}")
