"""TLS security policies as the ELB API names them, and what OpenSSL (through HAProxy) needs to serve one.

A leaf module, for every layer: the protocol and cipher names a custom policy may take (the SDK's
CreateSecurityPolicyOption), the system policies a listener names by `tls_ciphers_policy`, and
`haproxy_terms`, the pure mapping of a policy onto a range of versions and two cipher lists.

The system policies are the answer of `GET /v3/{project_id}/elb/system-security-policies` as the API
reference prints it (Open Telekom Cloud's copy of Huawei's: opentelekomcloud-docs/elastic-load-balancing,
api-ref/source/apis_v3/security_policy/querying_system_security_policies.rst), protocols and ciphers in
its order. That answer predates tls-1-2-strict-no-cbc; its protocol and ciphers are the user guide's
table (umn/source/advanced_features_of_http_https_listeners/tls_security_policy.rst there, Huawei's
page elb_ug_jt_0022), in the ECC-first order the API gives every other policy. Where the user guide's
comparison table and the API's answer disagree (it marks tls-1-2-fs with TLS 1.3), the answer wins.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

ProtocolName = Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
CipherName = Literal[
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "AES128-SHA256",
    "AES256-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "AES128-SHA",
    "AES256-SHA",
    "CAMELLIA128-SHA",
    "DES-CBC3-SHA",
    "CAMELLIA256-SHA",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
]

PROTOCOLS: tuple[str, ...] = get_args(ProtocolName)  # oldest first
CIPHERS: tuple[str, ...] = get_args(CipherName)  # what a custom policy may name, in the SDK's order
OPENSSL_VERSIONS = {"TLSv1": "TLSv1.0", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}  # HAProxy's spelling
LEGACY_VERSIONS = ("TLSv1.0", "TLSv1.1")

# Suites OpenSSL 3 does not offer at any security level (3DES and RC4; Debian 12's OpenSSL 3.0 answers
# "no cipher match" for each). No handshake can use them: `haproxy_terms` leaves them out, and a custom
# policy may not name one (schemas/unserved.py).
ABSENT_FROM_OPENSSL = frozenset({"DES-CBC3-SHA", "EDH-RSA-DES-CBC3-SHA", "EDH-DSS-DES-CBC3-SHA", "ECDHE-RSA-RC4-SHA", "RC4-SHA"})


def protocols_of(cipher: str) -> tuple[str, ...]:
    """The protocols that can negotiate `cipher`, as OpenSSL has it: a TLS 1.3 suite only TLS 1.3; a
    suite with an AEAD cipher or a SHA-256/384 MAC (GCM, CHACHA20-POLY1305, ...-SHA256) only TLS 1.2;
    a SHA-1 suite TLS 1.0 to 1.2."""
    if cipher.startswith("TLS_"):
        return ("TLSv1.3",)
    if cipher.endswith(("-SHA256", "-SHA384", "-POLY1305")):
        return ("TLSv1.2",)
    return ("TLSv1", "TLSv1.1", "TLSv1.2")


def missing_between(protocols: Iterable[str]) -> tuple[str, ...]:
    """The protocols left out between the oldest and the newest of `protocols`: OpenSSL negotiates one
    range of versions, so TLSv1 and TLSv1.2 without TLSv1.1 cannot be served."""
    chosen = {PROTOCOLS.index(protocol) for protocol in protocols}
    if not chosen:
        return ()
    return tuple(PROTOCOLS[index] for index in range(min(chosen), max(chosen)) if index not in chosen)


@dataclass(frozen=True)
class SystemPolicy:
    name: str
    protocols: tuple[str, ...]  # newest first, as the API lists them
    ciphers: tuple[str, ...]  # in order of preference


def _system(name: str, protocols: str, ciphers: str) -> SystemPolicy:
    """A policy as the API prints it: protocols separated by spaces, ciphers by colons."""
    return SystemPolicy(name, tuple(protocols.split(" ")), tuple(ciphers.split(":")))


_TLS_1_0 = (
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:"
    "AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:AES128-SHA256:AES256-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:"
    "ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA"
)
_TLS_1_0_INHERIT = (
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:"
    "AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:AES128-SHA256:AES256-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:"
    "DHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA:DHE-DSS-AES128-SHA:CAMELLIA128-SHA:EDH-RSA-DES-CBC3-SHA:"
    "DES-CBC3-SHA:ECDHE-RSA-RC4-SHA:RC4-SHA:DHE-RSA-AES256-SHA:DHE-DSS-AES256-SHA:DHE-RSA-CAMELLIA256-SHA:"
    "DHE-DSS-CAMELLIA256-SHA:CAMELLIA256-SHA:EDH-DSS-DES-CBC3-SHA:DHE-RSA-CAMELLIA128-SHA:DHE-DSS-CAMELLIA128-SHA"
)
_TLS_1_2_STRICT = (
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:"
    "AES128-SHA256:AES256-SHA256:ECDHE-RSA-AES256-SHA384"
)
_TLS_1_2_FS = (
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384"
)
_TLS_1_3 = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
_NO_CBC = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"

SYSTEM_POLICIES = {
    policy.name: policy
    for policy in (
        _system("tls-1-0", "TLSv1.2 TLSv1.1 TLSv1", _TLS_1_0),
        _system("tls-1-0-inherit", "TLSv1.2 TLSv1.1 TLSv1", _TLS_1_0_INHERIT),
        _system("tls-1-1", "TLSv1.2 TLSv1.1", _TLS_1_0),
        _system("tls-1-2", "TLSv1.2", _TLS_1_0),
        _system("tls-1-2-strict", "TLSv1.2", _TLS_1_2_STRICT),
        _system("tls-1-2-fs", "TLSv1.2", _TLS_1_2_FS),
        _system("tls-1-0-with-1-3", "TLSv1.3 TLSv1.2 TLSv1.1 TLSv1", f"{_TLS_1_0}:{_TLS_1_3}"),
        _system("tls-1-2-fs-with-1-3", "TLSv1.3 TLSv1.2", f"{_TLS_1_2_FS}:{_TLS_1_3}"),
        _system("hybrid-policy-1-0", "TLSv1.2 TLSv1.1", _TLS_1_0),
        _system("tls-1-2-strict-no-cbc", "TLSv1.2", _NO_CBC),
    )
}
DEFAULT_SYSTEM_POLICY = "tls-1-2"  # what an HTTPS or TLS listener naming no policy gets


@dataclass(frozen=True)
class OpenSslTerms:
    """A policy as HAProxy hands it to OpenSSL: `ssl-min-ver`/`ssl-max-ver` (spelled TLSv1.0 ... TLSv1.3),
    the cipher list of TLS 1.2 and older (`ciphers`) and the TLS 1.3 suites (`ciphersuites`), in order
    of preference. The fields are those of dataplane.model.TlsPolicy."""

    min_version: str
    max_version: str
    ciphers: tuple[str, ...]
    ciphersuites: tuple[str, ...]

    @property
    def legacy_security_level(self) -> bool:
        """Whether OpenSSL 3 must run at security level 0: TLS 1.0 and 1.1 handshakes sign with SHA-1,
        which its default level forbids. The data plane decides it the same way (dataplane/tls_files.py)."""
        return self.min_version in LEGACY_VERSIONS


class UnservablePolicy(ValueError):
    """A policy no OpenSSL configuration expresses. The API refuses such a custom policy before it is stored."""


def haproxy_terms(protocols: Iterable[str], ciphers: Iterable[str]) -> OpenSslTerms:
    """What OpenSSL needs to serve a policy of these protocols (API names) and ciphers (OpenSSL names).

    - A name this OpenSSL lacks (ABSENT_FROM_OPENSSL) is left out: no handshake could use it, and a list
      of only such names would make HAProxy refuse the whole configuration.
    - The versions run from the oldest to the newest protocol that some remaining cipher serves: given
      no cipher for a version, OpenSSL would take its own default list for it, so such a version is
      left out of the range rather than served with ciphers nobody chose.
    - A repeated name counts once, where it first appears.

    Raises UnservablePolicy for protocols with a gap (see `missing_between`) or no servable cipher.
    """
    chosen = set(protocols)
    if gap := missing_between(chosen):
        raise UnservablePolicy(f"{', '.join(gap)} is missing between {', '.join(sorted(chosen, key=PROTOCOLS.index))}")
    usable = [cipher for cipher in dict.fromkeys(ciphers) if cipher not in ABSENT_FROM_OPENSSL]
    served = sorted({protocol for cipher in usable for protocol in protocols_of(cipher) if protocol in chosen}, key=PROTOCOLS.index)
    if not served:
        raise UnservablePolicy("no cipher it names serves any of its protocols")
    return OpenSslTerms(
        min_version=OPENSSL_VERSIONS[served[0]],
        max_version=OPENSSL_VERSIONS[served[-1]],
        ciphers=tuple(cipher for cipher in usable if not cipher.startswith("TLS_")) if served[0] != "TLSv1.3" else (),
        ciphersuites=tuple(cipher for cipher in usable if cipher.startswith("TLS_")) if served[-1] == "TLSv1.3" else (),
    )
