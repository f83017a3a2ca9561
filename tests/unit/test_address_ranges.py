"""The host's address plan at its edges: for every served range and for the host's own range, the first
and last address inside and the first address outside on either side, as addresses (VIPs, members)
and as networks (VPCs, subnets). A range widened or narrowed by one address fails here."""

from ipaddress import ip_address, ip_network

import pytest

from elbd.service.address_ranges import HOST_OWN, SERVED_RANGES, ApiEndpoint, plan_refusal, subnet_refusal, vpc_refusal

OUTSIDE = "outside the ranges elbd serves"
NOT_INSIDE = "is not inside the ranges elbd serves"
HOST_OWN_ADDRESS = "in 127.0.0.0/16, which belongs to the host's own services"
HOST_OWN_OVERLAP = "overlaps 127.0.0.0/16, which belongs to the host's own services"

# range: (last address below it, first inside, last inside, first address above it)
EDGES = {
    "10.0.0.0/8": ("9.255.255.255", "10.0.0.0", "10.255.255.255", "11.0.0.0"),
    "172.16.0.0/12": ("172.15.255.255", "172.16.0.0", "172.31.255.255", "172.32.0.0"),
    "192.168.0.0/16": ("192.167.255.255", "192.168.0.0", "192.168.255.255", "192.169.0.0"),
    "100.64.0.0/10": ("100.63.255.255", "100.64.0.0", "100.127.255.255", "100.128.0.0"),
    "127.0.0.0/8": ("126.255.255.255", "127.0.0.0", "127.255.255.255", "128.0.0.0"),
    "198.18.0.0/15": ("198.17.255.255", "198.18.0.0", "198.19.255.255", "198.20.0.0"),
    "fc00::/7": ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"),
}
INSIDE = [(served, edges[index]) for served, edges in EDGES.items() for index in (1, 2)]
BESIDE = [(served, edges[index]) for served, edges in EDGES.items() for index in (0, 3)]


def host(text: str) -> str:
    """The one-address network of `text`."""
    return f"{text}/{32 if ip_address(text).version == 4 else 128}"


def test_the_edges_cover_every_served_range() -> None:
    assert set(EDGES) == {str(served) for served in SERVED_RANGES}
    for served, (below, first, last, above) in EDGES.items():
        network = ip_network(served)
        assert (ip_address(first), ip_address(last)) == (network[0], network[-1])
        assert int(ip_address(below)) == int(network[0]) - 1 and int(ip_address(above)) == int(network[-1]) + 1


@pytest.mark.parametrize(("served", "address"), INSIDE)
def test_the_first_and_last_address_of_a_served_range_are_served(served: str, address: str) -> None:
    assert vpc_refusal(ip_network(host(address))) is None
    assert plan_refusal(ip_address(address)) == (HOST_OWN_ADDRESS if address == "127.0.0.0" else None)


@pytest.mark.parametrize(("served", "address"), BESIDE)
def test_the_address_just_outside_a_served_range_is_refused(served: str, address: str) -> None:
    assert plan_refusal(ip_address(address)) == f"{OUTSIDE} ({', '.join(EDGES)})"
    assert vpc_refusal(ip_network(host(address))) == f"{host(address)} {NOT_INSIDE} ({', '.join(EDGES)})"
    assert subnet_refusal(ip_network(host(address))) == f"{host(address)} {NOT_INSIDE} ({', '.join(EDGES)})"


@pytest.mark.parametrize("served", EDGES)
def test_a_served_range_is_a_vpc_and_one_bit_wider_is_not(served: str) -> None:
    network = ip_network(served)
    assert vpc_refusal(network) is None
    wider = network.supernet()
    assert vpc_refusal(wider) == f"{wider} {NOT_INSIDE} ({', '.join(EDGES)})"


@pytest.mark.parametrize(("served", "address"), [one for one in INSIDE if one[1] != "127.0.0.0"])
def test_a_subnet_at_either_end_of_a_served_range_is_made(served: str, address: str) -> None:
    assert subnet_refusal(ip_network(host(address))) is None


# the host's own range: 127.0.0.0/16


@pytest.mark.parametrize("address", ["127.0.0.0", "127.0.0.1", "127.0.255.255"])
def test_no_vip_or_member_in_the_hosts_own_range(address: str) -> None:
    assert plan_refusal(ip_address(address)) == HOST_OWN_ADDRESS


@pytest.mark.parametrize(("address", "refusal"), [("126.255.255.255", f"{OUTSIDE} ({', '.join(EDGES)})"), ("127.1.0.0", None)])
def test_the_addresses_beside_the_hosts_own_range(address: str, refusal: str | None) -> None:
    assert plan_refusal(ip_address(address)) == refusal


@pytest.mark.parametrize("cidr", ["127.0.0.0/32", "127.0.255.255/32", "127.0.0.0/16", "127.0.0.0/15", "127.0.0.0/8", "127.0.128.0/17"])
def test_no_subnet_overlaps_the_hosts_own_range(cidr: str) -> None:
    assert subnet_refusal(ip_network(cidr)) == f"{cidr} {HOST_OWN_OVERLAP}"
    assert vpc_refusal(ip_network(cidr)) is None  # a VPC may hold it: its subnets may not


@pytest.mark.parametrize("cidr", ["127.1.0.0/32", "127.1.0.0/16", "127.255.255.255/32"])
def test_a_subnet_just_past_the_hosts_own_range_is_made(cidr: str) -> None:
    assert subnet_refusal(ip_network(cidr)) is None


def test_the_hosts_own_range_is_ipv4_only() -> None:
    assert HOST_OWN == ip_network("127.0.0.0/16")
    assert plan_refusal(ip_address("::1")) == f"{OUTSIDE} ({', '.join(EDGES)})"
    assert subnet_refusal(ip_network("fc00::/64")) is None


# elbd's own API endpoint


API = ApiEndpoint(ip_address("127.30.0.1"), 9876)
EVERY_ADDRESS = ApiEndpoint(ip_address("0.0.0.0"), 9876)


@pytest.mark.parametrize(
    ("endpoint", "vip", "port", "taken"),
    [
        (API, "127.30.0.1", 9876, True),
        (API, "127.30.0.1", 9877, False),
        (API, "127.30.0.2", 9876, False),
        (EVERY_ADDRESS, "127.30.0.2", 9876, True),
        (EVERY_ADDRESS, "10.0.0.1", 9876, True),
        (EVERY_ADDRESS, "127.30.0.2", 9875, False),
        (ApiEndpoint(), "127.30.0.1", 9876, False),
        (ApiEndpoint(ip_address("127.30.0.1")), "127.30.0.1", 9876, False),
    ],
)
def test_a_listener_never_takes_the_api_endpoint(endpoint: ApiEndpoint, vip: str, port: int, taken: bool) -> None:
    assert endpoint.taken_by_listener(ip_address(vip), port) is taken


@pytest.mark.parametrize(
    ("endpoint", "address", "port", "taken"),
    [
        (API, "127.30.0.1", 9876, True),
        (API, "127.30.0.1", 80, False),
        (API, "127.30.0.2", 9876, False),
        (EVERY_ADDRESS, "127.30.0.2", 9876, True),  # every address: any loopback one reaches it
        (EVERY_ADDRESS, "10.0.0.1", 9876, False),
        (EVERY_ADDRESS, "127.30.0.2", 9875, False),
        (ApiEndpoint(), "127.30.0.1", 9876, False),
    ],
)
def test_a_member_never_relays_to_the_api_endpoint(endpoint: ApiEndpoint, address: str, port: int, taken: bool) -> None:
    assert endpoint.taken_by_backend(ip_address(address), port) is taken
