"""TLS termination rendered for HAProxy: bind options from the policy, crt-lists, the files the engine
writes, and the planner's rotation of a certificate whose content changed. HAProxy checks the result."""

import datetime
import shutil
import subprocess
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from elbd.dataplane.engine import TlsMaterial
from elbd.dataplane.haproxy_engine import presented_certificates, write_tls_files
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import Backend, Frontend, LoadBalancerConfig, SniCertificate, TlsPolicy, TlsTermination
from elbd.dataplane.plan import Converge, Live, Reload, plan_load_balancer
from elbd.dataplane.render import render
from elbd.dataplane.runtime_commands import CommitSslCert, SetSslCert, text
from elbd.dataplane.tls_files import cipher_list, crt_list

MODERN = TlsPolicy("TLSv1.2", "TLSv1.3", ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"), ("TLS_AES_128_GCM_SHA256",))
LEGACY = TlsPolicy("TLSv1.0", "TLSv1.2", ("ECDHE-RSA-AES128-SHA",), ())


def pem_certificate(name: str) -> TlsMaterial:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False).sign(key, hashes.SHA256())
    )
    return TlsMaterial(
        certificate.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
    )


def https(tls: TlsTermination) -> LoadBalancerConfig:
    frontend = Frontend("l-1", (ip_address("127.20.0.2"),), 443, "http", backend="p-1", tls=tls, request_headers=("X-Forwarded-Proto",))
    return LoadBalancerConfig("lb-1", 4000, (frontend,), (Backend("p-1", "http", "roundrobin"),))


TLS = TlsTermination("c-default", MODERN, sni=(SniCertificate("c-shop", ("shop.example.com", "*.shop.example.com")),), client_ca="c-ca", alpn=("h2", "http/1.1"))


def test_a_tls_listener_binds_with_its_certificates_policy_client_ca_and_alpn(tmp_path: Path) -> None:
    config = render(https(TLS), tmp_path, tmp_path)
    [bind] = [line.strip() for line in config.splitlines() if line.strip().startswith("bind 127.20.0.2")]
    assert bind == (
        f"bind 127.20.0.2:443 defer-accept ssl crt-list '{tmp_path}/tls/l-1.crt-list' ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 "
        "ciphers 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256' ciphersuites 'TLS_AES_128_GCM_SHA256' "
        f"ca-file '{tmp_path}/tls/c-ca.ca.pem' verify required alpn 'h2,http/1.1'"
    )
    assert "http-request set-header X-Forwarded-Proto https" in config
    assert "# certificates: c-default by default; c-shop for shop.example.com *.shop.example.com" in config


def test_the_default_certificate_never_wins_by_its_own_names(tmp_path: Path) -> None:
    assert crt_list(tmp_path, TLS) == f"{tmp_path}/tls/c-default.pem !*\n{tmp_path}/tls/c-shop.pem shop.example.com *.shop.example.com\n"


def test_only_a_policy_that_allows_tls_1_0_or_1_1_lowers_openssls_security_level() -> None:
    assert cipher_list(LEGACY) == "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"
    assert "@SECLEVEL" not in cipher_list(MODERN)


@pytest.mark.parametrize(
    "tls",
    [
        replace(TLS, sni=(SniCertificate("c-shop", ("shop.example.com\nbind 0.0.0.0:1",)),)),
        replace(TLS, sni=(SniCertificate("c-shop", ("*shop.example.com",)),)),
        replace(TLS, policy=replace(MODERN, ciphers=("AES128-SHA'x",))),
        replace(TLS, policy=replace(MODERN, min_version="SSLv3")),
        replace(TLS, certificate="../../etc/passwd"),
    ],
)
def test_nothing_but_names_and_cipher_words_reaches_a_bind_or_a_crt_list(tmp_path: Path, tls: TlsTermination) -> None:
    with pytest.raises(UnsafeValue):
        render(https(tls), tmp_path, tmp_path)


def test_a_crt_list_takes_only_plain_paths_and_host_names(tmp_path: Path) -> None:
    with pytest.raises(UnsafeValue):
        crt_list(tmp_path / "with space", TLS)
    with pytest.raises(UnsafeValue):
        crt_list(tmp_path, replace(TLS, sni=(SniCertificate("c-shop", ("a.example.com b",)),)))


def test_files_are_written_private_and_stale_ones_removed(tmp_path: Path) -> None:
    material = {one: pem_certificate(f"{one}.example.com") for one in ("c-default", "c-shop", "c-ca")}
    write_tls_files(tmp_path, https(TLS), material)
    directory = tmp_path / "tls"
    assert sorted(path.name for path in directory.iterdir()) == ["c-ca.ca.pem", "c-default.pem", "c-shop.pem", "l-1.crt-list"]
    assert all(path.stat().st_mode & 0o077 == 0 for path in directory.iterdir())
    assert (directory / "c-ca.ca.pem").read_text().count("PRIVATE KEY") == 0
    assert (directory / "c-default.pem").read_text() == material["c-default"].pem()
    assert presented_certificates(tmp_path) == {one: material[one].digest for one in ("c-default", "c-shop")}
    write_tls_files(tmp_path, https(replace(TLS, sni=(), client_ca=None)), material)
    assert sorted(path.name for path in directory.iterdir()) == ["c-default.pem", "l-1.crt-list"]


def test_a_certificate_to_rotate_keeps_its_old_file_until_the_process_presents_the_new_one(tmp_path: Path) -> None:
    old, new = pem_certificate("old.example.com"), pem_certificate("new.example.com")
    plain = https(replace(TLS, sni=(), client_ca=None))
    write_tls_files(tmp_path, plain, {"c-default": old})
    write_tls_files(tmp_path, plain, {"c-default": new}, keep=("c-default",))
    assert (tmp_path / "tls" / "c-default.pem").read_text() == old.pem()


def test_the_planner_rotates_changed_content_and_reloads_for_a_changed_skeleton() -> None:
    config = https(replace(TLS, sni=(), client_ca=None))
    live = Live(running=True, applied_skeleton="s", certificates={"c-default": "old"})
    assert plan_load_balancer(config, live, "s", {"c-default": "new"}) == Converge(config, (), ("c-default",))
    assert plan_load_balancer(config, live, "s", {"c-default": "old"}) == Converge(config, (), ())
    assert plan_load_balancer(config, live, "other", {"c-default": "new"}) == Reload(config)


def test_rotation_commands_carry_only_pem_lines() -> None:
    material = pem_certificate("a.example.com")
    command = text(SetSslCert("/run/lb/tls/c-1.pem", material.pem()))
    assert command.startswith("set ssl cert /run/lb/tls/c-1.pem <<\n-----BEGIN CERTIFICATE-----\n") and command.endswith("-----\n")
    assert text(CommitSslCert("/run/lb/tls/c-1.pem")) == "commit ssl cert /run/lb/tls/c-1.pem"
    with pytest.raises(UnsafeValue):
        text(SetSslCert("/run/lb/tls/c-1.pem", material.pem() + "\n\nshow info\n"))


@pytest.mark.skipif(shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists(), reason="needs HAProxy")
def test_haproxy_accepts_the_rendered_tls_configuration(tmp_path: Path) -> None:
    for tls in (TLS, replace(TLS, policy=LEGACY, alpn=()), replace(TLS, sni=(), client_ca=None, policy=replace(MODERN, ciphers=()))):
        material = {one: pem_certificate(f"{one}.example.com") for one in ("c-default", "c-shop", "c-ca")}
        write_tls_files(tmp_path, https(tls), material)
        path = tmp_path / "haproxy.cfg"
        path.write_text(render(https(tls), tmp_path, tmp_path))
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        checked = subprocess.run([binary, "-c", "-f", str(path)], capture_output=True, text=True, errors="replace", timeout=30)
        assert checked.returncode == 0, checked.stderr
