"""What a certificate's PEM text holds: parsed and checked, and the facts the API reports read from it.

Pure: text in, facts out, or a 400 ELB.8902 that says what is wrong. Nothing here ever puts a private
key's text into a message.

A server certificate is a chain, the server's own certificate first, each next one the issuer of the
one before it, with the private key of the first. A client certificate is a bundle of CA certificates
that clients' certificates must be issued by (mutual TLS), in any order. Either holds at most 11
certificates. Validity dates are not checked: the real service does not check them either (an expired
certificate is the owner's to replace), and `expire_time` says when it ends.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key
from cryptography.x509.oid import NameOID

from elbd.errors import invalid

MAX_CHAIN = 11
MIN_RSA_BITS = 2048  # what OpenSSL's default security level (Debian: 2) lets HAProxy load
COMMON_NAME_MAX = 255

_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")
_ENCRYPTED_LABEL = "ENCRYPTED PRIVATE KEY"
_EC_PARAMETERS = "EC PARAMETERS"  # what `openssl ecparam -genkey` writes before the key


@dataclass(frozen=True)
class CertificateFacts:
    """What the API reports of a certificate, read from its first certificate."""

    common_name: str
    subject_alternative_names: tuple[str, ...]
    fingerprint: str  # "SHA1 Fingerprint=AB:CD:...", as `openssl x509 -fingerprint` prints it
    expire_time: datetime  # naive UTC


def server_certificate(chain: str, private_key: str) -> CertificateFacts:
    """A server certificate: the chain in order, and the private key of its first certificate."""
    certificates = _certificates(chain)
    _check_chain_order(certificates)
    key = _private_key(private_key)
    if _public_key_der(key.public_key()) != _public_key_der(certificates[0].public_key()):
        raise invalid("Invalid input for 'private_key': it is not the private key of the certificate (their public keys differ).")
    return _facts(certificates[0])


def client_certificate(bundle: str) -> CertificateFacts:
    """A client certificate: one or more CA certificates."""
    certificates = _certificates(bundle)
    for number, certificate in enumerate(certificates, start=1):
        if not _is_ca(certificate):
            raise invalid(
                f"Invalid input for 'certificate': certificate {number} is not a CA certificate (no basicConstraints CA:TRUE); "
                "a client certificate holds the CA certificates that issue the clients' certificates."
            )
    return _facts(certificates[0])


def _blocks(text: str, field: str) -> list[tuple[str, str]]:
    """The PEM blocks of `text` as (label, whole block); anything but whitespace around them is refused."""
    blocks = [(match.group(1), match.group(0)) for match in _BLOCK.finditer(text)]
    if not blocks:
        raise invalid(f"Invalid input for '{field}': it is not PEM (no -----BEGIN ...----- / -----END ...----- block).")
    if _BLOCK.sub("", text).strip():
        raise invalid(f"Invalid input for '{field}': it holds text outside its PEM blocks; send the PEM blocks only.")
    return blocks


def _certificates(text: str) -> list[x509.Certificate]:
    blocks = _blocks(text, "certificate")
    for label, _ in blocks:
        if "PRIVATE KEY" in label:
            raise invalid("Invalid input for 'certificate': it holds a private key; send the key in private_key, where it is kept sealed.")
        if label != "CERTIFICATE":
            raise invalid(f"Invalid input for 'certificate': it holds a {label} block; it takes CERTIFICATE blocks only.")
    if len(blocks) > MAX_CHAIN:
        raise invalid(f"Invalid input for 'certificate': it holds {len(blocks)} certificates; a chain has at most {MAX_CHAIN}.")
    certificates = []
    for number, (_, block) in enumerate(blocks, start=1):
        try:
            certificates.append(x509.load_pem_x509_certificate(block.encode()))
        except ValueError:
            raise invalid(f"Invalid input for 'certificate': certificate {number} is not a valid X.509 certificate.") from None
    return certificates


def _check_chain_order(certificates: list[x509.Certificate]) -> None:
    for number, (issued, issuer) in enumerate(zip(certificates, certificates[1:]), start=1):
        try:
            issued.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            raise invalid(
                f"Invalid input for 'certificate': certificate {number + 1} did not issue certificate {number}; the chain "
                "goes from the server's certificate to its issuers, each certificate followed by the one that signed it."
            ) from None


def _private_key(text: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    blocks = _blocks(text, "private_key")
    labels = [label for label, _ in blocks]
    if _ENCRYPTED_LABEL in labels:
        raise invalid("Invalid input for 'private_key': it is encrypted; send it unencrypted (only original keys are taken).")
    keys = [block for label, block in blocks if label in _KEY_LABELS]
    others = [label for label in labels if label not in _KEY_LABELS and label != _EC_PARAMETERS]
    if others or len(keys) != 1:
        raise invalid("Invalid input for 'private_key': it must hold exactly one PEM private key block, and nothing else.")
    try:
        key = load_pem_private_key(keys[0].encode(), password=None)
    except TypeError:
        raise invalid("Invalid input for 'private_key': it is encrypted; send it unencrypted (only original keys are taken).") from None
    except (ValueError, UnsupportedAlgorithm):
        raise invalid("Invalid input for 'private_key': it is not a valid PEM private key.") from None
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise invalid(f"Invalid input for 'private_key': an RSA key of {key.key_size} bits is too weak to serve; use {MIN_RSA_BITS} bits or more.")
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key
    raise invalid("Invalid input for 'private_key': elbd serves RSA and ECDSA keys only.")


def _public_key_der(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False
    except ValueError:
        raise invalid("Invalid input for 'certificate': its extensions cannot be read.") from None


def _facts(certificate: x509.Certificate) -> CertificateFacts:
    return CertificateFacts(
        common_name=_common_name(certificate),
        subject_alternative_names=_dns_names(certificate),
        fingerprint="SHA1 Fingerprint=" + ":".join(f"{byte:02X}" for byte in hashlib.sha1(certificate.public_bytes(Encoding.DER)).digest()),
        expire_time=certificate.not_valid_after_utc.replace(tzinfo=None),
    )


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    common_name = value if isinstance(value, str) else value.decode(errors="replace")
    if len(common_name) > COMMON_NAME_MAX:
        raise invalid(f"Invalid input for 'certificate': its common name is longer than {COMMON_NAME_MAX} characters.")
    return common_name


def _dns_names(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    except ValueError:
        raise invalid("Invalid input for 'certificate': its extensions cannot be read.") from None
    return tuple(names.get_values_for_type(x509.DNSName))

