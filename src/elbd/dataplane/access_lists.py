"""A listener's access control by IP address groups, as HAProxy runs it. Pure functions.

Each frontend with access control has an ACL file, `access/<listener id>.acl` in the load balancer's
private run directory: one network a line (IPv4 and IPv6 alike; `src -f` takes both), always
`address/prefix` as `str()` of a network value gives it. The frontend's first rule refuses a
connection whose source is not in it (whitelist) or is in it (blacklist), before a byte is read.

HAProxy reads the file at a start or reload; between them the runtime API replaces the list in place
(`prepare acl`, `add acl @<version>` for each network, `commit acl @<version>`: the new list takes
effect atomically, for connections accepted after the commit), and the file is rewritten so that the
next start or reload loads the same list. The file's path is part of the skeleton, its content is not.
"""

import ipaddress
from collections.abc import Iterable
from pathlib import Path

from elbd.canonical_ip import IPNetwork
from elbd.dataplane.haproxy_words import UnsafeValue, config_word, name, network
from elbd.dataplane.model import Frontend
from elbd.dataplane.tls_files import plain_path

ACCESS_DIRECTORY = "access"


def access_list_path(run_dir: Path, frontend_name: str) -> Path:
    return run_dir / ACCESS_DIRECTORY / f"{name(frontend_name)}.acl"


def collapsed(networks: Iterable[IPNetwork]) -> tuple[IPNetwork, ...]:
    """The fewest networks covering the same addresses: IPv4 first, then IPv6, each in order."""
    every = list(networks)
    v4 = ipaddress.collapse_addresses(one for one in every if one.version == 4)
    v6 = ipaddress.collapse_addresses(one for one in every if one.version == 6)
    return (*v4, *v6)


def access_list_text(networks: Iterable[IPNetwork]) -> str:
    return "".join(f"{network(one)}\n" for one in networks)


def access_lines(frontend: Frontend, run_dir: Path) -> list[str]:
    """The frontend's rule that refuses the clients its access control does not admit."""
    access = frontend.access
    if access is None:
        return []
    if access.kind not in ("white", "black"):
        raise UnsafeValue(f"{access.kind!r} is not a kind of access control")
    condition = "!{" if access.kind == "white" else "{"
    return [f"tcp-request connection reject if {condition} src -f {config_word(plain_path(access_list_path(run_dir, frontend.name)))} }}"]
