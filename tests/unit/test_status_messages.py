"""What the data plane's status shows a tenant: never the host's file paths."""

import pytest

from elbd.dataplane.status_messages import MAX_LENGTH, for_tenants


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "[ALERT]    (4242) : config : parsing [/var/lib/elbd/data/haproxy/lb-1/haproxy.cfg.new:52] : unknown keyword 'x'",
            "[ALERT]    (4242) : config : parsing [haproxy.cfg.new:52] : unknown keyword 'x'",
        ),
        ("the directory /tmp/elbd-0a1b2c3d4e5f/lb-1 belongs to user 1001", "the directory lb-1 belongs to user 1001"),
        ("Starting frontend l-1: cannot bind socket (Address already in use) [127.20.0.2:80]", "Starting frontend l-1: cannot bind socket (Address already in use) [127.20.0.2:80]"),
        ("HAProxy died during the reload", "HAProxy died during the reload"),
    ],
)
def test_paths_are_cut_to_their_last_part(message: str, shown: str) -> None:
    assert for_tenants(message) == shown


def test_a_long_message_is_cut() -> None:
    assert len(for_tenants("x" * 5000)) == MAX_LENGTH
