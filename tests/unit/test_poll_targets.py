"""What one pass of the health poller visits, decided without sockets: load balancers with a checked
pool (or a server still being deleted) are read; of the others, only those whose process the exit
watch does not cover are looked at, for liveness; the rest cost nothing while nothing changes."""

from elbd.dataplane.model import Backend, HealthCheck, LoadBalancerConfig
from elbd.dataplane.reconciler import Served, poll_targets, polled_backends

CHECK = HealthCheck("TCP", interval_s=1, timeout_s=1, rise=1, fall=1)


def served(*backends: Backend, undeleted_in: frozenset[str] = frozenset()) -> Served:
    return Served(LoadBalancerConfig("lb", 100, backends=backends), undeleted_in=undeleted_in)


PLAIN = served(Backend("p", "http", "roundrobin"))
CHECKED = served(Backend("p", "http", "roundrobin"), Backend("q", "http", "roundrobin", check=CHECK))
DELETING = served(Backend("p", "http", "roundrobin"), undeleted_in=frozenset({"p"}))


def test_only_checked_backends_and_those_still_deleting_a_server_are_read() -> None:
    assert polled_backends(PLAIN) == []
    assert [backend.name for backend in polled_backends(CHECKED)] == ["q"]
    assert [backend.name for backend in polled_backends(DELETING)] == ["p"]


def test_a_watched_load_balancer_without_checks_is_not_visited() -> None:
    assert poll_targets({"a": PLAIN, "b": PLAIN}, watched={"a", "b"}) == ([], [])


def test_checked_load_balancers_are_read_watched_or_not() -> None:
    assert poll_targets({"a": CHECKED, "b": DELETING, "c": PLAIN}, watched={"a", "c"}) == (["a", "b"], [])


def test_an_unwatched_load_balancer_is_looked_at_for_liveness_only() -> None:
    # nothing watches "b": its process exited and no round has watched a new one, or no pidfd could be opened
    assert poll_targets({"a": PLAIN, "b": PLAIN, "c": CHECKED}, watched={"a"}) == (["c"], ["b"])


def test_a_thousand_quiet_load_balancers_cost_no_visit() -> None:
    many = {f"lb-{number}": PLAIN for number in range(1000)}
    assert poll_targets(many, watched=set(many)) == ([], [])
