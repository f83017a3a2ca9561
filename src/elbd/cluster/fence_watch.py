"""The fence watch: a process beside `elbd agent` that stops the node's engines when the agent's
leases may have run out.

The agent tells it, on its stdin, each time a renewal succeeded ("renewed <monotonic start>"); from the
last one on, the node may serve for FENCE_AFTER_S (cluster/timing.py). Past that without news, the
watch stops every HAProxy and nginx of the data directory and drops the node's VIPs (cluster/vip.py),
before any other node may claim the leases. It is a process apart because the agent itself may be
what stopped: frozen (SIGSTOP, a stalled VM), killed, or cut from the database; the HAProxy processes
serve on regardless. A line "exit" ends it (the agent stopped its engines itself); at the end of its
stdin (the agent died) it fences at the deadline, then ends.
"""

import logging
import os
import select
import sys
import time
from pathlib import Path

from elbd.cluster.timing import FENCE_AFTER_S
from elbd.cluster.vip import Vips
from elbd.dataplane import haproxy_engine, nginx_engine  # imported before any deadline: an import under load takes seconds
from elbd.dataplane.process_identity import terminate

log = logging.getLogger("elbd.fence")
STDIN = 0
FIRST_STEP_S = 0.3  # then SIGKILL for a master that did not end
REFENCE_EVERY_S = 0.5


def fence(data_dir: Path, vips: Vips) -> tuple[int, int]:
    """Stop every engine of the data directory and drop the VIPs: (HAProxy masters and nginx processes
    stopped, VIPs dropped). The masters elbd recorded get SIGTERM (HAProxy's hard stop) first, all at
    once; the thorough pass, which reads the host's sockets for any process it lost track of, follows."""
    masters = haproxy_engine.remembered_masters(data_dir)
    terminate(masters, FIRST_STEP_S)
    dropped = vips.drop_all()
    return len(masters) + haproxy_engine.stop_all(data_dir) + nginx_engine.stop_all(data_dir), dropped


def _fence_late(data_dir: Path, vips: Vips) -> None:
    stopped, dropped = fence(data_dir, vips)
    log.warning("no lease renewal in time: fenced this node (stopped %d engine processes, dropped %d VIPs)", stopped, dropped)


def watch(data_dir: Path, vips: Vips) -> None:
    # What an agent that just started finds running is its previous run's: it gets one deadline, as a renewal would.
    renewed = time.monotonic()
    is_fenced = False
    pending = b""
    while True:
        # once fenced, it looks again now and then: a round the agent began just before the deadline may start an engine after it
        timeout = REFENCE_EVERY_S if is_fenced else max(0.0, renewed + FENCE_AFTER_S - time.monotonic())
        ready, _, _ = select.select([STDIN], [], [], timeout)
        if not ready:
            if is_fenced:
                terminate(haproxy_engine.remembered_masters(data_dir), FIRST_STEP_S)
                nginx_engine.stop_all(data_dir)
            else:
                _fence_late(data_dir, vips)
                is_fenced = True
            continue
        chunk = os.read(STDIN, 4096)
        if not chunk:  # the agent is gone: what it served stops at the deadline
            if not is_fenced:
                time.sleep(max(0.0, renewed + FENCE_AFTER_S - time.monotonic()))
                _fence_late(data_dir, vips)
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            words = line.decode().split()
            if words == ["exit"]:
                return
            if len(words) == 2 and words[0] == "renewed":
                renewed, is_fenced = float(words[1]), False
            elif words and words[0] == "vips":
                vips.remember(words[1:])


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s elbd fence watch: %(message)s")
    data_dir = Path(sys.argv[1])
    watch(data_dir, Vips(sys.argv[2] if len(sys.argv) > 2 else None))


if __name__ == "__main__":
    main()
