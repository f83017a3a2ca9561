"""The server-state file a (re)starting HAProxy loads: checked servers DOWN from the first instant
unless they passed their checks; live state kept where the running process has it."""

from ipaddress import ip_address

from elbd.dataplane.model import Backend, HealthCheck, LoadBalancerConfig, Server
from elbd.dataplane.server_state import HEADER, state_file

CHECK = HealthCheck("HTTP", 2, 1, rise=2, fall=3)


def config() -> LoadBalancerConfig:
    checked = Backend(
        "p-1",
        "http",
        "roundrobin",
        check=CHECK,
        servers=(Server("m-1", ip_address("127.20.0.10"), 8080, 5), Server("m-2", ip_address("fd00::10"), 80, 0)),
    )
    source = Backend("p-2", "tcp", "source", check=CHECK, servers=(Server("m-3", ip_address("127.20.0.11"), 81, 9),))
    unchecked = Backend("p-3", "tcp", "roundrobin", servers=(Server("m-4", ip_address("127.20.0.12"), 82, 1),))
    return LoadBalancerConfig("lb-1", 4000, (), (checked, source, unchecked))


def lines(text: str) -> dict[str, list[str]]:
    rows = text.splitlines()
    assert rows[:2] == ["1", HEADER]
    return {row.split()[3]: row.split() for row in rows[2:]}


def test_a_server_that_never_passed_is_stopped_with_no_health() -> None:
    made = lines(state_file(config(), {}))
    assert made["m-1"][:9] == ["0", "p-1", "0", "m-1", "127.20.0.10", "0", "0", "5", "5"]
    assert made["m-1"][12] == "0" and made["m-1"][18] == "8080"
    assert made["m-2"][4] == "fd00::10" and made["m-2"][5] == "0" and made["m-2"][7] == "0"


def test_a_server_that_passed_is_running_with_full_health() -> None:
    made = lines(state_file(config(), {"m-1": True, "m-2": False}))
    assert made["m-1"][5] == "2" and made["m-1"][12] == str(CHECK.rise + CHECK.fall - 1)
    assert made["m-2"][5] == "0"


def test_source_hashing_servers_get_weight_one_and_unchecked_backends_no_line() -> None:
    made = lines(state_file(config(), {}))
    assert made["m-3"][7:9] == ["1", "1"]
    assert "m-4" not in made


def test_live_lines_are_kept_for_the_servers_the_process_has() -> None:
    live = "1\n# header\n3 p-1 1 m-1 127.20.0.10 2 0 5 5 12 15 3 4 6 0 0 0 - 8080 - 0 0 - - 0\n5 p-3 1 m-4 127.20.0.12 2 0 1 1 0 1 0 0 0 0 0 0 - 82 - 0 0 - - 0\n"
    made = state_file(config(), {}, live)
    assert "3 p-1 1 m-1 127.20.0.10 2 0 5 5 12 15 3 4 6 0 0 0 - 8080 - 0 0 - - 0" in made.splitlines()
    assert lines(made)["m-2"][5] == "0"  # missing from the process: made, DOWN
    assert "m-4" not in lines(made)  # an unchecked backend's line is dropped


def test_a_live_line_of_a_server_no_longer_wanted_is_dropped() -> None:
    live = "1\n# header\n3 p-1 9 gone 127.20.0.99 2 0 1 1 0 1 0 0 6 0 0 0 - 80 - 0 0 - - 0\n"
    assert "gone" not in lines(state_file(config(), {}, live))


def test_a_made_line_has_every_field_of_haproxys_version_1_format() -> None:
    """Field by field as HEADER names them: ids 0 (matched by name), admin state 0 (the configuration
    decides maintenance), both weights, no last change, check status INITIAL (1), no result, the
    health counter, check state 6 (configured and enabled), no agent, no forced ids, no FQDN, the port,
    no SRV record, no SSL flag, no check port, no check or agent address, no agent port."""
    made = lines(state_file(config(), {"m-1": True}))
    assert made["m-1"] == "0 p-1 0 m-1 127.20.0.10 2 0 5 5 0 1 0 4 6 0 0 0 - 8080 - 0 0 - - 0".split()
    assert made["m-2"] == "0 p-1 0 m-2 fd00::10 0 0 0 0 0 1 0 0 6 0 0 0 - 80 - 0 0 - - 0".split()
    assert all(len(row) == len(HEADER.split()) - 1 for row in made.values())


def test_only_lines_after_the_version_line_of_a_live_state_are_read() -> None:
    """`show servers state` starts with its version line; a comment line is never a server's."""
    live = "1\n3 p-1 1 m-1 127.20.0.10 2 0 5 5 12 15 3 4 6 0 0 0 - 8080 - 0 0 - - 0\n#4 p-1 2 m-2 fd00::10 2 0 0 0 0 1 0 0 6 0 0 0 - 80 - 0 0 - - 0\n"
    made = state_file(config(), {}, live).splitlines()
    assert "3 p-1 1 m-1 127.20.0.10 2 0 5 5 12 15 3 4 6 0 0 0 - 8080 - 0 0 - - 0" in made
    assert lines("\n".join(made))["m-2"][0] == "0"  # the commented line is not taken for m-2's


def test_a_live_line_too_short_to_name_a_server_is_dropped() -> None:
    live = "1\n3 p-1 m-1\n3 p-1 1\n"
    made = state_file(config(), {}, live).splitlines()
    assert "3 p-1 m-1" not in made and "3 p-1 1" not in made
    assert sorted(lines("\n".join(made))) == ["m-1", "m-2", "m-3"]


def test_without_live_state_every_line_is_made() -> None:
    assert state_file(config(), {}).splitlines()[:2] == ["1", HEADER]
    assert len(state_file(config(), {}).splitlines()) == 2 + 3
