"""schemas/unserved.py on its own: what its tables leave through is what the data plane runs, null
asks for nothing, and an update's left-out attribute counts with its stored value."""

from types import SimpleNamespace
from typing import Any, get_args

import pytest

from elbd.dataplane.desired import BALANCE, CHECKED_TYPES, POOL_MODES, SERVED_LISTENERS
from elbd.errors import ElbError
from elbd.schemas.certificates import CertificateType
from elbd.schemas.healthmonitors import MonitorType
from elbd.schemas.listeners import ListenerProtocol
from elbd.schemas.pools import Algorithm, PoolProtocol
from elbd.schemas import unserved
from elbd.tls_policies import ABSENT_FROM_OPENSSL, CIPHERS


def refusal(table: tuple[unserved.Unserved, ...], asked: dict[str, Any], stored: object | None = None) -> str | None:
    try:
        unserved.refuse(table, asked, stored)
    except ElbError as error:
        assert (error.status, error.code) == (400, "ELB.8902")
        return error.message
    return None


@pytest.mark.parametrize("protocol", get_args(ListenerProtocol))
def test_a_listener_protocol_not_refused_is_one_the_data_plane_serves(protocol: str) -> None:
    stored_as = "HTTPS" if protocol == "TERMINATED_HTTPS" else protocol  # the shared-type name of HTTPS, stored as HTTPS
    assert refusal(unserved.LISTENERS, {"protocol": protocol}) is not None or stored_as in SERVED_LISTENERS or stored_as == "UDP"


@pytest.mark.parametrize("protocol", get_args(PoolProtocol))
def test_a_pool_protocol_not_refused_is_one_the_data_plane_renders(protocol: str) -> None:
    assert refusal(unserved.POOLS, {"protocol": protocol}) is not None or protocol in POOL_MODES or protocol == "UDP"


@pytest.mark.parametrize("algorithm", get_args(Algorithm))
def test_an_algorithm_not_refused_is_one_the_data_plane_renders(algorithm: str) -> None:
    """QUIC_CID and the tuple hashes never get this far through the API (they need QUIC and IP groups,
    refused first); their entries keep them refused once those groups are served."""
    message = refusal(unserved.POOLS, {"lb_algorithm": algorithm})
    if algorithm in BALANCE:
        assert message is None
    else:
        assert message is not None and message.startswith("Invalid input for 'lb_algorithm': elbd does not serve")


@pytest.mark.parametrize("certificate_type", get_args(CertificateType))
def test_sm2_is_the_one_certificate_type_refused(certificate_type: str) -> None:
    assert (refusal(unserved.CERTIFICATES, {"type": certificate_type}) is not None) == (certificate_type == "server_sm")


@pytest.mark.parametrize("monitor_type", get_args(MonitorType))
def test_a_monitor_type_not_refused_is_one_the_data_plane_runs(monitor_type: str) -> None:
    assert refusal(unserved.HEALTH_MONITORS, {"type": monitor_type}) is not None or monitor_type in (*CHECKED_TYPES, "UDP_CONNECT")


@pytest.mark.parametrize(
    "table",
    [unserved.LISTENERS, unserved.POOLS, unserved.HEALTH_MONITORS, unserved.LOAD_BALANCERS, unserved.LOAD_BALANCER_CHANGES,
     unserved.SECURITY_POLICIES, unserved.CERTIFICATES, unserved.L7POLICIES, unserved.L7_RESPONSE_CONFIGS, unserved.L7RULES],
)
def test_null_asks_for_nothing(table: tuple[unserved.Unserved, ...]) -> None:
    assert refusal(table, {entry.field: None for entry in table}) is None


def test_a_left_out_attribute_counts_with_its_stored_value() -> None:
    stored = SimpleNamespace(protocol="HTTPS", insert_headers={"X-Forwarded-Clientcert-enable": True})
    assert "'insert_headers'" in (refusal(unserved.LISTENERS, {"name": "renamed"}, stored) or "")
    assert refusal(unserved.LISTENERS, {"name": "renamed", "insert_headers": {"X-Forwarded-Clientcert-enable": False}}, stored) is None


@pytest.mark.parametrize("cipher", CIPHERS)
def test_a_cipher_not_refused_is_one_the_data_planes_openssl_has(cipher: str) -> None:
    assert (refusal(unserved.SECURITY_POLICIES, {"ciphers": ["AES128-SHA", cipher]}) is not None) == (cipher in ABSENT_FROM_OPENSSL)


@pytest.mark.parametrize(
    ("value", "asks"),
    [({}, False), ({"rewrite_url_enable": False, "rewrite_url_config": None}, False), ({"traffic_limit_config": {"qps": 0}}, False),
     ({"rewrite_url_enable": True}, True), ({"traffic_limit_config": {"qps": 10}}, True), ({"insert_headers_config": {"configs": [{"key": "X"}]}}, True)],
)
def test_an_extend_config_asks_for_something_only_when_a_value_does(value: dict, asks: bool) -> None:
    assert (refusal(unserved.L7POLICIES, {"redirect_pools_extend_config": value}) is not None) == asks
