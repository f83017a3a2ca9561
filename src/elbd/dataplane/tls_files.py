"""Where a load balancer's TLS material lives for HAProxy, and the crt-list files that tie certificates
to the names clients ask for (SNI). Pure functions.

Files, in the load balancer's private run directory (0700; each file 0600):
- `tls/<certificate id>.pem`: a server certificate's chain, then its private key;
- `tls/<certificate id>.ca.pem`: a client CA bundle (mutual TLS);
- `tls/<listener id>.crt-list`: the listener's default certificate first, with `!*` so that it never
  wins an SNI match by its own names (a client naming no host, or a host no SNI certificate has, gets
  it all the same), then each SNI certificate with the names it answers for.

HAProxy's crt-list format has no quoting: a path or name that is not a plain word is refused here.
"""

import re
from pathlib import Path

from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import TlsPolicy, TlsTermination

TLS_DIRECTORY = "tls"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_./-]+")
_SNI_NAME = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_CIPHER = re.compile(r"[A-Za-z0-9_-]+")
VERSIONS = ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
ALPN_PROTOCOLS = ("h2", "http/1.1")
LEGACY_VERSIONS = ("TLSv1.0", "TLSv1.1")


def certificate_path(run_dir: Path, certificate_id: str) -> Path:
    return run_dir / TLS_DIRECTORY / f"{_plain(certificate_id)}.pem"


def client_ca_path(run_dir: Path, certificate_id: str) -> Path:
    return run_dir / TLS_DIRECTORY / f"{_plain(certificate_id)}.ca.pem"


def crt_list_path(run_dir: Path, listener_id: str) -> Path:
    return run_dir / TLS_DIRECTORY / f"{_plain(listener_id)}.crt-list"


def crt_list(run_dir: Path, tls: TlsTermination) -> str:
    lines = [f"{plain_path(certificate_path(run_dir, tls.certificate))} !*"]
    for sni in tls.sni:
        lines.append(" ".join([plain_path(certificate_path(run_dir, sni.certificate)), *map(sni_name, sni.names)]))
    return "\n".join(lines) + "\n"


def cipher_list(policy: TlsPolicy) -> str:
    """OpenSSL's cipher string for TLS 1.2 and older. OpenSSL 3 forbids the SHA-1 signatures TLS 1.0 and
    1.1 need at its default security level: a policy that allows them lowers it, the others must not."""
    names = [_cipher(name) for name in policy.ciphers]
    if policy.min_version in LEGACY_VERSIONS:
        names.append("@SECLEVEL=0")
    return ":".join(names)


def ciphersuite_list(policy: TlsPolicy) -> str:
    return ":".join(_cipher(name) for name in policy.ciphersuites)


def alpn_list(protocols: tuple[str, ...]) -> str:
    if not all(protocol in ALPN_PROTOCOLS for protocol in protocols):
        raise UnsafeValue(f"{protocols!r} are not ALPN protocols elbd offers")
    return ",".join(protocols)


def plain_path(path: Path) -> str:
    text = str(path)
    if not _PLAIN_PATH.fullmatch(text):
        raise UnsafeValue(f"{text!r} is not a path HAProxy's crt-list and runtime API can carry")
    return text


def sni_name(name: str) -> str:
    if not _SNI_NAME.fullmatch(name) or len(name) > 253:
        raise UnsafeValue(f"{name!r} is not a host name or a wildcard of one")
    return name.lower()


def _plain(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise UnsafeValue(f"{value!r} is not an id")
    return value


def _cipher(name: str) -> str:
    if not _CIPHER.fullmatch(name):
        raise UnsafeValue(f"{name!r} is not a cipher name")
    return name
