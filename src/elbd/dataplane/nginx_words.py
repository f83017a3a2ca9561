"""Values as words of nginx's configuration language (the stream module's part of it).

nginx reads `;`, `{`, `}`, `#`, quotes, `$` and whitespace as syntax, so no user text is ever written:
only names elbd made (ids, a strict grammar), typed addresses and networks (ipaddress values), numbers
in range and keywords from closed sets. A value that does not fit raises UnsafeValue and the
configuration is not written.
"""

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from elbd.canonical_ip import IPAddress, IPNetwork
from elbd.dataplane.haproxy_words import UnsafeValue

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
BALANCE_LINES = {"round_robin": (), "least_conn": ("least_conn;",), "source": ("hash $remote_addr consistent;",)}


def name(value: str) -> str:
    """An upstream's name part: an id elbd made (letters, digits, `-`, `_`)."""
    if not _NAME.fullmatch(value):
        raise UnsafeValue(f"{value!r} is not a name elbd gives")
    return value


def number(value: int, low: int, high: int) -> str:
    if type(value) is not int or not low <= value <= high:
        raise UnsafeValue(f"{value!r} is not a whole number from {low} to {high}")
    return str(value)


def port(value: int) -> str:
    return number(value, 1, 65535)


def address(value: IPAddress) -> str:
    """An address as nginx reads it in `listen` and `server` (IPv6 in brackets), from a value only."""
    if isinstance(value, IPv4Address):
        return str(value)
    if isinstance(value, IPv6Address) and value.scope_id is None:
        return f"[{value}]"
    raise UnsafeValue(f"{value!r} is not an address value")


def endpoint(value: IPAddress, port_number: int) -> str:
    return f"{address(value)}:{port(port_number)}"


def network(value: IPNetwork) -> str:
    """A network of an `allow` or `deny` line (`address/prefix`)."""
    if not isinstance(value, IPv4Network | IPv6Network):
        raise UnsafeValue(f"{value!r} is not a network value")
    return str(value)


def balance_lines(balance: str) -> tuple[str, ...]:
    if balance not in BALANCE_LINES:
        raise UnsafeValue(f"{balance!r} is not a balancing method of the UDP engine")
    return BALANCE_LINES[balance]


def path(value: str) -> str:
    """A path of elbd's own private directory (no user part), as one nginx word."""
    if not re.fullmatch(r"/[A-Za-z0-9_./+-]*", value) or "/../" in value:
        raise UnsafeValue(f"{value!r} is not a path nginx's configuration may name unquoted")
    return value
