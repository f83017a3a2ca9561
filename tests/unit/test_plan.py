"""The data-plane planner, played as situations in and actions out: no socket, no process.

Runtime commands are compared as the socket would send them (runtime_commands.text), so a test reads
like HAProxy's runtime API."""

from dataclasses import replace
from ipaddress import ip_address, ip_network

import pytest

from elbd.dataplane.haproxy_answers import LiveServer, parse_servers_state
from elbd.dataplane.model import AccessControl, Backend, Frontend, HealthCheck, LoadBalancerConfig, Persistence, PlacedServer, Server
from elbd.dataplane.plan import (
    ApplyMembers,
    Converge,
    Live,
    Rebuild,
    Reload,
    ReplaceAccessLists,
    Retire,
    Start,
    backend_commands,
    drain_wait_s,
    plan_access,
    plan_load_balancer,
    plan_members,
    runtime_commands,
)
from elbd.dataplane.runtime_commands import RuntimeCommand, accepted, text

CHECK = HealthCheck("TCP", interval_s=1, timeout_s=1, rise=2, fall=3)  # rise and fall apart: a swap shows
HOST = ip_address("127.0.0.1")
STATE = """1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
4 p1 1 m1 127.1.0.10 2 0 3 3 1 8 2 0 6 0 0 0 - 18081 - 0 0 - - 0
4 p1 2 m2 127.1.0.11 0 1 2 2 0 1 0 0 6 0 0 0 - 18082 - 0 0 - - 0
5 elbd-access-log-relay 1 elbd-agent - 2 0 1 1 0 1 0 2 0 0 0 0 - 0 - 0 0 - - 0
"""


def texts(commands: tuple[RuntimeCommand, ...] | list[RuntimeCommand]) -> list[str]:
    return [text(command) for command in commands]


def live(
    name: str, weight: int = 1, maintenance: bool = False, port: int = 80, backend: str = "p", since_s: int = 0, draining: bool = False
) -> LiveServer:
    return LiveServer(backend, name, HOST, port, weight, maintenance, since_s, draining)


def server(name: str, weight: int = 1, port: int = 80, held: bool = False) -> Server:
    return Server(name, HOST, port, weight, held)


# the whole load balancer

DESIRED = LoadBalancerConfig(
    "lb",
    100,
    frontends=(Frontend("l", (ip_address("127.20.0.2"),), 80, "http", backend="p"),),
    backends=(Backend("p", "http", "roundrobin", servers=(server("a"),)),),
)


@pytest.mark.parametrize(
    ("desired", "live_state", "skeleton", "expected"),
    [
        (None, Live(running=True, applied_skeleton="s"), "", Retire()),
        (None, Live(running=False), "", Retire()),
        (DESIRED, Live(running=False), "s", Start(DESIRED)),
        (DESIRED, Live(running=False, applied_skeleton="s"), "s", Start(DESIRED)),  # a skeleton on disk does not make a process
        (DESIRED, Live(running=True, applied_skeleton="old"), "s", Reload(DESIRED)),
        (DESIRED, Live(running=True, applied_skeleton=None), "s", Reload(DESIRED)),  # nothing known of what it runs
        (DESIRED, Live(running=True, applied_skeleton="s", servers=(live("a"),)), "s", Converge(DESIRED, ())),
    ],
    ids=["gone-running", "gone-stopped", "nothing-runs", "stale-skeleton-file", "skeleton-changed", "skeleton-unknown", "in-step"],
)
def test_a_whole_load_balancer_is_retired_started_reloaded_or_converged(
    desired: LoadBalancerConfig | None, live_state: Live, skeleton: str, expected: object
) -> None:
    assert plan_load_balancer(desired, live_state, skeleton) == expected


def test_converging_brings_the_servers_to_the_desired_ones() -> None:
    running = Live(running=True, applied_skeleton="s", servers=(live("a", weight=5), live("stale")))
    action = plan_load_balancer(DESIRED, running, "s")
    assert isinstance(action, Converge) and action.config == DESIRED
    assert texts(action.commands) == ["set server p/a weight 1", "disable server p/stale", "del server p/stale"]


# servers


def test_parse_servers_state() -> None:
    assert parse_servers_state(STATE) == [
        LiveServer("p1", "m1", ip_address("127.1.0.10"), 18081, 3, False, since_change_s=1),
        LiveServer("p1", "m2", ip_address("127.1.0.11"), 18082, 2, True, since_change_s=0),
    ]


def test_nothing_to_do_when_live_matches() -> None:
    assert backend_commands(Backend("p", "http", "roundrobin", servers=(server("a"),)), [live("a")]) == []


def test_a_new_checked_server_is_held_down_until_its_checks_pass() -> None:
    backend = Backend("p", "http", "roundrobin", check=CHECK, servers=(server("a", weight=4),))
    assert texts(backend_commands(backend, [])) == [
        "add server p/a 127.0.0.1:80 weight 4 check inter 1s rise 2 fall 3 on-marked-down shutdown-sessions",
        "enable health p/a",
        "enable server p/a; set server p/a health down",
    ]


def test_a_new_unchecked_server_is_enabled() -> None:
    backend = Backend("p", "tcp", "roundrobin", servers=(server("a"),))
    assert texts(backend_commands(backend, []))[-1] == "enable server p/a"


def test_weight_and_port_changes() -> None:
    backend = Backend("p", "http", "roundrobin", servers=(server("a", weight=0, port=81),))
    assert texts(backend_commands(backend, [live("a", weight=5)])) == ["set server p/a addr 127.0.0.1 port 81", "set server p/a weight 0"]


def test_source_balancing_keeps_weight_one() -> None:
    backend = Backend("p", "tcp", "source", servers=(server("a", weight=0),))
    assert backend_commands(backend, [live("a", weight=1)]) == []


def test_removed_server_is_drained_then_deleted() -> None:
    backend = Backend("p", "http", "roundrobin", check=CHECK)
    assert texts(backend_commands(backend, [live("gone")])) == ["disable server p/gone", "disable health p/gone", "del server p/gone"]
    assert texts(backend_commands(backend, [live("gone", maintenance=True)])) == ["disable health p/gone", "del server p/gone"]


def test_held_server_goes_to_maintenance_and_comes_back_checked() -> None:
    held = Backend("p", "http", "roundrobin", check=CHECK, servers=(server("a", held=True),))
    assert texts(backend_commands(held, [live("a")])) == ["disable server p/a"]
    released = Backend("p", "http", "roundrobin", check=CHECK, servers=(server("a"),))
    assert texts(backend_commands(released, [live("a", maintenance=True)])) == ["enable health p/a", "enable server p/a; set server p/a health down"]


def test_runtime_commands_cover_every_backend_and_are_idempotent() -> None:
    desired = LoadBalancerConfig("lb", 100, backends=(Backend("p", "tcp", "roundrobin", servers=(server("a"),)), Backend("q", "tcp", "roundrobin")))
    assert texts(runtime_commands(desired, [live("a"), LiveServer("q", "b", ip_address("127.0.0.2"), 80, 1, False)])) == [
        "disable server q/b",
        "del server q/b",
    ]
    assert runtime_commands(desired, [live("a")]) == []


# members only


def placed(name: str, weight: int = 1, port: int = 80, held: bool = False, backend: str = "p") -> PlacedServer:
    return PlacedServer(backend, server(name, weight, port, held))


def one_backend(*servers: Server, check: HealthCheck | None = None, balance: str = "roundrobin") -> LoadBalancerConfig:
    return LoadBalancerConfig("lb", 100, backends=(Backend("p", "http", balance, check=check, servers=servers), Backend("q", "tcp", "roundrobin")))


def applied(config: LoadBalancerConfig, changed: dict[str, PlacedServer | None]) -> ApplyMembers:
    action = plan_members(config, changed)
    assert isinstance(action, ApplyMembers)
    return action


def test_a_member_add_holds_a_checked_server_down_and_the_config_follows() -> None:
    config = one_backend(server("a"), check=CHECK)
    action = applied(config, {"b": placed("b", weight=3)})
    assert texts(action.commands) == [
        "add server p/b 127.0.0.1:80 weight 3 check inter 1s rise 2 fall 3 on-marked-down shutdown-sessions",
        "enable health p/b",
        "enable server p/b; set server p/b health down",
    ]
    assert [one.name for one in action.config.backend("p").servers] == ["a", "b"]  # type: ignore[union-attr]
    assert action.config.backend("q") is config.backend("q")


def test_a_member_update_changes_weight_and_port_in_place_weight_zero_included() -> None:
    action = applied(one_backend(server("a"), server("b")), {"a": placed("a", weight=0, port=81)})
    assert texts(action.commands) == ["set server p/a addr 127.0.0.1 port 81", "set server p/a weight 0"]
    assert action.config.backend("p").servers == (server("a", weight=0, port=81), server("b"))  # type: ignore[union-attr]


def test_a_member_added_or_updated_with_weight_zero_keeps_weight_zero() -> None:
    added = applied(one_backend(server("a")), {"b": placed("b", weight=0)})
    assert texts(added.commands) == ["add server p/b 127.0.0.1:80 weight 0", "enable server p/b"]
    assert added.config.backend("p").servers[1].weight == 0  # type: ignore[union-attr]
    updated = applied(one_backend(server("a", weight=5)), {"a": placed("a", weight=0)})
    assert texts(updated.commands) == ["set server p/a weight 0"]
    assert updated.config.backend("p").servers == (server("a", weight=0),)  # type: ignore[union-attr]


def test_members_are_drained_and_released() -> None:
    config = one_backend(server("a"), check=CHECK)
    held = applied(config, {"a": placed("a", held=True)})
    assert texts(held.commands) == ["disable server p/a"]
    released = applied(held.config, {"a": placed("a")})
    assert texts(released.commands) == ["enable health p/a", "enable server p/a; set server p/a health down"]
    assert texts(applied(config, {"b": placed("b", held=True)}).commands) == ["add server p/b 127.0.0.1:80 weight 1 check inter 1s rise 2 fall 3 on-marked-down shutdown-sessions"]


def test_a_gone_member_is_deleted_and_one_never_applied_ignored() -> None:
    config = one_backend(server("a"), server("h", held=True), check=CHECK)
    action = applied(config, {"a": None, "h": None, "never": None})
    assert texts(action.commands) == ["disable server p/a", "disable health p/a", "del server p/a", "disable health p/h", "del server p/h"]
    assert action.config.backend("p").servers == ()  # type: ignore[union-attr]


def test_a_member_moved_to_another_pool_leaves_the_first() -> None:
    config = one_backend(server("a"))
    action = applied(config, {"a": placed("a", backend="q")})
    assert texts(action.commands) == ["disable server p/a", "del server p/a", "add server q/a 127.0.0.1:80 weight 1", "enable server q/a"]
    assert action.config.backend("p").servers == () and action.config.backend("q").servers == (server("a"),)  # type: ignore[union-attr]


def test_member_plans_are_idempotent_and_keep_source_weights_at_one() -> None:
    action = applied(one_backend(server("a"), balance="source"), {"a": placed("a", weight=7)})
    assert action.commands == ()
    assert action.config.backend("p").servers[0].weight == 7  # type: ignore[union-attr]
    assert applied(action.config, {"a": placed("a", weight=7)}).commands == ()


def test_a_member_of_a_pool_the_running_config_lacks_needs_a_rebuild() -> None:
    assert plan_members(one_backend(), {"a": placed("a", backend="unknown")}) == Rebuild()


def test_answers() -> None:
    assert accepted("") and accepted("New server registered.") and accepted("Server deleted.")
    assert accepted("no need to change the addr, port changed from '2' to '9' by 'stats socket command'")
    assert not accepted("No such server.") and not accepted("Server still has connections attached to it, cannot remove it.")


# connection draining: a removed or held server's connections end by the pool's drain timeout

DRAINED = Backend("p", "http", "roundrobin", drain_s=30)


@pytest.mark.parametrize(
    ("backend", "existing", "expected"),
    [
        (DRAINED, live("gone"), ["disable server p/gone", "del server p/gone"]),  # just removed: in maintenance first
        (DRAINED, live("gone", maintenance=True, since_s=29), ["del server p/gone"]),  # retried: still within the timeout
        (DRAINED, live("gone", maintenance=True, since_s=30), ["shutdown sessions server p/gone", "del server p/gone"]),
        (Backend("p", "http", "roundrobin"), live("gone", maintenance=True, since_s=4000), ["del server p/gone"]),  # no drain: they finish
    ],
    ids=["removed", "within-timeout", "timeout-passed", "no-drain"],
)
def test_a_removed_server_drains_until_the_timeout(backend: Backend, existing: LiveServer, expected: list[str]) -> None:
    assert texts(backend_commands(backend, [existing])) == expected


def test_a_held_server_of_a_draining_pool_loses_its_connections_at_the_timeout() -> None:
    held = Backend("p", "http", "roundrobin", drain_s=30, servers=(server("a", held=True),))
    assert texts(backend_commands(held, [live("a", maintenance=True, since_s=10)])) == []
    assert texts(backend_commands(held, [live("a", maintenance=True, since_s=31)])) == ["shutdown sessions server p/a"]


def test_the_drain_timeout_bounds_the_workers_a_reload_replaces() -> None:
    assert DESIRED.hard_stop_after_s == 30
    longest = LoadBalancerConfig("lb", 100, backends=(DRAINED, Backend("q", "tcp", "roundrobin", drain_s=600)))
    assert longest.hard_stop_after_s == 600


# cookie persistence: HAProxy 2.6 gives no cookie to a server added at runtime, so a reload adds it

COOKIES = Backend("p", "http", "roundrobin", persistence=Persistence("cookie", idle_timeout_min=60), servers=(server("a"), server("b")))
COOKIE_LB = LoadBalancerConfig("lb", 100, backends=(COOKIES,))


@pytest.mark.parametrize(
    ("backend", "live_servers", "expected"),
    [
        (COOKIES, (live("a"), live("b")), Converge(COOKIE_LB, ())),
        (COOKIES, (live("a"),), Reload(COOKIE_LB)),  # b is new: a reload adds it
        (COOKIES, (live("a"), live("b"), live("c")), None),  # c goes through the runtime API, as anywhere
    ],
    ids=["in-step", "new-member", "removed-member"],
)
def test_a_new_member_of_a_cookie_pool_comes_with_a_reload(backend: Backend, live_servers: tuple[LiveServer, ...], expected: object) -> None:
    action = plan_load_balancer(COOKIE_LB, Live(running=True, applied_skeleton="s", servers=live_servers), "s")
    if expected is None:
        assert isinstance(action, Converge) and texts(action.commands) == ["disable server p/c", "del server p/c"]
    else:
        assert action == expected


def test_a_new_unchecked_member_of_a_slow_start_cookie_pool_is_loaded_held_and_enabled_after() -> None:
    slow = LoadBalancerConfig("lb", 100, backends=(Backend("p", "http", "roundrobin", persistence=Persistence("cookie"), slowstart_s=30,
                                                           servers=(server("a"), server("b"))),))
    action = plan_load_balancer(slow, Live(running=True, applied_skeleton="s", servers=(live("a"),)), "s")
    assert action == Reload(slow, ramped=(("p", "b"),))
    [backend] = slow.holding(action.ramped).backends
    assert [one.held for one in backend.servers] == [False, True]


def test_member_changes_of_a_cookie_pool() -> None:
    """A new member needs a rebuild (a reload); a weight change or a removal goes through the runtime API."""
    assert plan_members(COOKIE_LB, {"c": PlacedServer("p", server("c"))}) == Rebuild()
    weighed = plan_members(COOKIE_LB, {"a": PlacedServer("p", server("a", weight=5))})
    assert isinstance(weighed, ApplyMembers) and texts(weighed.commands) == ["set server p/a weight 5"]
    removed = plan_members(COOKIE_LB, {"b": None})
    assert isinstance(removed, ApplyMembers) and texts(removed.commands) == ["disable server p/b", "del server p/b"]


def test_a_new_member_of_a_slow_start_pool_is_added_and_enabled_so_it_ramps() -> None:
    slow = Backend("p", "http", "roundrobin", slowstart_s=60, servers=(server("a"),))
    assert texts(backend_commands(slow, [])) == ["add server p/a 127.0.0.1:80 weight 1 slowstart 60s", "enable server p/a"]


@pytest.mark.parametrize(
    ("servers", "live_servers", "expected"),
    [
        ((server("a", held=True),), [live("a")], 30),  # held now: the whole timeout ahead
        ((server("a", held=True),), [live("a", maintenance=True, since_s=12)], 18),
        ((server("a", held=True), server("b", held=True)), [live("a", maintenance=True, since_s=5), live("b", maintenance=True, since_s=20)], 10),
        ((server("a", held=True),), [live("a", maintenance=True, since_s=30)], None),  # passed: this round closes them
        ((server("a"),), [live("a")], None),
        ((server("a", held=True),), [], None),  # not in the process: nothing to close
    ],
    ids=["held-now", "held-earlier", "the-first-deadline", "passed", "serving", "absent"],
)
def test_a_round_comes_when_a_held_members_drain_timeout_passes(servers: tuple[Server, ...], live_servers: list[LiveServer], expected: int | None) -> None:
    config = LoadBalancerConfig("lb", 100, backends=(Backend("p", "http", "roundrobin", drain_s=30, servers=servers),))
    assert drain_wait_s(config, live_servers) == expected
    undrained = LoadBalancerConfig("lb", 100, backends=(Backend("p", "http", "roundrobin", servers=servers),))
    assert drain_wait_s(undrained, live_servers) is None


@pytest.mark.parametrize(
    ("wanted", "existing", "expected"),
    [
        (server("a", weight=0), live("a", weight=5), ["set server p/a weight 0", "set server p/a state drain"]),  # the clock starts
        (server("a", weight=0), live("a", weight=0, draining=True, since_s=29), []),
        (server("a", weight=0), live("a", weight=0, draining=True, since_s=30), ["shutdown sessions server p/a"]),
        (server("a", weight=2), live("a", weight=0, draining=True, since_s=3), ["set server p/a weight 2", "set server p/a state ready"]),
        (server("a", weight=0, held=True), live("a", weight=0, maintenance=True, draining=True), []),  # held: maintenance decides
    ],
    ids=["zeroed", "within-timeout", "timeout-passed", "weighed-again", "held"],
)
def test_a_weight_zero_member_of_a_draining_pool_drains_until_the_timeout(wanted: Server, existing: LiveServer, expected: list[str]) -> None:
    assert texts(backend_commands(Backend("p", "http", "roundrobin", drain_s=30, servers=(wanted,)), [existing])) == expected


def test_weight_zero_without_draining_only_stops_new_requests() -> None:
    assert texts(backend_commands(Backend("p", "http", "roundrobin", servers=(server("a", weight=0),)), [live("a", weight=5)])) == [
        "set server p/a weight 0"
    ]
    undrained = Backend("p", "http", "roundrobin", servers=(server("a", weight=0),))  # the pool stopped draining
    assert texts(backend_commands(undrained, [live("a", weight=0, draining=True)])) == ["set server p/a state ready"]


def test_a_weight_zero_member_through_member_changes_is_drained_once() -> None:
    """plan_members models the running servers from the configuration: a weight-0 member of a draining
    pool already drains, so another change does not restart its clock."""
    running = LoadBalancerConfig("lb", 100, backends=(Backend("p", "http", "roundrobin", drain_s=30, servers=(server("a", weight=0),)),))
    assert texts(plan_members(running, {"a": PlacedServer("p", server("a", weight=0, port=81))}).commands) == [  # type: ignore[union-attr]
        "set server p/a addr 127.0.0.1 port 81"
    ]
    assert drain_wait_s(running, [live("a", weight=0, draining=True, since_s=10)]) == 20


# access lists: a change of IP address groups' entries


def _access(kind: str, *networks: str) -> AccessControl:
    return AccessControl(kind, tuple(ip_network(one) for one in networks))


def _guarded(**access: AccessControl | None) -> LoadBalancerConfig:
    return replace(DESIRED, frontends=tuple(
        Frontend(name, (ip_address("127.20.0.2"),), 80 + index, "http", backend="p", access=one) for index, (name, one) in enumerate(access.items())
    ))


def test_new_entries_replace_only_the_lists_that_differ() -> None:
    running = _guarded(l1=_access("white", "10.0.0.1/32"), l2=_access("black", "10.0.0.2/32"), l3=None)
    action = plan_access(running, {"l1": _access("white", "10.0.0.0/24"), "l2": _access("black", "10.0.0.2/32")})
    assert isinstance(action, ReplaceAccessLists)
    assert action.frontends == ("l1",)
    assert action.config == _guarded(l1=_access("white", "10.0.0.0/24"), l2=_access("black", "10.0.0.2/32"), l3=None)


@pytest.mark.parametrize("changed", [
    {"l1": None},  # the access control went (switched off, or the listener is gone): the rule leaves the skeleton
    {"l1": _access("black", "10.0.0.1/32")},  # another kind: another rule
    {"l3": _access("white", "10.0.0.1/32")},  # access control came: a rule to add
    {"l9": _access("white", "10.0.0.1/32")},  # a listener the process does not serve (a UDP one, or one left out)
])
def test_what_changes_the_skeleton_needs_a_rebuild(changed: dict[str, AccessControl | None]) -> None:
    running = _guarded(l1=_access("white", "10.0.0.1/32"), l3=None)
    assert plan_access(running, changed) == Rebuild()
