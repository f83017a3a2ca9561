"""The one strict parser of addresses and networks: each refusal says why, in words a caller can act on
(the API hands them to the tenant as they are)."""

from ipaddress import ip_address, ip_network

import pytest

from elbd.canonical_ip import NotCanonical, canonical_address, canonical_network


@pytest.mark.parametrize("text", ["127.0.0.1", "0.0.0.0", "fd00::1", "::"])
def test_a_canonical_address_is_taken(text: str) -> None:
    assert canonical_address(text) == ip_address(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fd00::1%eth0", "'fd00::1%eth0' has an IPv6 zone (scope id), which elbd does not take"),
        ("fd00::1%", "'fd00::1%' has an IPv6 zone (scope id), which elbd does not take"),
        ("10.0.0.256", "'10.0.0.256' is not an IP address"),
        ("", "'' is not an IP address"),
        ("FD00::1", "'FD00::1' is not written canonically: write it as fd00::1"),
        ("fd00:0::1", "'fd00:0::1' is not written canonically: write it as fd00::1"),
    ],
)
def test_an_address_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(NotCanonical) as refused:
        canonical_address(text)
    assert str(refused.value) == says


@pytest.mark.parametrize("text", ["10.0.0.0/8", "10.1.2.3/32", "fd00::/64", "fc00::/7"])
def test_a_canonical_network_is_taken(text: str) -> None:
    assert canonical_network(text) == ip_network(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fd00::%eth0/64", "'fd00::%eth0/64' has an IPv6 zone (scope id), which elbd does not take"),
        ("10.0.0.1/8", "'10.0.0.1/8' is not a CIDR of a network"),  # host bits set: not strict-parsed away
        ("fd00::1/64", "'fd00::1/64' is not a CIDR of a network"),
        ("10.0.0.0/33", "'10.0.0.0/33' is not a CIDR of a network"),
        ("10.0.0.0/255.0.0.0", "'10.0.0.0/255.0.0.0' is not written canonically: write it as 10.0.0.0/8"),
        ("10.0.0.0", "'10.0.0.0' is not written canonically: write it as 10.0.0.0/32"),
        ("FD00::/64", "'FD00::/64' is not written canonically: write it as fd00::/64"),
    ],
)
def test_a_network_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(NotCanonical) as refused:
        canonical_network(text)
    assert str(refused.value) == says
