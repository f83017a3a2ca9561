"""A UDP member's health that could not be saved is forgotten, so the next probe finds the change
again and saves it, instead of the store keeping the old status until the member changes once more."""

from collections.abc import Mapping
from concurrent.futures import Future
from ipaddress import ip_address
from pathlib import Path

from elbd.dataplane.nginx_engine import NginxEngine
from elbd.dataplane.udp_checks import CheckState
from elbd.dataplane.udp_model import UdpCheck, UdpMember
from elbd.store.dataplane import MemberHealth

MEMBER = UdpMember("m-1", ip_address("127.20.0.10"), 5300, 1)
CHECK = UdpCheck(interval_s=1, timeout_s=1, rise=1, fall=1)


def refused() -> "Future[OSError | None]":
    done: Future[OSError | None] = Future()
    done.set_result(ConnectionRefusedError())
    return done


def test_a_health_change_that_was_not_saved_is_found_again_by_the_next_probe(tmp_path: Path) -> None:
    engine = NginxEngine(tmp_path, None)
    saved: list[Mapping[str, MemberHealth]] = []
    failing = [True]

    def save(changes: Mapping[str, MemberHealth]) -> None:
        if failing[0]:
            raise OSError("the database is gone for a moment")
        saved.append(dict(changes))

    engine.on_health = save
    engine._states["lb-1"] = {MEMBER.name: CheckState(health=MemberHealth("ONLINE"))}
    engine._judged("lb-1", MEMBER, CHECK, refused())
    assert engine._states["lb-1"][MEMBER.name].health == MemberHealth("ONLINE")  # forgotten
    failing[0] = False
    engine._judged("lb-1", MEMBER, CHECK, refused())
    assert saved == [{MEMBER.name: MemberHealth("OFFLINE", "CONNECT_REFUSED")}]
    engine._pool.shutdown()
