"""A listener's `insert_headers`: the SDK's closed set of keys (ListenerInsertHeaders; JSON keys with
dashes), which of them elbd serves, and what a stored value asks of each request a member receives.

A leaf module, for every layer: the service checks a value's shape (`problem`) and what elbd does not
serve (`unserved_asked`, through schemas/unserved.py); the data plane reads a stored value with
`headers_on` and `forwarded_for`. The user chooses booleans and one of three modes only: header names
and values are elbd's own, so nothing a user sends shapes the configuration.

HTTPS listeners also tell the client's TLS protocol, cipher, SNI name and ALPN protocol when asked.
Each served switch, when on, replaces whatever the client sent under that name, so a client cannot
pass a forged X-Real-IP to a member; when off, the client's header (if any) passes as it was sent, as
Huawei's "rewrite" switches are documented. X-Forwarded-Host is on unless set false (Huawei's default
for HTTP and HTTPS listeners); X-Forwarded-Proto is on for HTTPS listeners unless set false (elbd has
always told members `https` there) and off for HTTP ones unless set true; the others are off unless
set true. X-Forwarded-For follows X-Forwarded-For-Processing-Mode: append (the default) adds the
client's address, remove deletes the header, preserve passes the client's as sent.
"""

import re
from collections.abc import Mapping
from typing import Any

SERVED = (
    "X-Forwarded-ELB-IP",  # the VIP the client connected to (elbd has no EIPs)
    "X-Forwarded-Port",  # the listener's port
    "X-Forwarded-For-Port",  # the client's source port
    "X-Forwarded-Host",  # the client's Host header
    "X-Forwarded-Proto",  # http or https: the listener's protocol
    "X-Real-IP",  # the client's address
    "X-Forwarded-ELB-ID",  # the load balancer's id
)
# HTTPS listeners only: switch -> the header it sets, from the client's TLS session with the listener.
TLS_SERVED = {
    "X-Forwarded-TLS-Protocol": "X-Forwarded-TLS-Protocol",  # TLSv1.2, TLSv1.3 ...
    "X-Forwarded-TLS-Cipher": "X-Forwarded-TLS-Cipher",  # the suite's OpenSSL name
    "X-Forwarded-Tls-Sni-enable": "X-Forwarded-Tls-Sni",  # the name the client asked for (none when none)
    "X-Forwarded-Tls-Alpn-Protocol-enable": "X-Forwarded-Tls-Alpn-Protocol",  # h2 or http/1.1 (none when none)
}
_CLIENTCERT = ("", "-subjectdn", "-issuerdn", "-fingerprint", "-clientverify", "-serialnumber", "-ciphers", "-end")
_TLS = ("Alpn-Protocol", "Sni", "Ja3", "Ja4")
UNSERVED_SWITCHES = (
    "X-Forwarded-TLS-Certificate-ID",
    *(f"X-Forwarded-Clientcert{part}-enable" for part in _CLIENTCERT),
    "X-Forwarded-Tls-Ja3-enable",
    "X-Forwarded-Tls-Ja4-enable",
)
ALIASES = (
    "X-Forwarded-TLS-Protocol-alias",
    "X-Forwarded-TLS-Cipher-alias",
    *(f"X-Forwarded-Clientcert{part}-alias" for part in _CLIENTCERT),
    *(f"X-Forwarded-Tls-{part}-alias" for part in _TLS),
)
PROCESSING_MODE = "X-Forwarded-For-Processing-Mode"
PROCESSING_MODES = ("append", "remove", "preserve")
KEYS = frozenset((*SERVED, *TLS_SERVED, *UNSERVED_SWITCHES, *ALIASES, PROCESSING_MODE))
_ON_BY_DEFAULT = {"X-Forwarded-Host": ("HTTP", "HTTPS"), "X-Forwarded-Proto": ("HTTPS",)}
_ALIAS = re.compile(r"[A-Za-z0-9_-]{1,40}")


def problem(headers: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of a value (the SDK's keys and types), or None."""
    for key, value in headers.items():
        if key not in KEYS:
            return f"{key!r} is not a header option (the SDK's ListenerInsertHeaders names them, with dashes)"
        if key == PROCESSING_MODE:
            if value is not None and value not in PROCESSING_MODES:
                return f"{key} takes {', '.join(PROCESSING_MODES)}"
        elif key in ALIASES:
            if value is not None and not (isinstance(value, str) and (value == "" or _ALIAS.fullmatch(value))):
                return f"{key} takes 1 to 40 letters, digits, '-' and '_'"
        elif value is not None and not isinstance(value, bool):
            return f"{key} takes true or false"
    return None


def unserved_asked(headers: Mapping[str, Any]) -> bool:
    """A client-certificate, certificate-id or fingerprint (JA3/JA4) header switched on, or a header name
    of the user's (an alias)."""
    return any(headers.get(key) is True for key in UNSERVED_SWITCHES) or any(headers.get(key) for key in ALIASES)


def asks_anything(headers: Mapping[str, Any]) -> bool:
    """Anything but switches off and the default mode: what a listener that forwards bytes cannot do."""
    return any(value is True for value in headers.values()) or headers.get(PROCESSING_MODE) not in (None, "append") or any(
        headers.get(key) for key in ALIASES
    )


def tls_asked(headers: Mapping[str, Any]) -> bool:
    """A header of the client's TLS session switched on: for HTTPS listeners only."""
    return any(headers.get(key) is True for key in TLS_SERVED)


def headers_on(headers: Mapping[str, Any], protocol: str) -> tuple[str, ...]:
    """The headers a listener of `protocol` sets on each request, in SERVED's order then TLS_SERVED's;
    none but for HTTP and HTTPS listeners, and the TLS ones for HTTPS listeners only."""
    if protocol not in ("HTTP", "HTTPS"):
        return ()
    on = tuple(
        header for header in SERVED
        if headers.get(header) is True or (headers.get(header) is None and protocol in _ON_BY_DEFAULT.get(header, ()))
    )
    return on + tuple(header for key, header in TLS_SERVED.items() if protocol == "HTTPS" and headers.get(key) is True)


def forwarded_for(headers: Mapping[str, Any]) -> str:
    """append, remove or preserve (a stored value elbd does not know counts as append)."""
    mode = headers.get(PROCESSING_MODE)
    return mode if mode in PROCESSING_MODES else "append"
