"""Certificates made in-process with `cryptography`, for any test that needs one: CAs, intermediates,
server certificates with subjectAltNames (wildcards too), client certificates, ECDSA P-256 or RSA-2048
keys, expired ones. ECDSA keys cost microseconds; RSA keys are made once and reused (rsa_key).

    root = issue("Test Root", ca=True)
    leaf = issue("www.example.com", names=["www.example.com", "*.example.com"], issuer=root)
    body = server_body(leaf, root)   # {"certificate": {...}} for POST .../elb/certificates
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KeyKind = Literal["ec", "rsa"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@functools.cache
def rsa_key(bits: int = 2048, number: int = 0) -> rsa.RSAPrivateKey:
    """RSA keys cost ~100 ms each: each (size, number) is made once and reused; another number, another key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def new_key(kind: KeyKind = "ec") -> PrivateKey:
    """A fresh ECDSA P-256 key, or the shared RSA-2048 key."""
    return ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa_key()


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    certificate: x509.Certificate
    key: PrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> str:
        """PKCS#8, unencrypted."""
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()

    def encrypted_key_pem(self, password: bytes = b"secret") -> str:
        encryption = serialization.BestAvailableEncryption(password)
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject


def issue(
    common_name: str | None,
    *,
    names: Sequence[str] = (),
    issuer: Issued | None = None,
    ca: bool = False,
    key: KeyKind | PrivateKey = "ec",
    expired: bool = False,
    days: int = 30,
) -> Issued:
    """A certificate for `common_name` (None: no CN) with DNS `names` as subjectAltName, signed by
    `issuer` (None: self-signed); `ca` makes it a CA (basicConstraints CA:TRUE)."""
    private_key = new_key(key) if isinstance(key, str) else key
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else [])
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=days + 2), now - timedelta(days=1)) if expired else (now - timedelta(minutes=5), now + timedelta(days=days))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.name if issuer else subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    signer = issuer.key if issuer else private_key
    return Issued(builder.sign(signer, hashes.SHA256()), private_key)


def chain(*issued: Issued) -> str:
    """The PEM certificates in this order (a server's chain: its own first, then each issuer)."""
    return "".join(one.certificate_pem for one in issued)


def server_body(leaf: Issued, *issuers: Issued, **fields: Any) -> dict[str, Any]:
    """A create body for a server certificate: `leaf` and its issuers as the chain, and its key."""
    return {"certificate": {"type": "server", "certificate": chain(leaf, *issuers), "private_key": leaf.key_pem, **fields}}


def client_body(*cas: Issued, **fields: Any) -> dict[str, Any]:
    """A create body for a client certificate: a bundle of these CAs."""
    return {"certificate": {"type": "client", "certificate": chain(*cas), **fields}}
