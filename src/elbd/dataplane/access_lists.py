"""A listener's access control by IP address groups, as HAProxy runs it. Pure functions.

Each frontend with access control has a map file, `access/<listener id>.map` in the load balancer's
private run directory: one network a line (IPv4 and IPv6 alike; `map_ip` takes both), always
`address/prefix` as `str()` of a network value gives it, with the value 1. The frontend's first rule
refuses a connection whose source is not in it (whitelist) or is in it (blacklist), before a byte is
read.

A map rather than an ACL file (`src -f`), though both look addresses up in the same tree: HAProxy 2.6's
runtime API takes a map's entries as one command's payload (`add map @<version> <file> <<`), a
thousand in one command where an ACL takes a command each, and a thousand commands cost the agent more
than HAProxy's lookup ever does. HAProxy reads the file at a start or reload; between them the runtime
API replaces the list in place (`prepare map`, the entries in chunks that fit HAProxy's buffer, a check
of the count, `commit map`: the new list takes effect atomically, for connections accepted after the
commit), and the file is rewritten so that the next start or reload loads the same list. The file's
path is part of the skeleton, its content is not.
"""

import ipaddress
from collections.abc import Iterable
from pathlib import Path

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from elbd.canonical_ip import IPNetwork
from elbd.dataplane.haproxy_words import UnsafeValue, name
from elbd.dataplane.model import AccessControl, Frontend
from elbd.dataplane.tls_files import plain_path

ACCESS_DIRECTORY = "access"


ACCESS_SUFFIX = ".map"


def access_list_path(run_dir: Path, frontend_name: str) -> Path:
    return run_dir / ACCESS_DIRECTORY / f"{name(frontend_name)}{ACCESS_SUFFIX}"


def collapsed(networks: Iterable[IPNetwork]) -> tuple[IPNetwork, ...]:
    """The fewest networks covering the same addresses: IPv4 first, then IPv6, each in order (what
    `ipaddress.collapse_addresses` answers, family by family)."""
    return covering((one.version, int(one.network_address), int(one.broadcast_address)) for one in networks)


def covering(spans: Iterable[tuple[int, int, int]]) -> tuple[IPNetwork, ...]:
    """The fewest networks covering every address of the (version, first, last) spans (entries as
    `ip_entries.entry_span` reads them), as `collapsed` orders them. On integers: overlapping and adjacent
    spans merge, and a merged span that is one network is made at once (`collapse_addresses` took
    37 ms for 1,000 single addresses, most of a change's time to traffic)."""
    by_version: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for version, first, last in spans:
        by_version[version].append((first, last))
    found: list[IPNetwork] = []
    for version, make_network, make_address, bits in ((4, IPv4Network, IPv4Address, 32), (6, IPv6Network, IPv6Address, 128)):
        merged: list[list[int]] = []
        for first, last in sorted(by_version[version]):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        for first, last in merged:
            size = last - first + 1
            if size & (size - 1) == 0 and first % size == 0:  # one aligned network
                found.append(make_network((first, bits - size.bit_length() + 1)))
            else:
                found.extend(ipaddress.summarize_address_range(make_address(first), make_address(last)))
    return tuple(found)


def access_list_text(access: AccessControl) -> str:
    return "".join(f"{key} 1\n" for key in access.keys)


def access_list_keys(text: str) -> frozenset[str]:
    """The networks an access list file holds (each line's first word)."""
    return frozenset(line.split(maxsplit=1)[0] for line in text.splitlines() if line.strip())


def access_lines(frontend: Frontend, run_dir: Path) -> list[str]:
    """The frontend's rule that refuses the clients its access control does not admit."""
    access = frontend.access
    if access is None:
        return []
    if access.kind not in ("white", "black"):
        raise UnsafeValue(f"{access.kind!r} is not a kind of access control")
    condition = "!{" if access.kind == "white" else "{"
    return [f"tcp-request connection reject if {condition} src,map_ip({plain_path(access_list_path(run_dir, frontend.name))}) -m found }}"]
