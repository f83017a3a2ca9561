"""Desired servers vs live servers -> runtime API commands."""

from ipaddress import ip_address

from elbd.dataplane.diff import (
    LiveServer,
    accepted,
    backend_commands,
    deleted_backend,
    member_plan,
    parse_servers_state,
    runtime_commands,
)
from elbd.dataplane.model import Backend, HealthCheck, LoadBalancerConfig, PlacedServer, Server

CHECK = HealthCheck("TCP", interval_s=1, timeout_s=1, rise=2, fall=2)
STATE = """1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
4 p1 1 m1 127.1.0.10 2 0 3 3 1 8 2 0 6 0 0 0 - 18081 - 0 0 - - 0
4 p1 2 m2 127.1.0.11 0 1 2 2 0 1 0 0 6 0 0 0 - 18082 - 0 0 - - 0
"""


def live(name: str, weight: int = 1, maintenance: bool = False, port: int = 80) -> LiveServer:
    return LiveServer("p", name, ip_address("127.0.0.1"), port, weight, maintenance)


def test_parse_servers_state() -> None:
    assert parse_servers_state(STATE) == [
        LiveServer("p1", "m1", ip_address("127.1.0.10"), 18081, 3, False),
        LiveServer("p1", "m2", ip_address("127.1.0.11"), 18082, 2, True),
    ]


def test_nothing_to_do_when_live_matches() -> None:
    backend = Backend("p", "http", "roundrobin", servers=(Server("a", ip_address("127.0.0.1"), 80, 1),))
    assert backend_commands(backend, [live("a")]) == []


def test_a_new_checked_server_is_held_down_until_its_checks_pass() -> None:
    backend = Backend("p", "http", "roundrobin", check=CHECK, servers=(Server("a", ip_address("127.0.0.1"), 80, 4),))
    assert backend_commands(backend, []) == [
        "add server p/a 127.0.0.1:80 weight 4 check inter 1s rise 2 fall 2",
        "enable health p/a",
        "enable server p/a; set server p/a health down",
    ]


def test_a_new_unchecked_server_is_enabled() -> None:
    backend = Backend("p", "tcp", "roundrobin", servers=(Server("a", ip_address("127.0.0.1"), 80, 1),))
    assert backend_commands(backend, [])[-1] == "enable server p/a"


def test_weight_and_port_changes() -> None:
    backend = Backend("p", "http", "roundrobin", servers=(Server("a", ip_address("127.0.0.1"), 81, 0),))
    assert backend_commands(backend, [live("a", weight=5)]) == ["set server p/a addr 127.0.0.1 port 81", "set server p/a weight 0"]


def test_source_balancing_keeps_weight_one() -> None:
    backend = Backend("p", "tcp", "source", servers=(Server("a", ip_address("127.0.0.1"), 80, 0),))
    assert backend_commands(backend, [live("a", weight=1)]) == []


def test_removed_server_is_drained_then_deleted() -> None:
    backend = Backend("p", "http", "roundrobin", check=CHECK)
    assert backend_commands(backend, [live("gone")]) == ["disable server p/gone", "disable health p/gone", "del server p/gone"]
    assert backend_commands(backend, [live("gone", maintenance=True)]) == ["disable health p/gone", "del server p/gone"]


def test_held_server_goes_to_maintenance_and_comes_back_checked() -> None:
    held = Backend("p", "http", "roundrobin", check=CHECK, servers=(Server("a", ip_address("127.0.0.1"), 80, 1, held=True),))
    assert backend_commands(held, [live("a")]) == ["disable server p/a"]
    released = Backend("p", "http", "roundrobin", check=CHECK, servers=(Server("a", ip_address("127.0.0.1"), 80, 1),))
    assert backend_commands(released, [live("a", maintenance=True)]) == ["enable health p/a", "enable server p/a; set server p/a health down"]


def test_runtime_commands_cover_every_backend_and_are_idempotent() -> None:
    desired = LoadBalancerConfig(
        "lb", 100, backends=(Backend("p", "tcp", "roundrobin", servers=(Server("a", ip_address("127.0.0.1"), 80, 1),)), Backend("q", "tcp", "roundrobin"))
    )
    assert runtime_commands(desired, [live("a"), LiveServer("q", "b", ip_address("127.0.0.2"), 80, 1, False)]) == [
        "disable server q/b",
        "del server q/b",
    ]
    assert runtime_commands(desired, [live("a")]) == []


def placed(name: str, weight: int = 1, port: int = 80, held: bool = False, backend: str = "p") -> PlacedServer:
    return PlacedServer(backend, Server(name, ip_address("127.0.0.1"), port, weight, held))


def one_backend(*servers: Server, check: HealthCheck | None = None, balance: str = "roundrobin") -> LoadBalancerConfig:
    return LoadBalancerConfig("lb", 100, backends=(Backend("p", "http", balance, check=check, servers=servers), Backend("q", "tcp", "roundrobin")))


def test_member_plan_adds_a_checked_server_held_down_and_caches_it() -> None:
    config = one_backend(Server("a", ip_address("127.0.0.1"), 80, 1), check=CHECK)
    plan = member_plan(config, {"b": placed("b", weight=3)})
    assert plan is not None
    assert plan.commands == [
        "add server p/b 127.0.0.1:80 weight 3 check inter 1s rise 2 fall 2",
        "enable health p/b",
        "enable server p/b; set server p/b health down",
    ]
    assert [server.name for server in plan.config.backend("p").servers] == ["a", "b"]
    assert plan.config.backend("q") is config.backend("q")


def test_member_plan_changes_weight_and_port_in_place() -> None:
    config = one_backend(Server("a", ip_address("127.0.0.1"), 80, 1), Server("b", ip_address("127.0.0.1"), 80, 1))
    plan = member_plan(config, {"a": placed("a", weight=0, port=81)})
    assert plan is not None
    assert plan.commands == ["set server p/a addr 127.0.0.1 port 81", "set server p/a weight 0"]
    assert plan.config.backend("p").servers == (Server("a", ip_address("127.0.0.1"), 81, 0), Server("b", ip_address("127.0.0.1"), 80, 1))


def test_member_plan_drains_and_releases_held_servers() -> None:
    config = one_backend(Server("a", ip_address("127.0.0.1"), 80, 1), check=CHECK)
    held = member_plan(config, {"a": placed("a", held=True)})
    assert held is not None and held.commands == ["disable server p/a"]
    released = member_plan(held.config, {"a": placed("a")})
    assert released is not None and released.commands == ["enable health p/a", "enable server p/a; set server p/a health down"]
    added_held = member_plan(config, {"b": placed("b", held=True)})
    assert added_held is not None and added_held.commands == ["add server p/b 127.0.0.1:80 weight 1 check inter 1s rise 2 fall 2"]


def test_member_plan_deletes_a_gone_member_and_ignores_one_never_applied() -> None:
    config = one_backend(Server("a", ip_address("127.0.0.1"), 80, 1), Server("h", ip_address("127.0.0.1"), 80, 1, held=True), check=CHECK)
    plan = member_plan(config, {"a": None, "h": None, "never": None})
    assert plan is not None
    assert plan.commands == ["disable server p/a", "disable health p/a", "del server p/a", "disable health p/h", "del server p/h"]
    assert plan.config.backend("p").servers == ()


def test_member_plan_is_idempotent_and_keeps_source_weights_at_one() -> None:
    config = one_backend(Server("a", ip_address("127.0.0.1"), 80, 1), balance="source")
    plan = member_plan(config, {"a": placed("a", weight=7)})
    assert plan is not None and plan.commands == []
    assert plan.config.backend("p").servers[0].weight == 7
    assert member_plan(plan.config, {"a": placed("a", weight=7)}).commands == []  # type: ignore[union-attr]


def test_member_plan_needs_a_rebuild_for_an_unknown_backend() -> None:
    assert member_plan(one_backend(), {"a": placed("a", backend="unknown")}) is None


def test_answers_and_deletions() -> None:
    assert accepted("") and accepted("New server registered.") and accepted("Server deleted.")
    assert accepted("no need to change the addr, port changed from '2' to '9' by 'stats socket command'")
    assert not accepted("No such server.") and not accepted("Server still has connections attached to it, cannot remove it.")
    assert deleted_backend("del server p/a") == "p" and deleted_backend("disable server p/a") is None
