"""The reconciler restarts a dead HAProxy as soon as its exit is seen, without waiting for the health
poller: here the poller never runs, so only the exit watch can bring the process back."""

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from elbd.dataplane.haproxy_engine import HaproxyEngine, process_for, stop_all
from elbd.dataplane.reconciler import Reconciler
from tests.conftest import Api
from tests.dataplane.conftest import SUBNET, VIP, wait_for

NEVER_S = 3600.0


@pytest.fixture
def reconciler(api: Api, data_dir: Path) -> Iterator[Reconciler]:
    started = Reconciler(api.client.app.state.db, HaproxyEngine(data_dir), poll_interval_s=NEVER_S)
    try:
        yield started
    finally:
        started.stop()
        stop_all(data_dir)


def test_a_killed_haproxy_is_started_again_without_the_poller(api: Api, data_dir: Path, reconciler: Reconciler) -> None:
    lb = api.load_balancer(api.subnet(api.vpc()["id"], SUBNET), vip_address=VIP)
    reconciler.start()
    process = process_for(data_dir, lb["id"])
    first = wait_for(lambda: process.alive() and process.master_pid())
    for pid in [first, *_children(first)]:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: process.alive() and process.master_pid() != first)


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            children += [int(child) for child in listed.read().split()]
    return children
