"""Access control by IP address groups, pure parts: entries read into values and canonical spellings
(ip_entries.py), the networks a frontend's access list (a map) holds, the rule rendered, the runtime
commands and their payload chunks, and the planner's choice between a runtime replacement and a reload."""

import random
from ipaddress import collapse_addresses, ip_network
from pathlib import Path

import pytest

from elbd.canonical_ip import IPNetwork
from elbd.dataplane.access_lists import access_lines, access_list_keys, access_list_text, collapsed, covering
from elbd.dataplane.haproxy_answers import parse_map_files, parse_map_keys, parse_new_version
from elbd.dataplane.haproxy_engine import write_access_files
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import AccessControl, Frontend, LoadBalancerConfig
from elbd.dataplane.plan import Converge, Live, Reload, plan_load_balancer
from elbd.dataplane.render import render
from elbd.dataplane.runtime_commands import PAYLOAD_BYTES, AddMapEntries, CommitMap, PrepareMap, ShowMap, map_chunks, text
from elbd.ip_entries import NotAnEntry, canonical_entry, entry_span, parse_entry

RUN = Path("/var/lib/elbd/haproxy/lb")


@pytest.mark.parametrize(("given", "canonical", "networks"), [
    ("10.0.0.1", "10.0.0.1", ["10.0.0.1/32"]),
    ("10.0.0.1/32", "10.0.0.1", ["10.0.0.1/32"]),
    ("10.0.0.0/8", "10.0.0.0/8", ["10.0.0.0/8"]),
    ("FD00:0::5", "fd00::5", ["fd00::5/128"]),
    ("127.0.0.1-127.0.0.9", "127.0.0.1-127.0.0.9", ["127.0.0.1/32", "127.0.0.2/31", "127.0.0.4/30", "127.0.0.8/31"]),
    ("2001:0DB8:02de::0e12-2001:0DB8:02de::0e13", "2001:db8:2de::e12-2001:db8:2de::e13", ["2001:db8:2de::e12/127"]),
])
def test_entries_are_read_into_values_and_one_spelling(given: str, canonical: str, networks: list[str]) -> None:
    entry = parse_entry(given)
    assert entry.text == canonical and [str(one) for one in entry.networks] == networks
    assert parse_entry(canonical) == entry


@pytest.mark.parametrize("hostile", [
    "10.0.0.1\n", "10.0.0.1;show info", "10.0.0.1 10.0.0.2", "fe80::1%lo", "10.0.0.1-10.0.0.1", "10.0.0.2-10.0.0.1",
    "10.0.0.1-fd00::1", "10.0.0.1/24", "-", "/8", "1.2.3.4-", "'", "${x}", "0x7f000001", "1" * 200,
])
def test_anything_else_is_not_an_entry(hostile: str) -> None:
    with pytest.raises(NotAnEntry):
        parse_entry(hostile)


def test_the_fast_reading_of_plain_ipv4_answers_what_parsing_does() -> None:
    """canonical_entry and entry_span skip the values for a canonical IPv4 address; every text, in that
    spelling or near it (leading zeros, octets past 255, too few or many parts), reads as parse_entry
    reads it, or is refused as parse_entry refuses it."""
    rng = random.Random(7)
    octets = ["0", "1", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "300", "00", "01", "010", "1000", ""]
    texts = [".".join(rng.choice(octets) for _ in range(rng.choice((3, 4, 4, 4, 5)))) for _ in range(3000)]
    texts += ["127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.0/8", "fd00::5", "10.0.0.1-10.0.0.9", "1.2.3.4\n", " 1.2.3.4"]
    for given in texts:
        try:
            entry = parse_entry(given)
        except NotAnEntry:
            for fast in (canonical_entry, entry_span):
                with pytest.raises(NotAnEntry):
                    fast(given)
            continue
        assert canonical_entry(given) == entry.text
        assert entry_span(given) == (entry.first.version, int(entry.first), int(entry.last))


def test_the_networks_of_several_groups_collapse_ipv4_first() -> None:
    merged = collapsed([ip_network("::1/128"), ip_network("127.0.0.2/31"), ip_network("127.0.0.0/31"), ip_network("127.0.0.1/32")])
    assert access_list_text(AccessControl("white", merged)) == "127.0.0.0/30 1\n::1/128 1\n"
    assert access_list_keys(access_list_text(AccessControl("white", merged))) == {"127.0.0.0/30", "::1/128"}


def test_a_whitelist_refuses_what_is_not_in_its_file_and_a_blacklist_what_is() -> None:
    white = Frontend("listener-1", (), 80, "http", access=AccessControl("white"))
    black = Frontend("listener-1", (), 80, "http", access=AccessControl("black"))
    path = f"{RUN}/access/listener-1.map"
    assert access_lines(white, RUN) == [f"tcp-request connection reject if !{{ src,map_ip({path}) -m found }}"]
    assert access_lines(black, RUN) == [f"tcp-request connection reject if {{ src,map_ip({path}) -m found }}"]
    assert access_lines(Frontend("listener-1", (), 80, "http"), RUN) == []


@pytest.mark.parametrize("bad", [
    AccessControl("grey"),
    AccessControl("white or 1"),
])
def test_an_unknown_kind_is_never_rendered(bad: AccessControl) -> None:
    with pytest.raises(UnsafeValue):
        access_lines(Frontend("listener-1", (), 80, "http", access=bad), RUN)


def test_a_listener_name_outside_the_grammar_is_never_a_path() -> None:
    with pytest.raises(UnsafeValue):
        access_lines(Frontend("../../etc/passwd", (), 80, "http", access=AccessControl("white")), RUN)


def test_runtime_commands_carry_only_values() -> None:
    path = f"{RUN}/access/l.map"
    assert text(PrepareMap(path)) == f"prepare map {path}"
    keys = AccessControl("white", (ip_network("fd00::/8"), ip_network("10.0.0.1/32"))).keys
    assert text(AddMapEntries(path, 3, keys)) == f"add map @3 {path} <<\nfd00::/8 1\n10.0.0.1/32 1\n"
    assert text(ShowMap(path, 3)) == f"show map @3 {path}" and text(ShowMap(path)) == f"show map {path}" and text(ShowMap()) == "show map"
    assert text(CommitMap(path, 3)) == f"commit map @3 {path}"
    with pytest.raises(UnsafeValue):  # a payload line that would end the payload and start a command
        text(AddMapEntries(path, 3, ("10.0.0.0/8\n\nshutdown frontend x",)))
    with pytest.raises(UnsafeValue):  # a second word on the line: the key of a map entry and its value
        text(AddMapEntries(path, 3, ("10.0.0.0/8 0",)))
    with pytest.raises(UnsafeValue):
        text(PrepareMap(f"{path}; show info"))
    with pytest.raises(UnsafeValue):
        text(AddMapEntries(f"{path} <<", 3, ()))


@pytest.mark.parametrize("count", [0, 1, 170, 171, 1000, 10_000])
def test_payload_chunks_fit_the_buffer_whatever_the_networks(count: int) -> None:
    """HAProxy adds nothing and answers nothing for a payload past its buffer: every chunk of the longest
    networks there are (IPv6 /128 of eight four-digit groups), or of the shortest, stays under
    PAYLOAD_BYTES, command included, and the chunks hold every network once, in order."""
    longest = AccessControl("white", tuple(ip_network(f"ffff:ffff:ffff:ffff:ffff:ffff:{index >> 16:x}:{index & 0xFFFF:x}/128")
                                           for index in range(count))).keys
    shortest = AccessControl("white", tuple(ip_network(f"{index}.0.0.0/8") for index in range(min(count, 10)))).keys
    path = f"{RUN}/access/{'l' * 40}.map"
    for keys in (longest, shortest):
        chunks = map_chunks(keys)
        assert tuple(one for chunk in chunks for one in chunk) == keys and all(chunks)
        assert all(len(text(AddMapEntries(path, 4_000_000_000, chunk)).encode()) < PAYLOAD_BYTES + 200 for chunk in chunks)
        payloads = [sum(len(key) + 3 for key in chunk) for chunk in chunks]
        assert all(size + len(after[0]) + 3 > PAYLOAD_BYTES for size, after in zip(payloads, chunks[1:]))  # as few chunks as fit


def test_answers_of_show_map_and_prepare_map() -> None:
    listing = ("# id (file) description\n0 (/run/lb/access/l.map) pattern loaded from file '/run/lb/access/l.map' used by map "
               "at file 'x' line 30. curr_ver=0 next_ver=0 entry_cnt=2\n")
    assert parse_map_files(listing) == ["/run/lb/access/l.map"]
    assert parse_map_keys("0x55d0 127.0.0.1/32 1\n0x55d1 ::1/128 1\n") == ["127.0.0.1/32", "::1/128"]
    assert parse_new_version("New version created: 7\n") == 7 and parse_new_version("Unknown map identifier.") is None


def _config(kind: str, *networks: str) -> LoadBalancerConfig:
    access = AccessControl(kind, tuple(ip_network(one) for one in networks))
    return LoadBalancerConfig("lb", 1000, (Frontend("l", (), 80, "http", access=access),))


def test_a_change_of_networks_is_a_runtime_replacement_and_a_change_of_kind_a_reload() -> None:
    running = _config("white", "127.0.0.1/32")
    skeleton = render(running.skeleton(), RUN, RUN)
    live = Live(True, skeleton, access_lists={"l": frozenset({"127.0.0.1/32"})})
    wider = _config("white", "127.0.0.0/30")
    assert render(wider.skeleton(), RUN, RUN) == skeleton
    assert plan_load_balancer(wider, live, skeleton) == Converge(wider, (), (), ("l",))
    assert plan_load_balancer(running, live, skeleton) == Converge(running, (), (), ())  # adopted as it runs
    black = _config("black", "127.0.0.1/32")
    assert isinstance(plan_load_balancer(black, live, render(black.skeleton(), RUN, RUN)), Reload)


@pytest.mark.parametrize("hostile", ["10.0.0.0/8\n0.0.0.0/0", "0.0.0.0/0", 167772160])
def test_an_access_list_file_holds_only_network_values(hostile: object) -> None:
    with pytest.raises(UnsafeValue):
        access_list_text(AccessControl("white", (hostile,)))  # type: ignore[arg-type]


def test_collapsing_answers_what_ipaddress_does() -> None:
    """Random overlapping, nested and adjacent networks of both families, against collapse_addresses;
    ranges of entries cover the same networks."""
    rng = random.Random(5)
    for _ in range(300):
        sample: list[IPNetwork] = []
        for _ in range(rng.randint(0, 40)):
            if rng.random() < 0.5:
                sample.append(ip_network((rng.randint(0, 2**12) << 20 | rng.randint(0, 2**20), rng.randint(20, 32)), strict=False))
            else:
                sample.append(ip_network((rng.randint(0, 2**20) << 100 | rng.randint(0, 2**30), rng.randint(100, 128)), strict=False))
        expected = (*collapse_addresses(one for one in sample if one.version == 4), *collapse_addresses(one for one in sample if one.version == 6))
        assert collapsed(sample) == expected
        entries = [parse_entry(f"{one.network_address}-{one.broadcast_address}") for one in sample if one.num_addresses > 1]
        assert covering(entry_span(entry.text) for entry in entries) == collapsed(network for entry in entries for network in entry.networks)


def test_access_list_files_are_written_when_their_networks_change_and_removed_with_their_listener(tmp_path: Path) -> None:
    known: dict[Path, frozenset[str]] = {}
    path = tmp_path / "access" / "l.map"
    write_access_files(tmp_path, _config("white", "127.0.0.1/32", "::1/128"), known)
    assert path.read_text() == "127.0.0.1/32 1\n::1/128 1\n" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    path.unlink()  # gone behind elbd's back: written again, whatever it remembers
    write_access_files(tmp_path, _config("white", "127.0.0.1/32", "::1/128"), known)
    assert path.read_text() == "127.0.0.1/32 1\n::1/128 1\n"
    known.clear()  # a restarted elbd reads what the file holds, and leaves a file that holds the same
    write_access_files(tmp_path, _config("white", "127.0.0.1/32", "::1/128"), known)
    assert known == {path: frozenset({"127.0.0.1/32", "::1/128"})}
    write_access_files(tmp_path, _config("white", "127.0.0.0/30"), known)
    assert path.read_text() == "127.0.0.0/30 1\n"
    write_access_files(tmp_path, LoadBalancerConfig("lb", 1000), known)
    assert not path.exists() and known == {}
