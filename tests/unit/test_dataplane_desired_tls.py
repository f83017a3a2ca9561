"""The TLS side of desired_config, as a pure function: which certificates, names, client CA, policy and
ALPN protocols an HTTPS or TLS listener's frontend gets, and when such a listener is left out."""

import logging

import pytest

from elbd.dataplane.desired import desired_config
from elbd.dataplane.model import Frontend, SniCertificate, TlsPolicy, TlsTermination
from elbd.store.dataplane import StoredCertificateNames, StoredListener, StoredLoadBalancer, StoredPool, StoredSecurityPolicy
from elbd.tls_policies import SYSTEM_POLICIES, haproxy_terms

CERTIFICATES = {
    "c-default": StoredCertificateNames("c-default", None, ["default.example.com"], "default.example.com"),
    "c-sni": StoredCertificateNames("c-sni", "a.example.com,*.b.example.com", ["x.example.com"], "x.example.com"),
    "c-cn": StoredCertificateNames("c-cn", None, [], "CN.example.com"),
    "c-ca": StoredCertificateNames("c-ca", None, [], "client root"),
}
ONLY_1_3 = StoredSecurityPolicy("sp-1", ["TLSv1.3"], ["TLS_AES_256_GCM_SHA384"])


def https(**changes: object) -> StoredListener:
    listener = StoredListener("l-1", "HTTPS", 443, True, "p-1", 60, None, None, False, "c-default", None, [], None, None)
    return listener._replace(**changes)


def frontend(*listeners: StoredListener) -> tuple[Frontend, ...]:
    stored = StoredLoadBalancer(
        id="lb-1",
        vip_address="127.20.0.2",
        ipv6_vip_address=None,
        listeners=listeners,
        pools=(StoredPool("p-1", "HTTP", "ROUND_ROBIN", True),),
        monitors={},
        members=(),
        certificates=CERTIFICATES,
        security_policies={"sp-1": ONLY_1_3},
    )
    return desired_config(stored, maxconn=4_000).frontends


def system(name: str) -> TlsPolicy:
    terms = haproxy_terms(SYSTEM_POLICIES[name].protocols, SYSTEM_POLICIES[name].ciphers)
    return TlsPolicy(terms.min_version, terms.max_version, terms.ciphers, terms.ciphersuites)


def test_an_https_listener_terminates_tls_with_its_certificates_names_and_client_ca() -> None:
    (served,) = frontend(https(sni_container_refs=["c-sni", "c-cn"], client_ca_tls_container_ref="c-ca", http2_enable=True))
    assert served.mode == "http"
    assert served.tls == TlsTermination(
        certificate="c-default",
        policy=system("tls-1-2"),
        sni=(SniCertificate("c-sni", ("a.example.com", "*.b.example.com")), SniCertificate("c-cn", ("CN.example.com",))),
        client_ca="c-ca",
        alpn=("h2", "http/1.1"),
    )


def test_no_policy_named_is_the_default_system_policy_tls_1_2() -> None:
    (served,) = frontend(https())
    assert served.tls is not None and (served.tls.policy.min_version, served.tls.policy.max_version) == ("TLSv1.2", "TLSv1.2")


def test_a_system_policy_is_served_by_its_name() -> None:
    (served,) = frontend(https(tls_ciphers_policy="tls-1-0-with-1-3"))
    assert served.tls is not None and served.tls.policy == system("tls-1-0-with-1-3")
    assert (served.tls.policy.min_version, served.tls.policy.max_version) == ("TLSv1.0", "TLSv1.3")


def test_a_custom_security_policy_wins_over_the_system_one() -> None:
    (served,) = frontend(https(tls_ciphers_policy="tls-1-0", security_policy_id="sp-1"))
    assert served.tls is not None and served.tls.policy == TlsPolicy("TLSv1.3", "TLSv1.3", (), ("TLS_AES_256_GCM_SHA384",))


def test_a_tls_listener_is_a_tcp_frontend_and_offers_no_alpn() -> None:
    (served,) = frontend(https(protocol="TLS", http2_enable=True))
    assert served.mode == "tcp" and served.tls is not None and served.tls.alpn == ()


def test_http2_off_offers_no_alpn() -> None:
    (served,) = frontend(https())
    assert served.tls is not None and served.tls.alpn == ()


def test_a_listener_naming_a_certificate_or_policy_that_is_gone_is_left_out_not_served_with_less() -> None:
    kept = https(id="l-kept", protocol_port=8443)
    assert [one.name for one in frontend(kept, https(default_tls_container_ref="c-gone"))] == ["l-kept"]
    assert [one.name for one in frontend(kept, https(sni_container_refs=["c-gone"]))] == ["l-kept"]
    assert [one.name for one in frontend(kept, https(client_ca_tls_container_ref="c-gone"))] == ["l-kept"]
    assert [one.name for one in frontend(kept, https(security_policy_id="sp-gone"))] == ["l-kept"]


def test_a_listener_left_out_is_logged_with_why(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="elbd.dataplane.desired"):
        frontend(https(id="l-no-cert", default_tls_container_ref="c-gone"), https(id="l-no-policy", protocol_port=8443, security_policy_id="sp-gone"))
    assert [record.getMessage() for record in caplog.records] == [
        "listener l-no-cert names a certificate that is gone: it is left out of the data plane",
        "listener l-no-policy names a TLS policy that is gone or cannot be served: it is left out of the data plane",
    ]


def test_plain_listeners_get_no_tls_whatever_their_tls_fields_hold() -> None:
    (served,) = frontend(https(protocol="HTTP"))
    assert served.tls is None
