"""The values of forwarding policies and rules that reach HAProxy's configuration: each checked against
the API reference's character rules before anything is stored.

Every value here ends up in haproxy.cfg (an ACL pattern, a fetch argument, a redirect location, a
returned body), so on top of the reference's rules each is printable ASCII: no control character
(newline, CR, NUL, tab), nothing beyond ASCII. `dataplane/haproxy_words.py` refuses anything else, and
a stored value it refused would stop the load balancer's rebuild; the API refuses it first.

Regular expressions compile in PCRE2 exactly as HAProxy compiles an ACL's `-m reg` pattern (HAProxy on
Debian links libpcre2-8: `pcre2_compile` with PCRE2_NO_AUTO_CAPTURE), and are refused when their shape
can backtrack catastrophically (`catastrophic_shape`).

Each check answers the value or raises BadValue, whose message follows "Invalid input for 'field': ".
"""

import ctypes
import ctypes.util
import ipaddress
import re
from functools import cache

from elbd.canonical_ip import NotCanonical, canonical_network

MAX_VALUE = 128  # rule values and keys, redirect parts: 1-128 characters, as the reference says of conditions
MAX_HEADER_KEY = 40
MAX_MESSAGE_BODY = 1024
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS")
CONTENT_TYPES = ("text/plain", "text/css", "text/html", "application/javascript", "application/json")
REDIRECT_STATUS_CODES = ("301", "302", "303", "307", "308")
PLACEHOLDERS = ("${protocol}", "${host}", "${port}", "${path}", "${query}")
# Headers of a redirect's or a fixed response's answer: these are HAProxy's to write (the reference).
ANSWER_HEADERS_KEPT = ("connection", "upgrade", "content-length", "transfer-encoding")
# SYSTEM_DEFINED values elbd fills: the client's address and port, the VIP and port it reached, the
# protocol. ELB-EIP (elbd has no EIPs), ELB-ID and the TLS and client-certificate values are not served.
SYSTEM_VALUES = ("CLIENT-IP", "CLIENT-PORT", "ELB-VIP", "ELB-PORT", "ELB-PROTOCOL")


class BadValue(ValueError):
    """Why a value cannot be taken; the message follows "Invalid input for 'field': "."""


_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_HOST = re.compile(r"(\*\.)?[A-Za-z0-9][A-Za-z0-9.-]*")
# The reference's path characters: letters, digits and _~';@^-%#&$.*+?,=!:|\/()[]{}.
_PATH = re.compile(r"/[A-Za-z0-9_~';@^\-%#&$.*+?,=!:|\\/()\[\]{}]*")
_HEADER_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Query-string values: no space, [] {} <> \ " # & | % ~ (the reference).
_QUERY_FORBIDDEN = set(" []{}<>\\\"#&|%~")
# Query-string and cookie names sit inside a sample fetch's parentheses in HAProxy (`url_param(name)`,
# `req.cook(name)`), whose argument syntax gives meaning to quotes, commas and parentheses: elbd takes
# only characters that need no quoting there (stricter than the reference for query names; the
# reference gives no rule for cookie names).
_FETCH_NAME = re.compile(r"[A-Za-z0-9._-]+")
_COOKIE_VALUE_FORBIDDEN = set(" \";,\\")
_REDIRECT_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
_REDIRECT_QUERY = re.compile(r"[A-Za-z0-9!$&'()*+,\-./:;=?@^_`]*")
_PORT = re.compile(r"[1-9][0-9]{0,4}")


def printable(value: str, *, limit: int, at_least: int = 1) -> str:
    """`at_least` to `limit` characters of printable ASCII (space included)."""
    if not _PRINTABLE.fullmatch(value):
        raise BadValue("it may hold only printable ASCII characters (no control characters such as newline, CR, tab or NUL, nothing beyond ASCII).")
    if not at_least <= len(value) <= limit:
        raise BadValue(f"it must be {at_least} to {limit} characters long.")
    return value


def _no_space(value: str, limit: int = MAX_VALUE) -> str:
    printable(value, limit=limit)
    if " " in value:
        raise BadValue("it may not hold spaces.")
    return value


def host_name(value: str, *, wildcard: bool) -> str:
    """Letters, digits, '-' and '.', starting with a letter or digit; or '*.' and such a name, when `wildcard`."""
    printable(value, limit=MAX_VALUE)
    if not _HOST.fullmatch(value):
        raise BadValue(
            "a host name holds only letters, digits, '-' and '.', and starts with a letter or a digit "
            "(or with '*.' for a wildcard)."
        )
    if value.startswith("*.") and not wildcard:
        raise BadValue("a wildcard host name ('*.') needs a listener with enhance_l7policy_enable true.")
    return value


def path(value: str) -> str:
    """An EQUAL_TO or STARTS_WITH path: starts with '/', then the reference's path characters."""
    printable(value, limit=MAX_VALUE)
    if not _PATH.fullmatch(value):
        raise BadValue("a path starts with '/' and holds only letters, digits and _~';@^-%#&$.*+?,=!:|\\/()[]{}.")
    return value


def header_key(value: str) -> str:
    if not _HEADER_KEY.fullmatch(value) or len(value) > MAX_HEADER_KEY:
        raise BadValue(f"a header name is 1 to {MAX_HEADER_KEY} letters, digits, '-' and '_'.")
    return value


def answer_header_key(value: str) -> str:
    header_key(value)
    if value.lower() in ANSWER_HEADERS_KEPT:
        raise BadValue(f"{', '.join(ANSWER_HEADERS_KEPT)} are the load balancer's to set.")
    return value


def answer_header_value(value_type: str, value: str) -> str:
    """USER_DEFINED: text; REFERENCE_HEADER: the name of a request header to copy; SYSTEM_DEFINED: one
    of the values elbd fills."""
    if value_type == "REFERENCE_HEADER":
        return header_key(value)
    if value_type == "SYSTEM_DEFINED":
        if value not in SYSTEM_VALUES:
            raise BadValue(f"elbd fills {', '.join(SYSTEM_VALUES)}; ELB-EIP (elbd has no EIPs), ELB-ID and the TLS values are not served yet.")
        return value
    printable(value, limit=MAX_VALUE)
    if value != value.strip():
        raise BadValue("a header value may not start or end with a space.")
    return value


def header_value(value: str) -> str:
    """No spaces and no '"'; '*' and '?' are wildcards."""
    _no_space(value)
    if '"' in value:
        raise BadValue("a header value may not hold '\"'.")
    return value


def query_key(value: str) -> str:
    return _fetch_name(value, "query-string name")


def query_value(value: str) -> str:
    """The reference's forbidden characters refused; '*' and '?' are wildcards."""
    _no_space(value)
    if set(value) & _QUERY_FORBIDDEN:
        raise BadValue("a query-string value may not hold spaces or any of []{}<>\\\"#&|%~.")
    return value


def cookie_key(value: str) -> str:
    return _fetch_name(value, "cookie name")


def _fetch_name(value: str, what: str) -> str:
    printable(value, limit=MAX_VALUE)
    if not _FETCH_NAME.fullmatch(value):
        raise BadValue(f"a {what} is 1 to {MAX_VALUE} letters, digits, '.', '-' and '_'.")
    return value


def cookie_value(value: str) -> str:
    _no_space(value)
    if set(value) & _COOKIE_VALUE_FORBIDDEN:
        raise BadValue("a cookie value may not hold spaces or any of \";,\\.")
    return value


def method(value: str) -> str:
    if value not in METHODS:
        raise BadValue(f"a method is one of {', '.join(METHODS)}.")
    return value


def source_ip(value: str) -> str:
    """An IPv4 or IPv6 CIDR, written canonically (host bits zero)."""
    printable(value, limit=MAX_VALUE)
    if "/" not in value:
        raise BadValue(f"{value!r} is not a CIDR: write it with its prefix length (for example 192.168.0.0/24).")
    try:
        canonical_network(value)
    except NotCanonical as refusal:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise BadValue(f"{refusal}.") from None
        raise BadValue(f"{value!r} has host bits set or is not written canonically: write it as {network}.") from None
    return value


# redirect_url_config


def redirect_protocol(value: str) -> str:
    if value not in ("HTTP", "HTTPS", "${protocol}"):
        raise BadValue("the protocol is HTTP, HTTPS or ${protocol} (the request's).")
    return value


def redirect_host(value: str) -> str:
    printable(value, limit=MAX_VALUE)
    if value != "${host}" and not _REDIRECT_HOST.fullmatch(value):
        raise BadValue("a host holds only letters, digits, '-' and '.', and starts with a letter or a digit; or is ${host} (the request's).")
    return value


def redirect_port(value: str) -> str:
    if value != "${port}" and not (_PORT.fullmatch(value) and int(value) <= 65535):
        raise BadValue("a port is 1 to 65535 (digits only) or ${port} (the request's).")
    return value


def redirect_path(value: str) -> str:
    """Starts with '/' (the reference's path characters), or is ${path}. The real service fills '$1',
    '$2' with what a rule's wildcards matched; elbd does not, so it refuses them rather than send a
    client to a literal '$1'."""
    if value == "${path}":
        return value
    if re.search(r"\$[0-9]", value):
        raise BadValue("elbd does not fill $1, $2 (what a rule's wildcards matched) yet; give the path without them, or ${path}.")
    return path(value)


def redirect_query(value: str) -> str:
    """The reference's query characters, and the placeholders (${query} and the others) as whole words."""
    printable(value, limit=MAX_VALUE, at_least=0)
    rest = value
    for placeholder in PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if not _REDIRECT_QUERY.fullmatch(rest):
        raise BadValue("a query holds only letters, digits, !$&'()*+,-./:;=?@^_` and the placeholders ${query}, ${host}, ${port}, ${path}, ${protocol}.")
    return value


def redirect_status_code(value: str) -> str:
    if value not in REDIRECT_STATUS_CODES:
        raise BadValue(f"a redirect's status_code is one of {', '.join(REDIRECT_STATUS_CODES)}.")
    return value


# fixed_response_config


def response_status_code(value: str) -> str:
    if not (re.fullmatch(r"[245][0-9]{2}", value)):
        raise BadValue("a fixed response's status_code is 200-299, 400-499 or 500-599, as a string.")
    return value


def content_type(value: str) -> str:
    if value not in CONTENT_TYPES:
        raise BadValue(f"content_type is one of {', '.join(CONTENT_TYPES)}.")
    return value


def message_body(value: str) -> str:
    """0 to 1024 characters of printable ASCII: a line break cannot reach HAProxy's configuration."""
    return printable(value, limit=MAX_MESSAGE_BODY, at_least=0)


# regular expressions


def regex(value: str) -> str:
    """A PATH REGEX: printable ASCII without spaces, a shape that cannot backtrack catastrophically, and
    a pattern PCRE2 compiles as HAProxy would."""
    _no_space(value)
    shape = catastrophic_shape(value)
    if shape:
        raise BadValue(f"the regular expression could backtrack catastrophically ({shape}); write it without nested or alternating repetition.")
    error = pcre2_error(value)
    if error:
        raise BadValue(f"the regular expression does not compile in PCRE2: {error}.")
    return value


_REPEATING = re.compile(r"[*+]|\{\d*,\d*\}|\{(\d+)\}")


def catastrophic_shape(pattern: str) -> str | None:
    """Why `pattern` may backtrack catastrophically, or None. Conservative and structural:

    - a repeated group ('*', '+', '{n,}', '{n,m}', '{n}' with n > 1) that itself holds a repetition:
      `(a+)+`, `(a*)*`, `(?:x{2,}y)*`;
    - a repeated group that holds an alternation: `(a|a)*`, `(foo|bar)+`;
    - backtracking verbs and start-of-pattern options `(*...)`, which could also lift PCRE2's limits.

    Escapes (`\\x`), character classes (`[...]`) and quoted spans (`\\Q...\\E`) are read as single atoms.
    """
    frames: list[dict[str, bool]] = [{"repeats": False, "alternates": False}]
    index = 0
    length = len(pattern)
    while index < length:
        char = pattern[index]
        if char == "\\":
            if pattern.startswith("\\Q", index):
                end = pattern.find("\\E", index + 2)
                index = length if end < 0 else end + 2
            else:
                index += 2
            index = _after_quantifier(pattern, index, frames[-1])
            continue
        if char == "[":
            index = _class_end(pattern, index)
            index = _after_quantifier(pattern, index, frames[-1])
            continue
        if char == "(":
            if pattern.startswith("(*", index):
                return "a '(*' verb or option"
            if pattern.startswith("(?#", index):
                end = pattern.find(")", index)
                index = length if end < 0 else end + 1
                continue
            frames.append({"repeats": False, "alternates": False})
            index += 1
            continue
        if char == ")":
            if len(frames) == 1:
                index += 1  # unbalanced: PCRE2 refuses it
                continue
            inner = frames.pop()
            quantified, index = _quantifier_at(pattern, index + 1)
            if quantified and inner["repeats"]:
                return "a repeated group holding a repetition"
            if quantified and inner["alternates"]:
                return "a repeated group holding an alternation"
            frames[-1]["repeats"] = frames[-1]["repeats"] or inner["repeats"] or quantified
            continue
        if char == "|":
            frames[-1]["alternates"] = True
            index += 1
            continue
        index = _after_quantifier(pattern, index + 1, frames[-1])
    return None


def _quantifier_at(pattern: str, index: int) -> tuple[bool, int]:
    """Whether a repeating quantifier starts at `index`, and where what follows it (lazy '?' or
    possessive '+' included) starts. '?' alone repeats nothing; '{n}' repeats when n > 1."""
    match = _REPEATING.match(pattern, index)
    if not match:
        return False, index + (1 if pattern.startswith("?", index) else 0)
    end = match.end()
    if end < len(pattern) and pattern[end] in "?+":
        end += 1
    exact = match.group(1)
    return (exact is None or int(exact) > 1), end


def _after_quantifier(pattern: str, index: int, frame: dict[str, bool]) -> int:
    quantified, index = _quantifier_at(pattern, index)
    if quantified:
        frame["repeats"] = True
    return index


def _class_end(pattern: str, index: int) -> int:
    """The index after the character class that opens at `index` (a leading ']' or '^]' is literal)."""
    index += 1
    if pattern.startswith("^", index):
        index += 1
    if pattern.startswith("]", index):
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        if pattern[index] == "\\":
            index += 1
        elif pattern.startswith("[:", index):
            end = pattern.find(":]", index + 2)
            index = index if end < 0 else end + 1
        index += 1
    return index + 1


PCRE2_NO_AUTO_CAPTURE = 0x00002000  # HAProxy compiles an ACL's pattern without captures


class _Pcre2:
    def __init__(self, library: ctypes.CDLL) -> None:
        self.compile = library.pcre2_compile_8
        self.compile.restype = ctypes.c_void_p
        self.compile.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.c_void_p,
        ]
        self.free = library.pcre2_code_free_8
        self.free.restype = None
        self.free.argtypes = [ctypes.c_void_p]
        self.message = library.pcre2_get_error_message_8
        self.message.restype = ctypes.c_int
        self.message.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]


@cache
def _pcre2() -> _Pcre2 | None:
    name = ctypes.util.find_library("pcre2-8")
    return _Pcre2(ctypes.CDLL(name)) if name else None


def pcre2_error(pattern: str) -> str | None:
    """PCRE2's message (and the offset) when `pattern` does not compile as HAProxy compiles it; None when
    it does. Without libpcre2-8 on the host nothing can be checked, and every pattern is refused."""
    pcre2 = _pcre2()
    if pcre2 is None:
        return "libpcre2-8 is not installed on elbd's host, so no regular expression can be checked"
    encoded = pattern.encode("ascii")
    code = ctypes.c_int(0)
    offset = ctypes.c_size_t(0)
    compiled = pcre2.compile(encoded, len(encoded), PCRE2_NO_AUTO_CAPTURE, ctypes.byref(code), ctypes.byref(offset), None)
    if compiled:
        pcre2.free(compiled)
        return None
    buffer = ctypes.create_string_buffer(256)
    pcre2.message(code.value, buffer, len(buffer))
    return f"{buffer.value.decode('ascii', 'replace')} at offset {offset.value}"
