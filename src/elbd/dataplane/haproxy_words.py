"""Values as words of HAProxy's two languages: the configuration file and the runtime API.

No value changes the shape of a configuration line or of a runtime command:

- In haproxy.cfg, text is strong-quoted (`'...'`, inside which HAProxy interprets nothing; a quote is
  closed, escaped and reopened, which HAProxy concatenates into one word). A line break cannot be
  quoted, so control characters (and anything not printable ASCII) are refused outright: by then the
  API has refused them already, and reaching here would be a bug, not a request to serve.
- In a log-format argument (an `http-check send hdr` value), `%` is doubled as well.
- Names (frontend, backend and server names: ids elbd made) are a strict identifier grammar.
- The runtime API has no quoting at all (a space splits words, `;` and a line break start a new
  command), so every word of a runtime command must match a strict grammar: names, addresses, numbers
  and keywords; a command line that does not is never sent.
- Addresses and ports are typed values, and `endpoint` renders them only from such values.
"""

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from elbd.canonical_ip import IPAddress, IPNetwork

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_RUNTIME_WORD = r"(?:@[0-9]{1,10}|[A-Za-z0-9_.:/\[\]-]+(?:\([0-9]{1,9}\))?)"  # `@<version>` of an ACL, or a word (a sample fetch may take a number: date(5))
_RUNTIME_PART = rf"{_RUNTIME_WORD}(?: {_RUNTIME_WORD})*"
_RUNTIME_LINE = re.compile(rf"{_RUNTIME_PART}(?:; {_RUNTIME_PART})*")


class UnsafeValue(ValueError):
    """A value HAProxy's syntax cannot carry as one word."""


def config_word(value: str) -> str:
    """`value` as one strong-quoted word of haproxy.cfg."""
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise UnsafeValue(f"{value!r} holds characters a configuration line cannot carry")
    return "'" + value.replace("'", "'\\''") + "'"


def log_format_word(value: str) -> str:
    """`value` as one word of haproxy.cfg that HAProxy reads as a log-format string, taken literally."""
    return config_word(value.replace("%", "%%"))


def name(value: str) -> str:
    """A frontend, backend or server name: an identifier, as elbd's ids are."""
    if not _NAME.fullmatch(value):
        raise UnsafeValue(f"{value!r} is not a name elbd gives")
    return value


_COOKIE_TOKEN = re.compile(r"[A-Za-z0-9_.-]{1,1024}")


def cookie_token(value: str) -> str:
    """A cookie name (the backend's own, for APP_COOKIE persistence): letters, digits, `_`, `.` and `-`,
    as the API allows; a token in RFC 6265's sense, nothing HAProxy or a Set-Cookie header reads as syntax."""
    if not _COOKIE_TOKEN.fullmatch(value):
        raise UnsafeValue(f"{value!r} is not a cookie name elbd serves")
    return value


def number(value: int) -> str:
    """A whole number (a timeout, a count), never text that merely looks like one."""
    if type(value) is not int:
        raise UnsafeValue(f"{value!r} is not a whole number")
    return str(value)


def address(value: IPAddress) -> str:
    """An address value, without a zone (an IPv6 zone may hold any text)."""
    if not isinstance(value, IPv4Address | IPv6Address) or (isinstance(value, IPv6Address) and value.scope_id):
        raise UnsafeValue(f"{value!r} is not an address value")
    return str(value)


def network(value: IPNetwork) -> str:
    """A network value (`address/prefix`), as an ACL pattern of a source address."""
    if not isinstance(value, IPv4Network | IPv6Network):
        raise UnsafeValue(f"{value!r} is not a network value")
    return str(value)


_MAP_KEY = re.compile(r"[0-9a-f.:]{2,39}/[0-9]{1,3}")


def map_key(text: str) -> str:
    """A network as `network` rendered it, checked again where it becomes a line of a runtime payload:
    an access list's networks are rendered once (model.AccessControl.keys), not for every use."""
    if not isinstance(text, str) or not _MAP_KEY.fullmatch(text):
        raise UnsafeValue(f"{text!r} is not a network as a map holds it")
    return text


def endpoint(host: IPAddress, port: int) -> str:
    """`address:port` (`[address]:port` for IPv6); port 0 (a pool forwarding all ports) leaves the port
    out, so the client's is used."""
    text = address(host)
    if type(port) is not int or not 0 <= port <= 65535:
        raise UnsafeValue(f"{port!r} is not a port")
    text = f"[{text}]" if host.version == 6 else text
    return f"{text}:{port}" if port else text


_PEM_LINE = re.compile(r"-----(BEGIN|END) [A-Z0-9 ]{1,40}-----|[A-Za-z0-9+/=]{1,128}")


def pem_payload(text: str) -> str:
    """PEM blocks as the payload of a runtime command (`<<` then lines up to an empty one): only their
    marker and base64 lines, so nothing in it can end the payload or start a command."""
    lines = text.strip().splitlines()
    if not lines or not all(_PEM_LINE.fullmatch(line) for line in lines):
        raise UnsafeValue("the payload is not PEM blocks")
    return "\n".join(lines)


def runtime_line(command: str) -> str:
    """`command` (`;`-separated parts allowed), checked word by word before it goes to the runtime API."""
    if not _RUNTIME_LINE.fullmatch(command):
        raise UnsafeValue(f"{command!r} is not a runtime command elbd sends")
    return command
