"""Listeners' certificate references: default_tls_container_ref (a server certificate),
client_ca_tls_container_ref (a client certificate) and sni_container_refs (server certificates answering
for distinct names, at most 200), all of the listener's project; the listener_certificates rows that
follow them; certificates in use refused deletion (409); a certificate's PUT reaching every load
balancer that presents it."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from elbd.changes import Changes
from elbd.store.certificates import certificate_material, listeners_using, load_balancers_using
from elbd.store.models import ListenerCertificate
from tests.api.isolation_world import database_rows
from tests.api.world import assert_elb_error, net
from tests.certificates import Issued, client_body, issue, server_body
from tests.conftest import Api

ROOT = issue("Listener Test Root", ca=True)


@pytest.fixture
def changes_told(alpha: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Changes]]:
    """What each commit tells the data plane, in order."""
    told: list[Changes] = []
    monkeypatch.setattr(alpha.client.app.state.db, "on_change", told.append)
    yield told


def server(api: Api, *names: str, domain: str | None = None) -> str:
    leaf = issue(names[0] if names else None, names=names, issuer=ROOT)
    fields = {"domain": domain} if domain is not None else {}
    return api.ok("POST", "certificates", server_body(leaf, **fields))["certificate"]["id"]


def client_ca(api: Api, ca: Issued = ROOT) -> str:
    return api.ok("POST", "certificates", client_body(ca))["certificate"]["id"]


def lb(api: Api) -> str:
    return api.load_balancer(net(api).subnet)["id"]


def listener_body(lb_id: str, protocol: str = "HTTPS", port: int = 443, **fields: Any) -> dict[str, Any]:
    return {"listener": {"loadbalancer_id": lb_id, "protocol": protocol, "protocol_port": port, **fields}}


def rows_of(api: Api, listener_id: str) -> set[tuple[str, str]]:
    with api.client.app.state.db.read() as session:
        query = select(ListenerCertificate.role, ListenerCertificate.certificate_id).where(ListenerCertificate.listener_id == listener_id)
        return {(role, certificate_id) for role, certificate_id in session.execute(query)}


def assert_create_refused(api: Api, body: dict[str, Any], status: int, code: str, *words: str) -> str:
    before = database_rows(api.client)
    message = assert_elb_error(api.call("POST", "listeners", body), status, code)["error_msg"]
    assert all(word in message for word in words), message
    assert database_rows(api.client) == before
    return message


# references on create


@pytest.mark.parametrize("protocol", ["HTTPS", "TERMINATED_HTTPS", "TLS"])
def test_a_tls_listener_presents_its_certificates(alpha: Api, protocol: str) -> None:
    default, sni_a, sni_b, ca = server(alpha, "www.example.com"), server(alpha, "a.example.com"), server(alpha, "*.b.example.com"), client_ca(alpha)
    body = listener_body(lb(alpha), protocol, default_tls_container_ref=default, sni_container_refs=[sni_a, sni_b], client_ca_tls_container_ref=ca)
    made = alpha.ok("POST", "listeners", body)["listener"]
    assert (made["default_tls_container_ref"], made["sni_container_refs"], made["client_ca_tls_container_ref"]) == (default, [sni_a, sni_b], ca)
    assert made["sni_match_algo"] == "wildcard" and made["tls_ciphers_policy"] == "tls-1-2"
    assert rows_of(alpha, made["id"]) == {("default", default), ("sni", sni_a), ("sni", sni_b), ("client_ca", ca)}
    assert alpha.ok("GET", f"listeners/{made['id']}")["listener"] == made


@pytest.mark.parametrize(
    ("field", "make", "words"),
    [
        ("default_tls_container_ref", client_ca, ("is a client certificate", "presents a server certificate")),
        ("client_ca_tls_container_ref", lambda api: server(api, "x.example.com"), ("is a server certificate", "client (CA) certificate")),
        ("sni_container_refs", lambda api: [client_ca(api)], ("is a client certificate", "SNI takes server certificates")),
    ],
)
def test_a_certificate_of_the_wrong_type_is_refused(alpha: Api, field: str, make: Any, words: tuple[str, ...]) -> None:
    fields = {"default_tls_container_ref": server(alpha, "www.example.com"), field: make(alpha)}
    message = assert_create_refused(alpha, listener_body(lb(alpha), **fields), 400, "ELB.8902", *words)
    assert message.startswith(f"Invalid input for '{field}'")


@pytest.mark.parametrize("field", ["default_tls_container_ref", "client_ca_tls_container_ref", "sni_container_refs"])
def test_another_projects_certificate_is_as_missing_as_an_unknown_one(alpha: Api, beta: Api, field: str) -> None:
    theirs = {"default_tls_container_ref": server, "client_ca_tls_container_ref": client_ca, "sni_container_refs": server}[field](beta)
    missing = "0" * 32
    lb_id = lb(alpha)
    answers = []
    for foreign in (theirs, missing):
        fields = {"default_tls_container_ref": server(alpha, "www.example.com"), field: [foreign] if field == "sni_container_refs" else foreign}
        message = assert_create_refused(alpha, listener_body(lb_id, **fields), 404, "ELB.8904")
        answers.append(message.replace(foreign, "<id>"))
    assert answers == ["certificate <id> could not be found."] * 2


def test_sni_certificates_answer_for_distinct_names(alpha: Api) -> None:
    lb_id, default = lb(alpha), server(alpha, "www.example.com")
    one = server(alpha, "a.example.com", "b.example.com")
    overlapping = server(alpha, "c.example.com", domain="c.example.com,B.example.com")
    message = assert_create_refused(
        alpha, listener_body(lb_id, default_tls_container_ref=default, sni_container_refs=[one, overlapping]), 400, "ELB.8902"
    )
    assert message == f"Invalid input for 'sni_container_refs': b.example.com is answered by both certificate {one} and certificate {overlapping}; each name is one certificate's."
    nameless = server(alpha)
    message = assert_create_refused(alpha, listener_body(lb_id, default_tls_container_ref=default, sni_container_refs=[nameless]), 400, "ELB.8902")
    assert "answers for no domain name" in message
    assert_create_refused(alpha, listener_body(lb_id, default_tls_container_ref=default, sni_container_refs=[one, one]), 400, "ELB.8902", "named twice")
    wildcard_beside_plain = [one, server(alpha, "*.example.com")]
    alpha.ok("POST", "listeners", listener_body(lb_id, default_tls_container_ref=default, sni_container_refs=wildcard_beside_plain))


def test_sni_certificates_answer_for_at_most_200_names_and_are_at_most_50(alpha: Api) -> None:
    lb_id, default = lb(alpha), server(alpha, "www.example.com")
    hundreds = [server(alpha, "n.example.com", domain=",".join(f"n{block}-{number}.example.com" for number in range(100))) for block in range(3)]
    alpha.ok("POST", "listeners", listener_body(lb_id, port=443, default_tls_container_ref=default, sni_container_refs=hundreds[:2]))
    assert_create_refused(
        alpha, listener_body(lb_id, port=444, default_tls_container_ref=default, sni_container_refs=hundreds), 400, "ELB.8902", "300 domain names; at most 200"
    )
    fifty_one = [server(alpha, f"s{number}.example.com") for number in range(51)]
    assert_create_refused(alpha, listener_body(lb_id, port=445, default_tls_container_ref=default, sni_container_refs=fifty_one), 400, "ELB.8902")
    alpha.ok("POST", "listeners", listener_body(lb_id, port=446, default_tls_container_ref=default, sni_container_refs=fifty_one[:50]))


# TLS fields on listeners without TLS


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"client_ca_tls_container_ref": "0" * 32}, "client_ca_tls_container_ref"),
        ({"sni_container_refs": ["0" * 32]}, "sni_container_refs"),
        ({"sni_match_algo": "longest_suffix"}, "sni_match_algo"),
    ],
)
@pytest.mark.parametrize("protocol", ["HTTP", "TCP"])
def test_tls_settings_on_a_listener_without_tls_are_refused_not_ignored(alpha: Api, protocol: str, fields: dict[str, Any], field: str) -> None:
    """(A security policy on such a listener: test_security_policy_listeners.py.)"""
    message = assert_create_refused(alpha, listener_body(lb(alpha), protocol, 80, **fields), 400, "ELB.8902")
    assert message.startswith(f"Invalid input for '{field}': only HTTPS, TLS and QUIC listeners"), message


def test_values_that_ask_for_no_tls_stay_accepted_on_a_listener_without_tls(alpha: Api) -> None:
    fields = {"sni_container_refs": [], "client_ca_tls_container_ref": "", "sni_match_algo": "wildcard", "default_tls_container_ref": None}
    made = alpha.ok("POST", "listeners", listener_body(lb(alpha), "HTTP", 80, **fields))["listener"]
    assert (made["sni_container_refs"], made["client_ca_tls_container_ref"], made["sni_match_algo"]) == ([], None, "wildcard")
    assert rows_of(alpha, made["id"]) == set()


def test_longest_suffix_matching_is_unserved_on_a_tls_listener(alpha: Api) -> None:
    body = listener_body(lb(alpha), default_tls_container_ref=server(alpha, "www.example.com"), sni_match_algo="longest_suffix")
    message = assert_create_refused(alpha, body, 400, "ELB.8902")
    assert message.startswith("Invalid input for 'sni_match_algo': elbd does not serve longest_suffix"), message


# references on update


def test_update_changes_and_clears_references_and_the_rows_follow(alpha: Api) -> None:
    default, other_default = server(alpha, "www.example.com"), server(alpha, "www2.example.com")
    sni, ca, other_ca = server(alpha, "a.example.com"), client_ca(alpha), client_ca(alpha, issue("Other Root", ca=True))
    body = listener_body(lb(alpha), default_tls_container_ref=default, sni_container_refs=[sni], client_ca_tls_container_ref=ca)
    listener_id = alpha.ok("POST", "listeners", body)["listener"]["id"]
    path = f"listeners/{listener_id}"
    changed = alpha.ok("PUT", path, {"listener": {"default_tls_container_ref": other_default, "client_ca_tls_container_ref": other_ca}})["listener"]
    assert (changed["default_tls_container_ref"], changed["client_ca_tls_container_ref"], changed["sni_container_refs"]) == (other_default, other_ca, [sni])
    assert rows_of(alpha, listener_id) == {("default", other_default), ("sni", sni), ("client_ca", other_ca)}
    alpha.ok("DELETE", f"certificates/{default}")
    alpha.ok("DELETE", f"certificates/{ca}")
    cleared = alpha.ok("PUT", path, {"listener": {"client_ca_tls_container_ref": "", "sni_container_refs": None}})["listener"]
    assert (cleared["client_ca_tls_container_ref"], cleared["sni_container_refs"]) == (None, [])
    assert rows_of(alpha, listener_id) == {("default", other_default)}
    alpha.ok("PUT", path, {"listener": {"client_ca_tls_container_ref": other_ca}})
    assert alpha.ok("PUT", path, {"listener": {"client_ca_tls_container_ref": None}})["listener"]["client_ca_tls_container_ref"] is None
    alpha.ok("DELETE", f"certificates/{other_ca}")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"default_tls_container_ref": "client"}, 400, "ELB.8902"),
        ({"default_tls_container_ref": None}, 400, "ELB.8902"),
        ({"default_tls_container_ref": "0" * 32}, 404, "ELB.8904"),
        ({"client_ca_tls_container_ref": "server"}, 400, "ELB.8902"),
        ({"sni_container_refs": ["default", "default"]}, 400, "ELB.8902"),
        ({"sni_match_algo": "longest_suffix"}, 400, "ELB.8902"),
    ],
)
def test_a_refused_update_leaves_the_listener_and_its_rows(alpha: Api, change: dict[str, Any], status: int, code: str) -> None:
    made = {"default": server(alpha, "www.example.com"), "server": server(alpha, "x.example.com"), "client": client_ca(alpha)}
    listener_id = alpha.ok("POST", "listeners", listener_body(lb(alpha), default_tls_container_ref=made["default"]))["listener"]["id"]
    named = {field: ([made.get(one, one) for one in value] if isinstance(value, list) else made.get(value, value)) for field, value in change.items()}
    before = database_rows(alpha.client)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener_id}", {"listener": named}), status, code)
    assert database_rows(alpha.client) == before


# certificates in use


def test_a_certificate_in_use_is_not_deleted_until_no_listener_uses_it(alpha: Api) -> None:
    default, ca, spare = server(alpha, "www.example.com"), client_ca(alpha), server(alpha, "spare.example.com")
    lb_id = lb(alpha)
    first = alpha.ok("POST", "listeners", listener_body(lb_id, "HTTPS", 443, default_tls_container_ref=default, client_ca_tls_container_ref=ca))["listener"]
    second = alpha.ok("POST", "listeners", listener_body(lb_id, "TLS", 8443, default_tls_container_ref=default))["listener"]
    before = database_rows(alpha.client)
    error = assert_elb_error(alpha.call("DELETE", f"certificates/{default}"), 409, "ELB.8907")
    assert first["id"] in error["error_msg"] and second["id"] in error["error_msg"] and default in error["error_msg"]
    error = assert_elb_error(alpha.call("POST", "certificates/batch-delete", {"certificates": [spare, ca]}), 409, "ELB.8907")
    assert ca in error["error_msg"] and first["id"] in error["error_msg"] and spare not in error["error_msg"]
    assert database_rows(alpha.client) == before
    alpha.ok("DELETE", f"listeners/{first['id']}")
    assert rows_of(alpha, first["id"]) == set()
    assert alpha.ok("POST", "certificates/batch-delete", {"certificates": [spare, ca]}, status=200)["certificates"] == [
        {"id": spare, "ret_status": "successful"},
        {"id": ca, "ret_status": "successful"},
    ]
    assert_elb_error(alpha.call("DELETE", f"certificates/{default}"), 409, "ELB.8907")
    alpha.ok("DELETE", f"listeners/{second['id']}")
    alpha.ok("DELETE", f"certificates/{default}")


# a certificate's change reaches the data plane


def test_a_certificate_put_marks_every_load_balancer_presenting_it(alpha: Api, changes_told: list[Changes]) -> None:
    leaf = issue("www.example.com", names=["www.example.com"], issuer=ROOT)
    shared = alpha.ok("POST", "certificates", server_body(leaf))["certificate"]["id"]
    one, two, bystander = lb(alpha), lb(alpha), lb(alpha)
    alpha.ok("POST", "listeners", listener_body(one, default_tls_container_ref=shared))
    alpha.ok("POST", "listeners", listener_body(two, "TLS", 8443, default_tls_container_ref=server(alpha, "x.example.com"), sni_container_refs=[shared]))
    alpha.ok("POST", "listeners", listener_body(bystander, default_tls_container_ref=server(alpha, "y.example.com")))
    changes_told.clear()
    renewed = issue("www.example.com", names=["www.example.com"], issuer=ROOT, key=leaf.key, days=90)
    alpha.ok("PUT", f"certificates/{shared}", {"certificate": {"certificate": renewed.certificate_pem}})
    assert changes_told == [Changes.of([one, two])]
    changes_told.clear()
    alpha.ok("PUT", f"certificates/{shared}", {"certificate": {"domain": "www.example.com"}})
    assert changes_told == [Changes.of([one, two])]
    changes_told.clear()
    alpha.ok("PUT", f"certificates/{shared}", {"certificate": {"name": "renamed", "description": "traffic sees none of this"}})
    assert changes_told == []


def test_a_certificate_put_cannot_make_a_listeners_sni_names_clash(alpha: Api) -> None:
    first, second = server(alpha, "a.example.com"), server(alpha, "b.example.com")
    body = listener_body(lb(alpha), default_tls_container_ref=server(alpha, "www.example.com"), sni_container_refs=[first, second])
    listener_id = alpha.ok("POST", "listeners", body)["listener"]["id"]
    before = database_rows(alpha.client)
    error = assert_elb_error(alpha.call("PUT", f"certificates/{second}", {"certificate": {"domain": "b.example.com,a.example.com"}}), 400, "ELB.8902")
    assert error["error_msg"].startswith(f"Invalid input for 'domain': listener {listener_id} presents this certificate by SNI")
    assert "a.example.com is answered by both" in error["error_msg"]
    assert database_rows(alpha.client) == before
    alpha.ok("PUT", f"certificates/{second}", {"certificate": {"domain": "b.example.com,c.example.com"}})


# what the data plane reads


def test_the_store_answers_material_and_users_as_plain_values(alpha: Api) -> None:
    leaf = issue("www.example.com", names=["www.example.com"], issuer=ROOT)
    default = alpha.ok("POST", "certificates", server_body(leaf, ROOT))["certificate"]["id"]
    ca = client_ca(alpha)
    one, two = lb(alpha), lb(alpha)
    first = alpha.ok("POST", "listeners", listener_body(one, default_tls_container_ref=default, client_ca_tls_container_ref=ca))["listener"]["id"]
    second = alpha.ok("POST", "listeners", listener_body(two, "TLS", 8443, default_tls_container_ref=default))["listener"]["id"]
    with alpha.client.app.state.db.read() as session:
        material = certificate_material(session, alpha.client.app.state.secret_box, [default, ca, "0" * 32, default])
        assert material == {default: (leaf.certificate_pem + ROOT.certificate_pem, leaf.key_pem), ca: (ROOT.certificate_pem, None)}
        assert listeners_using(session, default) == sorted([first, second]) and listeners_using(session, ca) == [first]
        assert load_balancers_using(session, default) == sorted([one, two]) and load_balancers_using(session, "0" * 32) == []
