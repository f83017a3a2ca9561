"""tls_policies.py against its sources and its consumers: the SDK's cipher names, the listener's policy
names, this host's `openssl ciphers` (every name a policy hands OpenSSL is one it knows, at the
protocols the module says), `haproxy -c` on a bind line of every system policy, and the data plane's
TlsPolicy, which takes the terms field for field."""

import dataclasses
import datetime
import re
import shutil
import subprocess
from pathlib import Path
from typing import get_args

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from huaweicloudsdkelb.v3.model.create_security_policy_option import CreateSecurityPolicyOption

from elbd.dataplane.model import TlsPolicy
from elbd.dataplane.tls_files import cipher_list, ciphersuite_list
from elbd.schemas.listeners import CiphersPolicy
from elbd.tls_policies import (
    ABSENT_FROM_OPENSSL,
    CIPHERS,
    DEFAULT_SYSTEM_POLICY,
    PROTOCOLS,
    SYSTEM_POLICIES,
    OpenSslTerms,
    UnservablePolicy,
    haproxy_terms,
    missing_between,
    protocols_of,
)

OPENSSL = shutil.which("openssl")
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command")
needs_haproxy = pytest.mark.skipif(HAPROXY is None, reason="needs HAProxy")
NAMED_ANYWHERE = sorted(set(CIPHERS).union(*(policy.ciphers for policy in SYSTEM_POLICIES.values())))
OPENSSL_PROTOCOLS = {"TLSv1.3": ("TLSv1.3",), "TLSv1.2": ("TLSv1.2",), "TLSv1": ("TLSv1", "TLSv1.1", "TLSv1.2"), "SSLv3": ("TLSv1", "TLSv1.1", "TLSv1.2")}


def sdk_cipher_names() -> list[str]:
    """The names CreateSecurityPolicyOption's description gives for `ciphers`, in its order."""
    doc = CreateSecurityPolicyOption.__init__.__doc__ or ""
    listed = re.search(r":param ciphers:.*?取值范围\*\*：\s*(.*?)\s+\*\*默认取值", doc, re.S)
    assert listed is not None
    return [name.strip() for name in listed.group(1).split(",")]


def openssl_ciphers(ciphers: str, ciphersuites: str = "") -> subprocess.CompletedProcess[str]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, "ciphers", "-v", "-ciphersuites", ciphersuites, ciphers], capture_output=True, text=True, timeout=30)


def listed_by_openssl(ciphers: str, ciphersuites: str = "") -> dict[str, str]:
    """Name -> the protocol column of `openssl ciphers -v`."""
    done = openssl_ciphers(ciphers, ciphersuites)
    assert done.returncode == 0, done.stderr
    return {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()}


def as_data_plane_policy(terms: OpenSslTerms) -> TlsPolicy:
    return TlsPolicy(**dataclasses.asdict(terms))


# the tables


def test_the_allowed_ciphers_are_the_sdks() -> None:
    assert list(CIPHERS) == sdk_cipher_names()
    assert len(CIPHERS) == 28


def test_the_system_policies_are_the_ones_a_listener_may_name() -> None:
    assert set(SYSTEM_POLICIES) == set(get_args(CiphersPolicy))
    assert DEFAULT_SYSTEM_POLICY == "tls-1-2"


@pytest.mark.parametrize("name", list(SYSTEM_POLICIES))
def test_every_system_policy_is_one_range_of_known_protocols_with_ciphers_for_them(name: str) -> None:
    policy = SYSTEM_POLICIES[name]
    assert set(policy.protocols) <= set(PROTOCOLS) and missing_between(policy.protocols) == ()
    assert len(set(policy.ciphers)) == len(policy.ciphers)
    assert all(set(protocols_of(cipher)) & set(policy.protocols) for cipher in policy.ciphers), "a cipher no protocol of it serves"


def test_the_documented_policies_as_the_api_lists_them() -> None:
    """Spot checks against the API's answer: the TLS 1.3 policies end with the five TLS 1.3 suites, and the
    strict ones have no CBC or no non-forward-secret suite."""
    assert SYSTEM_POLICIES["tls-1-0-with-1-3"].protocols == ("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1")
    assert SYSTEM_POLICIES["tls-1-2-fs-with-1-3"].ciphers[-5:] == tuple(name for name in CIPHERS if name.startswith("TLS_"))
    assert all("GCM" in name for name in SYSTEM_POLICIES["tls-1-2-strict-no-cbc"].ciphers)
    assert all(name.startswith("ECDHE-") for name in SYSTEM_POLICIES["tls-1-2-fs"].ciphers)
    assert len(SYSTEM_POLICIES["tls-1-0-inherit"].ciphers) == 33 and len(SYSTEM_POLICIES["tls-1-0"].ciphers) == 18


# haproxy_terms, pure


def test_a_policy_becomes_a_version_range_and_two_cipher_lists() -> None:
    terms = haproxy_terms(["TLSv1.3", "TLSv1.2"], ["TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_256_GCM_SHA384"])
    assert terms == OpenSslTerms("TLSv1.2", "TLSv1.3", ("ECDHE-RSA-AES128-GCM-SHA256",), ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"))
    assert not terms.legacy_security_level


def test_tls_1_0_and_1_1_ask_for_the_legacy_security_level() -> None:
    assert haproxy_terms(["TLSv1", "TLSv1.1", "TLSv1.2"], ["ECDHE-RSA-AES128-SHA"]).legacy_security_level
    assert haproxy_terms(["TLSv1.1", "TLSv1.2"], ["AES128-SHA"]).min_version == "TLSv1.1"


def test_a_version_no_cipher_serves_is_left_out_of_the_range() -> None:
    """OpenSSL would otherwise serve it with its own default ciphers."""
    assert haproxy_terms(["TLSv1.2", "TLSv1.3"], ["TLS_AES_128_GCM_SHA256"]) == OpenSslTerms("TLSv1.3", "TLSv1.3", (), ("TLS_AES_128_GCM_SHA256",))
    assert haproxy_terms(["TLSv1.2", "TLSv1.3"], ["AES128-GCM-SHA256"]) == OpenSslTerms("TLSv1.2", "TLSv1.2", ("AES128-GCM-SHA256",), ())
    only_tls_1_2 = haproxy_terms(["TLSv1", "TLSv1.1", "TLSv1.2"], ["ECDHE-RSA-AES128-GCM-SHA256"])
    assert (only_tls_1_2.min_version, only_tls_1_2.legacy_security_level) == ("TLSv1.2", False)


def test_names_openssl_lacks_are_left_out_and_repeats_count_once() -> None:
    terms = haproxy_terms(["TLSv1.2"], ["DES-CBC3-SHA", "AES128-SHA", "RC4-SHA", "AES128-SHA"])
    assert terms.ciphers == ("AES128-SHA",)


@pytest.mark.parametrize(
    ("protocols", "ciphers", "why"),
    [
        (["TLSv1", "TLSv1.2"], ["AES128-SHA"], "TLSv1.1 is missing between TLSv1, TLSv1.2"),
        (["TLSv1.1", "TLSv1.3"], ["AES128-SHA"], "TLSv1.2 is missing"),
        (["TLSv1.3"], ["AES128-SHA"], "no cipher"),
        (["TLSv1.2"], ["DES-CBC3-SHA"], "no cipher"),
    ],
)
def test_what_openssl_cannot_express_is_refused(protocols: list[str], ciphers: list[str], why: str) -> None:
    with pytest.raises(UnservablePolicy, match=why):
        haproxy_terms(protocols, ciphers)


def test_missing_between_names_the_gap() -> None:
    assert missing_between(["TLSv1.3", "TLSv1"]) == ("TLSv1.1", "TLSv1.2")
    assert missing_between(["TLSv1.2", "TLSv1.1"]) == missing_between([]) == ()


@pytest.mark.parametrize("name", list(SYSTEM_POLICIES))
def test_the_terms_are_the_data_planes_tls_policy_field_for_field(name: str) -> None:
    policy = SYSTEM_POLICIES[name]
    terms = haproxy_terms(policy.protocols, policy.ciphers)
    rendered = as_data_plane_policy(terms)
    assert (rendered.min_version, rendered.max_version, rendered.ciphers, rendered.ciphersuites) == dataclasses.astuple(terms)
    assert terms.legacy_security_level == ("@SECLEVEL=0" in cipher_list(rendered))


# this host's OpenSSL


@needs_openssl
@pytest.mark.parametrize("cipher", NAMED_ANYWHERE)
def test_openssl_knows_every_name_but_the_absent_ones_at_the_protocols_said(cipher: str) -> None:
    if cipher in ABSENT_FROM_OPENSSL:
        done = openssl_ciphers(f"{cipher}:@SECLEVEL=0")
        assert done.returncode != 0 and "no cipher match" in done.stderr
    elif cipher.startswith("TLS_"):
        assert listed_by_openssl("AES128-SHA", cipher) == {cipher: "TLSv1.3", "AES128-SHA": "SSLv3"}  # openssl refuses an empty list
    else:
        listed = listed_by_openssl(f"{cipher}:@SECLEVEL=0")
        assert list(listed) == [cipher] and OPENSSL_PROTOCOLS[listed[cipher]] == protocols_of(cipher)


@needs_openssl
@pytest.mark.parametrize("name", list(SYSTEM_POLICIES))
def test_openssl_takes_every_name_of_each_system_policys_terms(name: str) -> None:
    """OpenSSL ignores a name it does not know as long as one other matches: so what it lists must be
    exactly what the terms name, in the data plane's own rendering."""
    policy = SYSTEM_POLICIES[name]
    rendered = as_data_plane_policy(haproxy_terms(policy.protocols, policy.ciphers))
    listed = listed_by_openssl(cipher_list(rendered), ciphersuite_list(rendered))
    assert set(listed) == set(rendered.ciphers) | set(rendered.ciphersuites)
    assert set(policy.ciphers) - set(listed) <= ABSENT_FROM_OPENSSL


# this host's HAProxy


def self_signed_pem(directory: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "policy.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = directory / "server.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def bind_line(pem: Path, policy: TlsPolicy) -> str:
    parts = [f"bind 127.0.0.1:18443 ssl crt {pem}", f"ssl-min-ver {policy.min_version} ssl-max-ver {policy.max_version}"]
    if policy.ciphers:
        parts.append(f"ciphers '{cipher_list(policy)}'")
    if policy.ciphersuites:
        parts.append(f"ciphersuites '{ciphersuite_list(policy)}'")
    return " ".join(parts)


@needs_haproxy
def test_haproxy_accepts_a_bind_line_of_every_system_policy(tmp_path: Path) -> None:
    assert HAPROXY is not None
    pem = self_signed_pem(tmp_path)
    for name, policy in SYSTEM_POLICIES.items():
        rendered = as_data_plane_policy(haproxy_terms(policy.protocols, policy.ciphers))
        config = tmp_path / f"{name}.cfg"
        config.write_text(
            "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"
            f"frontend policy\n    {bind_line(pem, rendered)}\n    default_backend nowhere\n"
            "backend nowhere\n    server one 127.0.0.1:1\n"
        )
        checked = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, errors="replace", timeout=30)
        assert checked.returncode == 0, f"{name}: {checked.stdout}{checked.stderr}"
