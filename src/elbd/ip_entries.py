"""The entries of an IP address group: a single address, a CIDR, or a range `a-b`, IPv4 or IPv6.

The one parser of them. An entry is read into values (ipaddress objects) and stored in one canonical
spelling (`FD00:0::5` is `fd00::5`; a CIDR of one address is that address), so that an entry is named
the same way whatever spelling added it, and the data plane only ever sees what `str()` of a value
gives. What the data plane matches is `networks`: a range becomes the CIDRs that cover it exactly.
"""

import ipaddress
import re
from dataclasses import dataclass

from elbd.canonical_ip import IPAddress, IPNetwork

_CHARACTERS = re.compile(r"[0-9A-Fa-f.:/-]{1,100}")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"  # no leading zero: as str() of an address spells it
_CANONICAL_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")


class NotAnEntry(ValueError):
    """Why a text is not an entry; the message says what an entry is."""


@dataclass(frozen=True)
class IpEntry:
    """Addresses `first` to `last`, both included, of one family."""

    first: IPAddress
    last: IPAddress
    text: str  # the canonical spelling

    @property
    def networks(self) -> tuple[IPNetwork, ...]:
        return tuple(ipaddress.summarize_address_range(self.first, self.last))


def _address(text: str, entry: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise NotAnEntry(f"{entry!r} is not an IP address, a CIDR or a range of addresses (a-b)") from None


def parse_entry(text: str) -> IpEntry:
    """An entry from its text, in any spelling `ipaddress` reads without a zone; NotAnEntry otherwise."""
    if not isinstance(text, str) or not _CHARACTERS.fullmatch(text):
        raise NotAnEntry(f"{text!r} is not an IP address, a CIDR or a range of addresses (a-b)")
    if "-" in text:
        start_text, _, end_text = text.partition("-")
        start, end = _address(start_text, text), _address(end_text, text)
        if start.version != end.version:
            raise NotAnEntry(f"{text!r} mixes IPv4 and IPv6: a range is of one family")
        if not end > start:  # type: ignore[operator]
            raise NotAnEntry(f"{text!r}: the end of a range must be greater than its start")
        return IpEntry(start, end, f"{start}-{end}")
    if "/" in text:
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as error:
            if "host bits set" in str(error):
                loose = ipaddress.ip_network(text, strict=False)
                raise NotAnEntry(f"{text!r} has host bits set: the network is {loose}") from None
            raise NotAnEntry(f"{text!r} is not an IP address, a CIDR or a range of addresses (a-b)") from None
        spelled = str(network.network_address) if network.num_addresses == 1 else str(network)
        return IpEntry(network.network_address, network.broadcast_address, spelled)
    address = _address(text, text)
    return IpEntry(address, address, str(address))


def canonical_entry(text: str) -> str:
    """`parse_entry(text).text`. An IPv4 address already in its canonical spelling, the common entry, is
    recognised without building values: a PUT of a group reads thousands of entries."""
    if isinstance(text, str) and _CANONICAL_IPV4.fullmatch(text):
        return text
    return parse_entry(text).text


def entry_span(text: str) -> tuple[int, int, int]:
    """(IP version, first address, last address) of an entry, the addresses as integers; the same fast
    path as `canonical_entry`. NotAnEntry for a text that is none."""
    if isinstance(text, str) and _CANONICAL_IPV4.fullmatch(text):
        first, second, third, fourth = text.split(".")
        value = int(first) << 24 | int(second) << 16 | int(third) << 8 | int(fourth)
        return 4, value, value
    entry = parse_entry(text)
    return entry.first.version, int(entry.first), int(entry.last)
