"""IP addresses and networks as values: the one strict parser that every layer uses.

Python's `ipaddress` accepts an IPv6 scope id (`fd00::5%<anything but / and %>`, newlines included)
and keeps it in `str()`, and it reads one address in several spellings (`FD00:0::5` is `fd00::5`).
elbd takes no scope id and only the canonical spelling, so that an address stored, compared or
rendered for the data plane is exactly one string, and that string is only digits, hex letters, dots
and colons.
"""

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


class NotCanonical(ValueError):
    """Why a text is not an address (or network) in elbd's sense; the message says how to write it."""


def canonical_address(text: str) -> IPAddress:
    if "%" in text:
        raise NotCanonical(f"{text!r} has an IPv6 zone (scope id), which elbd does not take")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise NotCanonical(f"{text!r} is not an IP address") from None
    if str(address) != text:
        raise NotCanonical(f"{text!r} is not written canonically: write it as {address}")
    return address


def canonical_network(text: str) -> IPNetwork:
    """A network (`host bits zero`) in its canonical spelling, prefix length included."""
    if "%" in text:
        raise NotCanonical(f"{text!r} has an IPv6 zone (scope id), which elbd does not take")
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        raise NotCanonical(f"{text!r} is not a CIDR of a network") from None
    if str(network) != text:
        raise NotCanonical(f"{text!r} is not written canonically: write it as {network}")
    return network
