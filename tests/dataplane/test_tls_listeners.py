"""HTTPS and TLS listeners against real TLS clients (Python's ssl, openssl s_client, curl): the
certificate served per SNI name and by default, mutual TLS, each system policy's protocol range, ALPN,
re-encryption to HTTPS pools, and a certificate rotated under a client loop without a reload."""

import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from cryptography import x509
from cryptography.x509.oid import NameOID

from elbd.dataplane.haproxy_engine import process_for
from tests import postgres
from tests.certificates import Issued, client_body, issue, server_body
from tests.conftest import Api, LiveServer
from tests.dataplane.conftest import SUBNET, VIP, SharedLoadBalancer, project_api, settled_master, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

ROOT = issue("elbd test root", ca=True)
OTHER_ROOT = issue("another root", ca=True)
CLIENT_ROOT = issue("client root", ca=True)
VERSIONS = {"TLSv1.0": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1, "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}
ORDER = list(VERSIONS)
# Each system policy's protocol floor and ceiling, as the ELB documentation lists its protocols.
SYSTEM_POLICY_RANGES = {
    "tls-1-0": ("TLSv1.0", "TLSv1.2"),
    "tls-1-0-inherit": ("TLSv1.0", "TLSv1.2"),
    "tls-1-1": ("TLSv1.1", "TLSv1.2"),
    "tls-1-2": ("TLSv1.2", "TLSv1.2"),
    "tls-1-2-strict": ("TLSv1.2", "TLSv1.2"),
    "tls-1-2-fs": ("TLSv1.2", "TLSv1.2"),
    "tls-1-0-with-1-3": ("TLSv1.0", "TLSv1.3"),
    "tls-1-2-fs-with-1-3": ("TLSv1.2", "TLSv1.3"),
    "hybrid-policy-1-0": ("TLSv1.1", "TLSv1.2"),
    "tls-1-2-strict-no-cbc": ("TLSv1.2", "TLSv1.2"),
}


@dataclass(frozen=True)
class Handshake:
    common_name: str
    version: str
    alpn: str | None


def client_context(version: str | None = None, client: Issued | None = None, alpn: list[str] | None = None) -> ssl.SSLContext:
    """Trusts ROOT only; `version` pins the protocol (TLS 1.0 and 1.1 at OpenSSL's security level 0,
    which they need)."""
    context = ssl.create_default_context(cadata=ROOT.certificate_pem)
    context.check_hostname = False  # the test reads which certificate came, whatever name it asked for
    if version is not None:
        if version in ("TLSv1.0", "TLSv1.1"):
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():  # Python deprecates TLS 1.0 and 1.1 clients: here they test the policies' floors
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = VERSIONS[version]
    if client is not None:
        context.load_cert_chain(*_pem_files(client))
    if alpn:
        context.set_alpn_protocols(alpn)
    return context


_PEM_FILES = tempfile.TemporaryDirectory(prefix="elbd-tls-clients-")  # removed when the test process ends


def _pem_files(issued: Issued) -> tuple[Path, Path]:
    """`issued` as the files ssl's load_cert_chain reads: certificate, private key."""
    base = Path(_PEM_FILES.name) / format(issued.certificate.serial_number, "x")
    certificate, private_key = base.with_suffix(".crt"), base.with_suffix(".key")
    certificate.write_text(issued.certificate_pem)
    private_key.write_text(issued.key_pem)
    return certificate, private_key


def handshake(port: int, server_name: str | None = None, context: ssl.SSLContext | None = None, request: bool = False) -> Handshake:
    """One TLS handshake with the VIP (and with `request`, one HTTP request over it)."""
    with socket.create_connection((VIP, port), timeout=5) as raw, (context or client_context()).wrap_socket(raw, server_hostname=server_name) as tls:
        served = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True) or b"")
        name = served.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        if request:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            for _ in range(100):
                chunk = tls.recv(4096)
                if not chunk:
                    break
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        version = str(tls.version())
        return Handshake(str(name), "TLSv1.0" if version == "TLSv1" else version, tls.selected_alpn_protocol())


def refused(port: int, context: ssl.SSLContext, server_name: str | None = None) -> bool:
    """Whether the handshake (or the first read after it, where TLS 1.3 reports a refused client
    certificate) fails."""
    try:
        with socket.create_connection((VIP, port), timeout=5) as raw, context.wrap_socket(raw, server_hostname=server_name) as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return not tls.recv(4096)
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        return True


def server_certificate(api: Api, common_name: str, names: tuple[str, ...] = (), key: str = "ec", **fields: Any) -> dict[str, Any]:
    leaf = issue(common_name, names=names, issuer=ROOT, key=key)  # type: ignore[arg-type]
    return api.ok("POST", "certificates", server_body(leaf, **fields))["certificate"]


@dataclass
class TlsSite:
    api: Api
    lb: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]
    port: int
    backend: FakeBackend

    def update(self, **fields: Any) -> dict[str, Any]:
        return self.api.ok("PUT", f"listeners/{self.listener['id']}", {"listener": fields})["listener"]


@pytest.fixture
def cloud(shared: SharedLoadBalancer) -> Api:
    return shared.api


def tls_sites(cloud: Api, subnet: dict[str, Any], lb: dict[str, Any], backends: Callable[..., FakeBackend]) -> Callable[..., TlsSite]:
    """Makes TLS listeners of their own on `lb`, each with its pool and a member."""

    def make(protocol: str = "HTTPS", pool_protocol: str = "HTTP", backend: FakeBackend | None = None, pool_fields: dict[str, Any] | None = None,
             **listener: Any) -> TlsSite:
        port = free_port_on(VIP)
        if "default_tls_container_ref" not in listener:
            listener["default_tls_container_ref"] = server_certificate(cloud, "default.example.com")["id"]
        made = cloud.listener(lb["id"], protocol=protocol, port=port, **listener)
        pool = cloud.pool(protocol=pool_protocol, listener_id=made["id"], **(pool_fields or {}))
        served = backend or backends("tls-backend")
        cloud.member(pool["id"], address=served.address, protocol_port=served.port, subnet_cidr_id=subnet["neutron_subnet_id"])
        return TlsSite(cloud, lb, made, pool, port, served)

    return make


@pytest.fixture
def tls_site(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> Callable[..., TlsSite]:
    return tls_sites(shared.api, shared.subnet, shared.lb, backends)


def serving(site: TlsSite, server_name: str | None = None, context: ssl.SSLContext | None = None) -> Handshake:
    """The first handshake that also carries a request, once the listener serves."""

    def attempt() -> Handshake | None:
        try:
            return handshake(site.port, server_name, context, request=True)
        except (OSError, AssertionError):
            return None

    return wait_for(attempt, timeout_s=15)


def test_the_default_certificate_and_each_sni_certificate_by_name(tls_site: Callable[..., TlsSite], cloud: Api) -> None:
    exact = server_certificate(cloud, "a.example.com", names=("a.example.com",))
    wildcard = server_certificate(cloud, "wild", names=("*.b.example.com",))
    by_domain = server_certificate(cloud, "listed", names=("ignored.example.com",), domain="c.example.com,*.d.example.com")
    site = tls_site(sni_container_refs=[exact["id"], wildcard["id"], by_domain["id"]])
    assert serving(site, "a.example.com").common_name == "a.example.com"
    assert handshake(site.port, "x.b.example.com").common_name == "wild"
    assert handshake(site.port, "c.example.com").common_name == "listed"
    assert handshake(site.port, "y.d.example.com").common_name == "listed"
    assert handshake(site.port, "ignored.example.com").common_name == "default.example.com"  # the domain list wins over SANs
    assert handshake(site.port, "x.y.b.example.com").common_name == "default.example.com"  # a wildcard covers one label
    assert handshake(site.port, "unknown.example.org").common_name == "default.example.com"
    assert handshake(site.port, None).common_name == "default.example.com"  # no SNI at all


def test_members_hear_the_client_spoke_https(tls_site: Callable[..., TlsSite]) -> None:
    site = tls_site()
    serving(site)
    assert b"\r\nx-forwarded-proto: https\r\n" in site.backend.last_request.lower()


def test_curl_and_openssl_s_client_see_the_same_listener(tls_site: Callable[..., TlsSite], tmp_path: Path) -> None:
    if shutil.which("curl") is None or shutil.which("openssl") is None:
        pytest.fail("curl and openssl are part of the test machine (Debian's curl and openssl packages)")
    site = tls_site()
    serving(site)
    ca = tmp_path / "root.pem"
    ca.write_text(ROOT.certificate_pem)
    curl = subprocess.run(["curl", "-sS", "--cacert", str(ca), "--resolve", f"default.example.com:{site.port}:{VIP}",
                           f"https://default.example.com:{site.port}/"], capture_output=True, text=True, timeout=20, check=False)
    assert (curl.returncode, curl.stdout) == (0, "tls-backend"), curl.stderr
    s_client = subprocess.run(["openssl", "s_client", "-connect", f"{VIP}:{site.port}", "-servername", "default.example.com",
                               "-CAfile", str(ca), "-verify_return_error", "-brief"], input="", capture_output=True, text=True,
                              timeout=20, check=False)
    assert s_client.returncode == 0, s_client.stderr
    assert "Verification: OK" in s_client.stderr and "Protocol version: TLSv1.2" in s_client.stderr, s_client.stderr


def test_mutual_tls_takes_only_clients_the_ca_signed(tls_site: Callable[..., TlsSite], cloud: Api) -> None:
    client_ca = cloud.ok("POST", "certificates", client_body(CLIENT_ROOT))["certificate"]
    site = tls_site(client_ca_tls_container_ref=client_ca["id"])
    good = issue("good client", issuer=CLIENT_ROOT)
    stranger = issue("stranger", issuer=OTHER_ROOT)
    assert serving(site, context=client_context(client=good)).common_name == "default.example.com"
    assert refused(site.port, client_context())
    assert refused(site.port, client_context(client=stranger))
    assert refused(site.port, client_context(version="TLSv1.2"))  # TLS 1.2 refuses in the handshake itself
    site.update(client_ca_tls_container_ref=None)
    wait_for(lambda: not refused(site.port, client_context()), timeout_s=15)


def test_each_system_policy_serves_its_protocols_and_no_other(tls_site: Callable[..., TlsSite]) -> None:
    site = tls_site()
    serving(site)
    for policy, (floor, ceiling) in SYSTEM_POLICY_RANGES.items():
        site.update(tls_ciphers_policy=policy)
        expected = {version: ORDER.index(floor) <= ORDER.index(version) <= ORDER.index(ceiling) for version in ORDER}
        try:
            wait_for(lambda: _accepted_versions(site.port) == expected, timeout_s=15)  # the update converges after its 200
        except AssertionError:
            raise AssertionError(f"{policy}: expected {expected}, a client of each version got {_accepted_versions(site.port)}") from None


def _accepted_versions(port: int) -> dict[str, bool]:
    return {version: _accepts(port, version) for version in ORDER}


def _accepts(port: int, version: str) -> bool:
    try:
        return handshake(port, "default.example.com", client_context(version)).version == version
    except (ssl.SSLError, ConnectionResetError):
        return False


def test_a_custom_security_policy_wins_over_the_system_one(tls_site: Callable[..., TlsSite], cloud: Api) -> None:
    policy = cloud.ok("POST", "security-policies", {"security_policy": {
        "name": "only-1-3", "protocols": ["TLSv1.3"], "ciphers": ["TLS_AES_256_GCM_SHA384"]}})["security_policy"]
    site = tls_site(tls_ciphers_policy="tls-1-2", security_policy_id=policy["id"])
    assert serving(site, context=client_context("TLSv1.3")).version == "TLSv1.3"
    assert not _accepts(site.port, "TLSv1.2")
    with socket.create_connection((VIP, site.port), timeout=5) as raw, client_context().wrap_socket(raw) as tls:
        assert tls.cipher()[0] == "TLS_AES_256_GCM_SHA384"


def test_http2_is_offered_through_alpn_only_when_enabled(tls_site: Callable[..., TlsSite]) -> None:
    site = tls_site(http2_enable=True)
    offered = client_context(alpn=["h2", "http/1.1"])
    assert serving(site).common_name == "default.example.com"
    assert handshake(site.port, context=offered).alpn == "h2"
    site.update(http2_enable=False)
    wait_for(lambda: handshake(site.port, context=client_context(alpn=["h2", "http/1.1"])).alpn != "h2", timeout_s=15)
    assert handshake(site.port, context=offered).alpn in (None, "http/1.1")


def test_an_https_pool_is_reached_over_tls(tls_site: Callable[..., TlsSite], backends: Callable[..., FakeBackend]) -> None:
    member_side = issue("member.internal", issuer=OTHER_ROOT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_pem_files(member_side))
    secure = backends("secure-backend", tls=context)
    site = tls_site(pool_protocol="HTTPS", backend=secure)
    serving(site)
    assert secure.served >= 1 and secure.last_request.startswith(b"GET / HTTP/1.1")


def test_a_tls_listener_terminates_tls_in_front_of_plain_tcp(tls_site: Callable[..., TlsSite]) -> None:
    site = tls_site(protocol="TLS", pool_protocol="TCP", pool_fields={"ip_version": "v4"})
    assert serving(site, "default.example.com").common_name == "default.example.com"
    assert b"x-forwarded-proto" not in site.backend.last_request.lower()  # TCP: bytes pass as sent


def test_a_tls_listener_re_encrypts_to_a_tls_pool(tls_site: Callable[..., TlsSite], backends: Callable[..., FakeBackend]) -> None:
    member_side = issue("member.internal", issuer=OTHER_ROOT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_pem_files(member_side))
    secure = backends("secure-tcp-backend", tls=context)
    site = tls_site(protocol="TLS", pool_protocol="TLS", backend=secure)
    assert serving(site, "default.example.com").common_name == "default.example.com"
    assert secure.served >= 1


def test_a_certificate_put_rotates_without_a_reload_and_without_a_failed_handshake(tls_site: Callable[..., TlsSite], cloud: Api,
                                                                                   shared: SharedLoadBalancer) -> None:
    site = tls_site()
    serving(site)
    certificate_id = site.listener["default_tls_container_ref"]
    assert shared.server is not None
    process = process_for(shared.server.data_dir, site.lb["id"])
    state_before = settled_master(process)  # the site's own changes may still be reloading: the master re-executes, its socket gone a moment
    seen: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def client_loop() -> None:
        for _ in range(20_000):
            if stop.is_set():
                return
            try:
                seen.append(handshake(site.port, "default.example.com").common_name)
            except (OSError, ssl.SSLError) as error:
                failures.append(repr(error))

    loop = threading.Thread(target=client_loop)
    loop.start()
    try:
        wait_for(lambda: len(seen) >= 20, timeout_s=15)
        renewed = issue("renewed.example.com", issuer=ROOT)
        cloud.ok("PUT", f"certificates/{certificate_id}", {"certificate": {"certificate": renewed.certificate_pem, "private_key": renewed.key_pem}})
        first_after = handshake(site.port, "default.example.com").common_name
        count = len(seen)
        wait_for(lambda: len(seen) >= count + 20, timeout_s=15)
    finally:
        stop.set()
        loop.join(timeout=30)
    assert first_after == "renewed.example.com"  # a handshake after the 200 gets the new certificate
    assert failures == []
    assert seen[-1] == "renewed.example.com" and "default.example.com" in seen
    assert process.master_state() == state_before  # no reload: the same master, no reload counted


def test_a_certificate_that_cannot_be_deployed_is_reported_and_the_previous_one_keeps_serving(
    elbd_haproxy: LiveServer, backends: Callable[..., FakeBackend]
) -> None:
    """On a server of its own: it leaves its load balancer in ERROR."""
    with project_api(elbd_haproxy) as cloud:
        subnet = cloud.subnet(cloud.vpc()["id"], SUBNET)
        site = tls_sites(cloud, subnet, cloud.load_balancer(subnet, vip_address=VIP), backends)()
        serving(site)
        other = server_certificate(cloud, "other.example.com")
        database = sqlalchemy.create_engine(postgres.database_url_for(elbd_haproxy.data_dir))
        with database.begin() as connection:  # a key sealed for another certificate does not open here
            connection.execute(sqlalchemy.text("UPDATE certificates SET private_key_sealed = (SELECT private_key_sealed FROM certificates WHERE id = :other) WHERE id = :mine"),
                               {"other": other["id"], "mine": site.listener["default_tls_container_ref"]})
        database.dispose()
        site.update(description="asks for a rebuild")

        def reported() -> dict[str, Any] | None:
            tree = cloud.ok("GET", f"loadbalancers/{site.lb['id']}/statuses")["statuses"]["loadbalancer"]
            return tree if tree["provisioning_status"] == "ERROR" else None

        tree = wait_for(reported, timeout_s=15)
        assert "private key does not open" in tree["dataplane"]["message"]
        assert handshake(site.port, "default.example.com", request=True).common_name == "default.example.com"
