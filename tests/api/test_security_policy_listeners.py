"""Security policies on listeners: `tls_ciphers_policy` (a system policy) and `security_policy_id` (a
custom one, which wins), on HTTPS and TLS listeners only; the policy the data plane makes of what the
store holds for a listener (dataplane/desired.py); a policy in use cannot go, and changing one rebuilds
the load balancers that use it."""

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any, get_args

import pytest

from elbd.changes import Changes
from elbd.dataplane.desired import tls_policy
from elbd.dataplane.model import TlsPolicy
from elbd.schemas.listeners import CiphersPolicy
from elbd.store.dataplane import stored_load_balancer
from elbd.store.models import Listener
from elbd.tls_policies import SYSTEM_POLICIES, haproxy_terms
from tests.api.world import World, alpha, assert_elb_error, beta, ids, net, world  # noqa: F401
from tests.certificates import issue, server_body
from tests.conftest import Api

_certificates: dict[str, str] = {}  # project id -> a server certificate of that project, made once
CUSTOM = {"protocols": ["TLSv1.2", "TLSv1.3"], "ciphers": ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_256_GCM_SHA384"]}
MISSING = "0" * 36
_ports = iter(range(10000, 20000))


@pytest.fixture(scope="module")
def lb(alpha: Api) -> dict[str, Any]:
    return alpha.load_balancer(net(alpha).subnet)


def policy(api: Api, **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "security-policies", {"security_policy": {**CUSTOM, **fields}})["security_policy"]


def certificate_of(api: Api) -> str:
    if api.project_id not in _certificates:
        _certificates[api.project_id] = api.ok("POST", "certificates", server_body(issue("policies.example.com")))["certificate"]["id"]
    return _certificates[api.project_id]


def listener_body(api: Api, lb_id: str, protocol: str = "HTTPS", **fields: Any) -> dict[str, Any]:
    certificate = {"default_tls_container_ref": certificate_of(api)} if protocol in ("HTTPS", "TLS", "QUIC") else {}
    return {"listener": {"loadbalancer_id": lb_id, "protocol": protocol, "protocol_port": next(_ports), **certificate, **fields}}


def listener(api: Api, lb_id: str, protocol: str = "HTTPS", **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "listeners", listener_body(api, lb_id, protocol, **fields))["listener"]


def listener_ids(api: Api, lb_id: str) -> list[str]:
    return ids(api.ok("GET", f"listeners?loadbalancer_id={lb_id}")["listeners"])


def terms_of(api: Api, listener_id: str) -> TlsPolicy | None:
    """The policy the data plane makes of what the store holds for the listener."""
    with api.client.app.state.db.read() as session:
        row = session.get(Listener, listener_id)
        assert row is not None
        stored = stored_load_balancer(session, row.loadbalancer_id)
    assert stored is not None
    [listener] = [one for one in stored.listeners if one.id == listener_id]
    return tls_policy(listener, stored)


def system_terms(name: str) -> TlsPolicy:
    return TlsPolicy(**asdict(haproxy_terms(SYSTEM_POLICIES[name].protocols, SYSTEM_POLICIES[name].ciphers)))


@pytest.fixture
def changes(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Changes]]:
    """What each commit tells the data plane, from here on."""
    told: list[Changes] = []
    monkeypatch.setattr(world.client.app.state.db, "on_change", told.append)
    yield told


def test_an_https_listener_naming_no_policy_has_the_default(alpha: Api, lb: dict[str, Any]) -> None:
    made = listener(alpha, lb["id"])
    assert (made["tls_ciphers_policy"], made["security_policy_id"]) == ("tls-1-2", None)
    assert alpha.ok("GET", f"listeners/{made['id']}")["listener"] == made
    assert terms_of(alpha, made["id"]) == system_terms("tls-1-2") == TlsPolicy("TLSv1.2", "TLSv1.2", SYSTEM_POLICIES["tls-1-2"].ciphers, ())


@pytest.mark.parametrize("name", get_args(CiphersPolicy))
def test_every_system_policy_reaches_the_data_plane(alpha: Api, lb: dict[str, Any], name: str) -> None:
    made = listener(alpha, lb["id"], tls_ciphers_policy=name)
    assert made["tls_ciphers_policy"] == name
    assert terms_of(alpha, made["id"]) == system_terms(name)


def test_a_custom_policy_wins_over_the_system_one(alpha: Api, lb: dict[str, Any]) -> None:
    custom = policy(alpha)
    made = listener(alpha, lb["id"], "TLS", tls_ciphers_policy="tls-1-0", security_policy_id=custom["id"])
    assert (made["security_policy_id"], made["tls_ciphers_policy"]) == (custom["id"], "tls-1-0")
    assert terms_of(alpha, made["id"]) == TlsPolicy("TLSv1.2", "TLSv1.3", ("ECDHE-RSA-AES128-GCM-SHA256",), ("TLS_AES_256_GCM_SHA384",))
    assert alpha.ok("GET", f"security-policies/{custom['id']}")["security_policy"]["listeners"] == [{"id": made["id"]}]
    [listed] = [one for one in alpha.ok("GET", "security-policies")["security_policies"] if one["id"] == custom["id"]]
    assert listed["listeners"] == [{"id": made["id"]}]


def test_an_update_sets_and_clears_the_custom_policy(alpha: Api, lb: dict[str, Any]) -> None:
    custom = policy(alpha)
    made = listener(alpha, lb["id"], tls_ciphers_policy="tls-1-2-strict")
    path = f"listeners/{made['id']}"
    assert alpha.ok("PUT", path, {"listener": {"security_policy_id": custom["id"]}})["listener"]["security_policy_id"] == custom["id"]
    assert terms_of(alpha, made["id"]).ciphersuites == ("TLS_AES_256_GCM_SHA384",)
    cleared = alpha.ok("PUT", path, {"listener": {"security_policy_id": None}})["listener"]
    assert (cleared["security_policy_id"], cleared["tls_ciphers_policy"]) == (None, "tls-1-2-strict")
    assert terms_of(alpha, made["id"]) == system_terms("tls-1-2-strict")
    assert alpha.ok("GET", f"security-policies/{custom['id']}")["security_policy"]["listeners"] == []


@pytest.mark.parametrize("protocol", ["TCP", "HTTP", "QUIC"])
@pytest.mark.parametrize("field", ["tls_ciphers_policy", "security_policy_id"])
def test_a_policy_on_a_listener_that_takes_none_is_refused(alpha: Api, lb: dict[str, Any], protocol: str, field: str) -> None:
    """The API refuses it there (its reference: HTTPS listeners only, QUIC ones take neither): never accepted and ignored."""
    value = "tls-1-2" if field == "tls_ciphers_policy" else policy(alpha)["id"]
    before = listener_ids(alpha, lb["id"])
    error = assert_elb_error(alpha.call("POST", "listeners", listener_body(alpha, lb["id"], protocol, **{field: value})), 400, "ELB.8902")
    assert error["error_msg"] == f"Invalid input for '{field}': only HTTPS and TLS listeners take a security policy."
    assert listener_ids(alpha, lb["id"]) == before
    if protocol != "QUIC":
        made = listener(alpha, lb["id"], protocol)
        path = f"listeners/{made['id']}"
        assert_elb_error(alpha.call("PUT", path, {"listener": {field: value}}), 400, "ELB.8902")
        assert alpha.ok("GET", path)["listener"] == made


@pytest.mark.parametrize("whose", ["missing", "another project's"])
def test_a_policy_of_no_one_or_of_another_project_is_not_found(alpha: Api, beta: Api, lb: dict[str, Any], whose: str) -> None:
    policy_id = MISSING if whose == "missing" else policy(beta)["id"]
    before = listener_ids(alpha, lb["id"])
    error = assert_elb_error(alpha.call("POST", "listeners", listener_body(alpha, lb["id"], security_policy_id=policy_id)), 404, "ELB.8904")
    assert error["error_msg"] == f"security_policy {policy_id} could not be found."
    assert listener_ids(alpha, lb["id"]) == before
    made = listener(alpha, lb["id"])
    path = f"listeners/{made['id']}"
    assert_elb_error(alpha.call("PUT", path, {"listener": {"security_policy_id": policy_id}}), 404, "ELB.8904")
    assert alpha.ok("GET", path)["listener"] == made


def test_a_policy_in_use_cannot_be_deleted(alpha: Api, lb: dict[str, Any]) -> None:
    custom = policy(alpha)
    users = [listener(alpha, lb["id"], security_policy_id=custom["id"])["id"] for _ in range(2)]
    error = assert_elb_error(alpha.call("DELETE", f"security-policies/{custom['id']}"), 409, "ELB.8907")
    assert custom["id"] in error["error_msg"] and all(user in error["error_msg"] for user in users)
    assert alpha.ok("GET", f"security-policies/{custom['id']}")["security_policy"]["listeners"] == [{"id": user} for user in users]
    alpha.ok("DELETE", f"listeners/{users[0]}")
    alpha.ok("PUT", f"listeners/{users[1]}", {"listener": {"security_policy_id": None}})
    alpha.ok("DELETE", f"security-policies/{custom['id']}")


def test_changing_a_policy_in_use_rebuilds_the_load_balancers_that_use_it(alpha: Api, changes: list[Changes]) -> None:
    lan = net(alpha)
    first, second, bystander = (alpha.load_balancer(lan.subnet)["id"] for _ in range(3))
    custom = policy(alpha)
    for lb_id in (first, first, second):
        listener(alpha, lb_id, security_policy_id=custom["id"])
    listener(alpha, bystander)
    changes.clear()
    path = f"security-policies/{custom['id']}"
    alpha.ok("PUT", path, {"security_policy": {"ciphers": ["ECDHE-RSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384"]}})
    assert changes == [Changes.of(load_balancers=[first, second])]
    changes.clear()
    alpha.ok("PUT", path, {"security_policy": {"name": "renamed", "description": "no traffic changes", "protocols": CUSTOM["protocols"]}})
    assert changes == []
    assert policy(alpha)["listeners"] == []
