"""The access-log receiver's warnings: a tenant's traffic can overrun its ring again and again, and each
overrun is counted, but the agent's log gets one warning a minute for that load balancer."""

import logging
from pathlib import Path

import pytest

from elbd.dataplane.access_log_receiver import LINES_LOST, AccessLogReceiver
from elbd.dataplane.access_log_stream import AccessLogStream
from elbd.metrics.registry import Registry


def test_a_ring_overrun_again_and_again_is_counted_every_time_and_warned_about_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    metrics = Registry()
    receiver = AccessLogReceiver(tmp_path / "receiver.sock", tmp_path, 1 << 20, 2, metrics)
    with caplog.at_level(logging.WARNING, logger="elbd.dataplane.access_log_receiver"):
        for _ in range(100):
            receiver._count_lost(AccessLogStream(8192, load_balancer_id="lb-1", dropped_by_haproxy=5))
        receiver._count_lost(AccessLogStream(8192, load_balancer_id="lb-2", dropped_by_haproxy=1))
    assert metrics.snapshot().counters[(LINES_LOST.name, (("reason", "ring_full"),))] == 501
    assert [record.getMessage() for record in caplog.records] == [
        "access log of load balancer lb-1: HAProxy dropped 5 line(s), its ring full",
        "access log of load balancer lb-2: HAProxy dropped 1 line(s), its ring full",
    ]
