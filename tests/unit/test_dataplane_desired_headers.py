"""A listener's insert_headers, enable_member_retry and member_timeout -> what its frontend and its
pool's backend do to each request (desired.py), and the configuration lines they become (render.py)."""

from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest

from elbd import insert_headers
from elbd.dataplane.desired import desired_config
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import Backend, Frontend, LoadBalancerConfig, Match, Route, TlsPolicy, TlsTermination, ToBackends
from elbd.dataplane.render import http_request_lines, render
from elbd.insert_headers import SERVED, TLS_SERVED, headers_on
from elbd.store.dataplane import StoredListener, StoredLoadBalancer, StoredPool

LB = "0d6f1c51-5b2c-4a49-8a0e-7b8b8e3b1f10"


def listener(protocol: str = "HTTP", **changes: object) -> StoredListener:
    return StoredListener("l-1", protocol, 80, True, "p-1", 15, 30, 45, False, None, None, [], None, None)._replace(**changes)


def frontend_of(one: StoredListener) -> Frontend:
    stored = StoredLoadBalancer(LB, "127.20.0.2", None, (one,), (StoredPool("p-1", "HTTP", "ROUND_ROBIN", True),), {}, ())
    [frontend] = desired_config(stored, 4_000).frontends
    return frontend


@pytest.mark.parametrize(
    ("protocol", "headers", "expected"),
    [
        ("HTTP", {}, ("X-Forwarded-Host",)),  # Huawei's default: Host rewritten into X-Forwarded-Host
        ("HTTPS", {}, ("X-Forwarded-Host", "X-Forwarded-Proto")),  # elbd has always told members https
        ("HTTP", {"X-Forwarded-Host": False}, ()),
        ("HTTPS", {"X-Forwarded-Proto": False, "X-Forwarded-Host": False}, ()),
        ("HTTP", {"X-Forwarded-Proto": True}, ("X-Forwarded-Host", "X-Forwarded-Proto")),
        ("HTTP", dict.fromkeys(SERVED, True), SERVED),
        ("HTTP", {"X-Real-IP": True, "X-Forwarded-ELB-ID": False, "X-Forwarded-TLS-Cipher": False}, ("X-Forwarded-Host", "X-Real-IP")),
        ("HTTPS", {"X-Forwarded-Tls-Sni-enable": True, "X-Forwarded-TLS-Protocol": True, "X-Forwarded-TLS-Cipher": False},
         ("X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-TLS-Protocol", "X-Forwarded-Tls-Sni")),
        ("HTTP", {"X-Forwarded-TLS-Protocol": True}, ("X-Forwarded-Host",)),  # no TLS session (the API refuses it)
        ("TCP", dict.fromkeys(SERVED, True), ()),  # bytes only: no request to set headers on
        ("TLS", {}, ()),
    ],
)
def test_insert_headers_become_the_headers_a_listener_sets(protocol: str, headers: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert headers_on(headers, protocol) == expected


def test_a_stored_listener_carries_its_headers_to_its_frontend() -> None:
    assert frontend_of(listener(insert_headers={"X-Real-IP": True, "X-Forwarded-Host": False})).request_headers == ("X-Real-IP",)
    assert frontend_of(listener()).request_headers == ("X-Forwarded-Host",)  # {}: the defaults
    assert frontend_of(listener("TCP", insert_headers={"X-Real-IP": True})).request_headers == ()


@pytest.mark.parametrize(("headers", "mode"), [({}, "append"), ({"X-Forwarded-For-Processing-Mode": "remove"}, "remove"),
                                              ({"X-Forwarded-For-Processing-Mode": "preserve"}, "preserve"),
                                              ({"X-Forwarded-For-Processing-Mode": "bogus"}, "append")])
def test_the_processing_mode_decides_x_forwarded_for(headers: dict[str, Any], mode: str) -> None:
    assert frontend_of(listener(insert_headers=headers)).forwarded_for == mode


def test_member_timeout_is_the_listeners_and_only_an_http_listeners() -> None:
    assert frontend_of(listener(member_timeout=7)).member_timeout_s == 7
    assert frontend_of(listener("TCP", member_timeout=None, client_timeout=None)).member_timeout_s is None


def test_a_pool_retries_on_another_member_unless_its_listeners_turned_it_off() -> None:
    def backend(*listeners: StoredListener) -> Backend:
        stored = StoredLoadBalancer(LB, "127.20.0.2", None, listeners, (StoredPool("p-1", "HTTP", "ROUND_ROBIN", True),), {}, ())
        return desired_config(stored, 4_000).backends[0]

    assert backend(listener()).retry_members is True
    assert backend(listener(enable_member_retry=False)).retry_members is False
    assert backend().retry_members is True  # no listener: nothing asked
    # the API keeps a pool's listeners agreeing; were they not, retries off would win
    assert backend(listener(), listener(id="l-2", protocol_port=81, enable_member_retry=False)).retry_members is False


def http_frontend(**fields: Any) -> Frontend:
    return Frontend("l-1", (ip_address("127.20.0.2"),), 8080, "http", backend="p-1", **fields)


def test_each_header_replaces_what_the_client_sent() -> None:
    lines = http_request_lines(http_frontend(request_headers=SERVED), LB)
    assert lines == [
        "http-request add-header X-Forwarded-For %[src]",
        "http-request set-header X-Forwarded-ELB-IP %[dst]",
        "http-request set-header X-Forwarded-Port 8080",
        "http-request set-header X-Forwarded-For-Port %[src_port]",
        "http-request del-header X-Forwarded-Host",
        "http-request add-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found }",
        "http-request set-header X-Forwarded-Proto http",
        "http-request set-header X-Real-IP %[src]",
        f"http-request set-header X-Forwarded-ELB-ID {LB}",
    ]


def test_x_forwarded_proto_is_the_listeners_protocol() -> None:
    tls = TlsTermination("c-1", TlsPolicy("TLSv1.2", "TLSv1.3", ("AES128-SHA",), ()))
    assert "http-request set-header X-Forwarded-Proto https" in http_request_lines(http_frontend(tls=tls, request_headers=("X-Forwarded-Proto",)), LB)


@pytest.mark.parametrize(("mode", "lines"), [("append", ["http-request add-header X-Forwarded-For %[src]"]),
                                             ("remove", ["http-request del-header X-Forwarded-For"]), ("preserve", [])])
def test_x_forwarded_for_modes(mode: str, lines: list[str]) -> None:
    assert http_request_lines(http_frontend(forwarded_for=mode), LB) == lines


def test_an_https_listener_tells_of_the_clients_tls_session_only_what_it_has() -> None:
    tls = TlsTermination("c-1", TlsPolicy("TLSv1.2", "TLSv1.3", ("AES128-SHA",), ()))
    headers = tuple(TLS_SERVED.values())
    assert http_request_lines(http_frontend(tls=tls, request_headers=headers, forwarded_for="preserve"), LB) == [
        "http-request del-header X-Forwarded-TLS-Protocol",
        "http-request set-header X-Forwarded-TLS-Protocol %[ssl_fc_protocol] if { ssl_fc_protocol -m found }",
        "http-request del-header X-Forwarded-TLS-Cipher",
        "http-request set-header X-Forwarded-TLS-Cipher %[ssl_fc_cipher] if { ssl_fc_cipher -m found }",
        "http-request del-header X-Forwarded-Tls-Sni",
        "http-request set-header X-Forwarded-Tls-Sni %[ssl_fc_sni] if { ssl_fc_sni -m reg ^[A-Za-z0-9.-]{1,253}$ }",
        "http-request del-header X-Forwarded-Tls-Alpn-Protocol",
        "http-request set-header X-Forwarded-Tls-Alpn-Protocol %[ssl_fc_alpn] if { ssl_fc_alpn -m found }",
    ]
    with pytest.raises(UnsafeValue):  # a listener without TLS has no session to tell of
        http_request_lines(http_frontend(request_headers=("X-Forwarded-TLS-Protocol",)), LB)


def test_member_timeout_travels_to_the_backend_in_milliseconds() -> None:
    assert http_request_lines(http_frontend(forwarded_for="preserve", member_timeout_s=3), LB) == [
        "http-request set-var(txn.elbd_member_timeout_ms) int(3000)"
    ]


def test_a_tcp_listener_has_no_request_lines() -> None:
    assert http_request_lines(Frontend("l-1", (ip_address("127.20.0.2"),), 5432, "tcp", request_headers=SERVED, member_timeout_s=3), LB) == []


@pytest.mark.parametrize("fields", [{"request_headers": ("X-Evil: 1\nhttp-request deny",)}, {"request_headers": ("X-Forwarded-For",)},
                                    {"forwarded_for": "append\n"}, {"member_timeout_s": "3"}])
def test_nothing_outside_the_closed_set_reaches_the_text(fields: dict[str, Any]) -> None:
    with pytest.raises(UnsafeValue):
        http_request_lines(http_frontend(**fields), LB)


def test_a_backend_applies_the_listeners_member_timeout_and_retries_as_told(tmp_path: Path) -> None:
    config = LoadBalancerConfig(LB, 4_000, (http_frontend(member_timeout_s=3),),
                                (Backend("p-1", "http", "roundrobin", retry_members=False), Backend("p-2", "tcp", "roundrobin")))
    text = render(config, tmp_path, tmp_path)
    web, db = text.split("backend p-1", 1)[1].split("backend p-2")
    assert "http-request set-var(txn.elbd_member_timeout_ms) int(3000)" in text
    assert "http-request set-timeout server var(txn.elbd_member_timeout_ms) if { var(txn.elbd_member_timeout_ms) -m found }" in web
    assert "retries 0" in web and "retries 0" not in db and "set-timeout" not in db


def test_member_timeout_travels_only_where_a_backend_waits_another_time(tmp_path: Path) -> None:
    """A pool's `timeout server` is the longest member_timeout of its listeners: a listener whose pool
    already waits its member_timeout sets no variable, and a backend no such listener reaches reads none."""
    alone = LoadBalancerConfig(LB, 4_000, (http_frontend(member_timeout_s=30),), (Backend("p-1", "http", "roundrobin", server_timeout_s=30),))
    assert "elbd_member_timeout_ms" not in render(alone, tmp_path, tmp_path)
    shared = LoadBalancerConfig(LB, 4_000, (http_frontend(member_timeout_s=30), Frontend("l-2", (ip_address("127.20.0.2"),), 8081, "http", backend="p-1", member_timeout_s=5)),
                                (Backend("p-1", "http", "roundrobin", server_timeout_s=30),))
    text = render(shared, tmp_path, tmp_path)
    patient, impatient = text.split("frontend l-1", 1)[1].split("frontend l-2")
    assert "set-var" not in patient and "http-request set-var(txn.elbd_member_timeout_ms) int(5000)" in impatient.split("backend p-1")[0]
    assert "http-request set-timeout server var(txn.elbd_member_timeout_ms)" in text.split("backend p-1", 1)[1]


def test_a_routed_backend_that_waits_another_time_gets_the_member_timeout(tmp_path: Path) -> None:
    routed = Route("policy-1", (Match("path", "prefix", ("/slow",)),), ToBackends((("p-2", 1),)))
    config = LoadBalancerConfig(LB, 4_000, (http_frontend(member_timeout_s=30, routes=(routed,)),),
                                (Backend("p-1", "http", "roundrobin", server_timeout_s=30), Backend("p-2", "http", "roundrobin", server_timeout_s=90)))
    text = render(config, tmp_path, tmp_path)
    assert "http-request set-var(txn.elbd_member_timeout_ms) int(30000)" in text
    default, slow = text.split("backend p-1", 1)[1].split("backend p-2")
    assert "set-timeout server" in slow and "set-timeout server" in default  # the listener's requests carry it to both


@pytest.mark.parametrize(
    ("headers", "problem", "unserved", "asks"),
    [
        ({}, None, False, False),
        ({"X-Real-IP": False, "X-Forwarded-For-Processing-Mode": "append", "X-Forwarded-TLS-Cipher-alias": ""}, None, False, False),
        ({"X-Real-IP": True}, None, False, True),
        ({"X-Forwarded-For-Processing-Mode": "preserve"}, None, False, True),
        ({"X-Forwarded-Clientcert-end-enable": True}, None, True, True),
        ({"X-Forwarded-TLS-Cipher": True, "X-Forwarded-Tls-Alpn-Protocol-enable": True}, None, False, True),
        ({"X-Forwarded-TLS-Certificate-ID": True}, None, True, True),
        ({"X-Forwarded-Tls-Ja3-enable": True}, None, True, True),
        ({"X-Forwarded-Tls-Ja4-alias": "x_ja4"}, None, True, True),
        ({"X-Forwarded-Tls-Ja4-alias": "x ja4"}, "letters", True, True),
        ({"X-Bogus": False}, "not a header option", False, False),
        ({"X-Real-IP": 1}, "true or false", False, False),
    ],
)
def test_the_closed_set_of_header_options(headers: dict[str, Any], problem: str | None, unserved: bool, asks: bool) -> None:
    found = insert_headers.problem(headers)
    assert (found is None) if problem is None else (problem in str(found))
    assert insert_headers.unserved_asked(headers) is unserved
    assert insert_headers.asks_anything(headers) is asks
