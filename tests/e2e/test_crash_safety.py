"""kill -9 of `elbd serve` in the middle of batch-adds: each batch is stored whole or not at all, an
acknowledged batch survives, and the database passes SQLite's integrity check after every kill.

The server runs with ELBD_SQLITE_SYNCHRONOUS=NORMAL, the weaker setting: FULL only adds an fsync per
commit, which matters on power loss, not when the process dies."""

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import postgres
from tests.conftest import LiveServer, free_port
from tests.e2e.test_cli import call, token

pytestmark = postgres.sqlite_only("the kills are timed by SQLite's write lock seen held in its file, and the file gets SQLite's integrity check")

BATCH_SIZE = 200  # the API's largest batch
SUBNET_CIDR = "127.40.0.0/16"
HELD_LOCK_S = 0.03  # how long the batch's write transaction must be seen open before the kill
# Kills of two batches sent together, after these fractions of one acknowledged batch's duration:
# early (during the first one's transaction) and late (its commit, or the second one's transaction).
KILL_AFTER_BATCH_FRACTIONS = (0.3, 1.2)


class Drill:
    """A project's pool on a live server, and batch-adds told apart by their members' third octet."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        credentials = json.loads(server.elbd("project", "create", "crash"))
        self.project_id = credentials["project_id"]
        for resource in ("member", "members_per_pool"):
            server.elbd("quota", "set", self.project_id, resource, "-1")
        server.start()
        self.auth = token(server, credentials)
        vpc = self.call("POST", "/v1/{p}/vpcs", {"vpc": {"name": "v", "cidr": "127.0.0.0/8"}})["vpc"]
        self.subnet = self.call("POST", "/v1/{p}/subnets", {"subnet": {"name": "s", "cidr": SUBNET_CIDR, "vpc_id": vpc["id"]}})["subnet"]
        lb_body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": self.subnet["neutron_subnet_id"]}}
        lb = self.call("POST", "/v3/{p}/elb/loadbalancers", lb_body, status=201)["loadbalancer"]
        pool_body = {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": lb["id"]}}
        self.pool_id = self.call("POST", "/v3/{p}/elb/pools", pool_body, status=201)["pool"]["id"]
        self.senders = ThreadPoolExecutor(max_workers=2)

    @property
    def database(self) -> Path:
        return self.server.data_dir / "elbd.db"

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> dict[str, Any]:
        return call(self.server, self.auth, method, path.format(p=self.project_id), body, status)

    def send_batch(self, batch: int) -> "Future[httpx.Response]":
        members = [
            {"address": f"127.40.{batch}.{host}", "protocol_port": 80, "subnet_cidr_id": self.subnet["neutron_subnet_id"]}
            for host in range(1, BATCH_SIZE + 1)
        ]
        url = f"{self.server.url}/v3/{self.project_id}/elb/pools/{self.pool_id}/members/batch-add"
        return self.senders.submit(httpx.post, url, json={"members": members}, headers={"X-Auth-Token": self.auth}, timeout=60)

    def listed_per_batch(self) -> Counter[int]:
        listed = self.call("GET", "/v3/{p}/elb/pools/" + self.pool_id + "/members?limit=2000")["members"]
        return Counter(int(member["address"].split(".")[2]) for member in listed)


def read_only(database: Path) -> sqlite3.Connection:
    # Closing a writable connection would checkpoint the WAL and spare the restarted server its recovery.
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def stored_per_batch(database: Path) -> Counter[int]:
    with closing(read_only(database)) as connection:
        return Counter(int(address.split(".")[2]) for (address,) in connection.execute("SELECT address FROM members"))


def integrity(database: Path) -> list[str]:
    with closing(read_only(database)) as connection:
        return [finding for (finding,) in connection.execute("PRAGMA integrity_check")]


def write_lock_held(database: Path) -> bool:
    """Whether another connection has a write transaction open (BEGIN IMMEDIATE cannot start at once)."""
    with closing(sqlite3.connect(database, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        probe.execute("ROLLBACK")
        return False


def wait_for_open_transaction(database: Path, sent: "Future[httpx.Response]") -> None:
    """Return once a write transaction has stayed open HELD_LOCK_S: the batch's, which checks and
    inserts 200 members in it while nothing else writes. Fails if the request ends first."""
    held_since: float | None = None
    while not sent.done():
        if not write_lock_held(database):
            held_since = None
        elif held_since is None:
            held_since = time.monotonic()
        elif time.monotonic() - held_since >= HELD_LOCK_S:
            return
        time.sleep(0.001)
    pytest.fail(f"the batch-add ended before its transaction was seen open: {sent.result().status_code}")


@pytest.fixture
def drill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Drill]:
    monkeypatch.setenv("ELBD_SQLITE_SYNCHRONOUS", "NORMAL")
    server = LiveServer(tmp_path / "live-data", free_port())
    try:
        yield Drill(server)
    finally:
        server.stop()


def test_batch_adds_cut_by_kill_9_are_all_or_nothing(drill: Drill) -> None:
    started = time.monotonic()
    acknowledged = drill.send_batch(1).result()
    assert acknowledged.status_code == 200, acknowledged.text
    batch_duration = time.monotonic() - started
    cut = drill.send_batch(2)
    wait_for_open_transaction(drill.database, cut)
    drill.server.kill()
    with pytest.raises(httpx.HTTPError):
        cut.result()
    assert integrity(drill.database) == ["ok"]
    assert stored_per_batch(drill.database) == {1: BATCH_SIZE}, "batch 1 was acknowledged; batch 2's transaction was open at the kill"

    batches = iter(range(3, 3 + 2 * len(KILL_AFTER_BATCH_FRACTIONS)))
    for fraction in KILL_AFTER_BATCH_FRACTIONS:
        drill.server.start()
        sent = [drill.send_batch(next(batches)), drill.send_batch(next(batches))]
        time.sleep(fraction * batch_duration)
        drill.server.kill()
        for request in sent:
            request.exception()  # wait for the request to end, answered or cut
        assert integrity(drill.database) == ["ok"]

    stored = stored_per_batch(drill.database)
    assert all(count == BATCH_SIZE for count in stored.values()), f"members stored per batch: {dict(stored)}"
    assert set(stored) <= set(range(1, 3 + 2 * len(KILL_AFTER_BATCH_FRACTIONS))) and stored[1] == BATCH_SIZE and 2 not in stored
    drill.server.start()
    assert drill.listed_per_batch() == stored
