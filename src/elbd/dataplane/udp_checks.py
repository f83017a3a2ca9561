"""UDP_CONNECT checks' decisions, pure: a probe's outcome -> a member's check state and health.

A probe sends a datagram on a connected UDP socket and waits up to the monitor's timeout: an ICMP
port-unreachable (ECONNREFUSED) fails it with CONNECT_REFUSED, any other socket error with
CONNECT_FAILED; an answer or silence passes it. So a host that is off, or drops datagrams, looks up:
the method proves only that a port is closed (Octavia's and keepalived's UDP checks share this limit).
`rise` passes in a row bring a member that is down back (ONLINE), `fall` failures in a row take it out.
"""

from dataclasses import dataclass, replace

from elbd.dataplane.udp_model import UdpCheck
from elbd.store.dataplane import NO_RESULT, MemberHealth

REFUSED = "CONNECT_REFUSED"
FAILED = "CONNECT_FAILED"


@dataclass(frozen=True)
class CheckState:
    in_traffic: bool = True  # a new member takes traffic until its checks fail (silence cannot prove it up)
    passes: int = 0  # in a row
    failures: int = 0  # in a row
    health: MemberHealth = NO_RESULT  # what the member's status says (INITIAL until `rise` passes or `fall` failures)


def starting_state(passed: bool | None) -> CheckState:
    """A member met for the first time: `passed` is what the store last said (None: no result yet)."""
    if passed is False:
        return CheckState(in_traffic=False)
    return CheckState()


def after_probe(state: CheckState, failure: str | None, check: UdpCheck) -> CheckState:
    """The state after a probe that passed (failure None) or failed with that reason code."""
    if failure is None:
        passes = state.passes + 1
        in_traffic = state.in_traffic or passes >= check.rise
        health = MemberHealth("ONLINE") if passes >= check.rise else state.health
        return replace(state, in_traffic=in_traffic, passes=passes, failures=0, health=health)
    failures = state.failures + 1
    in_traffic = state.in_traffic and failures < check.fall
    health = state.health if in_traffic else MemberHealth("OFFLINE", failure)
    return replace(state, in_traffic=in_traffic, passes=0, failures=failures, health=health)


def failure_of(error: OSError | None) -> str | None:
    """A probe's socket error as a reason code (None: no error, it passed)."""
    if error is None:
        return None
    return REFUSED if isinstance(error, ConnectionRefusedError) else FAILED
