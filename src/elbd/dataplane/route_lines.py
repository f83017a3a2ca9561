"""A frontend's L7 routes -> the lines of its HAProxy section. A pure function of model values.

HAProxy runs every `http-request` rule (redirect, return) before any `use_backend`, whatever their
order in the file, so the file's order cannot say which policy wins. The routes are therefore decided
first and acted on after: in the API's order, the first route whose matches all hold writes its choice
into a transaction variable (`txn.elbd_route`), and every action line is keyed on that choice alone. A
route that forwards every request to one backend writes that backend's name, and a single
`use_backend %[var(txn.elbd_route)]` serves all such routes; any other route writes `route-N`. The
routes after the last one of the other kind need no choice at all: they are plain `use_backend` rules
in order, taken only when no route was chosen (with only such routes, exactly what one writes by
hand).

Nothing a user wrote shapes a line:

- A rule's values are strong-quoted words after `--` (so none is read as a flag), on named ACL lines
  (a quoted `}` would close an anonymous `{ }` ACL). An ACL's values are OR-ed; several lines of one
  ACL name are OR-ed too, which joins a host rule's exact and wildcard names.
- Header, query-parameter and cookie names sit inside a sample fetch's parentheses, where HAProxy has
  its own quoting: they must be plain tokens (the API refuses others), else nothing is rendered.
- Redirect locations are log-format strings: literal parts have `%` doubled; only elbd writes `%[...]`.
- Numbers are numbers, networks are parsed values, names are elbd's ids.
"""

import ipaddress
import re
from typing import NamedTuple

from elbd.dataplane.haproxy_words import UnsafeValue, config_word, name, number
from elbd.dataplane.model import FixedResponse, Frontend, Match, Redirect, ToBackends

ROUTE_VARIABLE = "txn.elbd_route"
ROUTE_PREFIX = "route-"  # the chosen route's value when it is not a backend's name (elbd's names are hex ids)
DRAW_VARIABLE = "txn.elbd_draw"
_KEY = re.compile(r"[A-Za-z0-9._-]{1,128}")
_METHOD = re.compile(r"[A-Z]{1,16}")
_HOST_FETCH = "req.hdr(host),field(1,:) -i"  # the Host header without its port, compared without case
_STRING_MATCHING = {"exact": "str", "prefix": "beg", "regex": "reg"}
REDIRECT_CODES = (301, 302, 303, 307, 308)
_HEADER_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
SYSTEM_VALUES = {  # the API's SYSTEM_DEFINED header values elbd fills
    "CLIENT-IP": "%[src]",
    "CLIENT-PORT": "%[src_port]",
    "ELB-VIP": "%[dst]",
    "ELB-PORT": "%[dst_port]",
    "ELB-PROTOCOL": "%[ssl_fc,iif(HTTPS,HTTP)]",
}
_HOST_WITHOUT_PORT = "%[req.hdr(host),regsub(:[0-9]*$,)]"
REQUEST_PARTS = {  # the API's placeholders for a part of the request, as log-format expressions
    "${protocol}": "%[ssl_fc,iif(https,http)]",
    "${host}": _HOST_WITHOUT_PORT,
    "${port}": "%[dst_port]",
    "${path}": "%[path]",
    "${query}": "%[query]",
}
_PLACEHOLDER = re.compile("(" + "|".join(re.escape(placeholder) for placeholder in REQUEST_PARTS) + ")")


class RouteLines(NamedTuple):
    """A frontend's route lines in two parts: what goes before its other `http-request` rules (ACLs,
    the choice, redirects and returns: rules see the request as the client sent it), and its
    `use_backend` rules, which go last (HAProxy warns of an `http-request` rule after them)."""

    requests: list[str]
    backends: list[str]


def route_lines(frontend: Frontend) -> RouteLines:
    """The lines of `frontend`'s routes: its ACLs, the choice of a route, then each route's action."""
    if not frontend.routes:
        return RouteLines([], [])
    acls: list[str] = []
    choices: list[str] = []
    actions: list[str] = []
    backends: list[str] = []
    # Routes after the last one that is not a plain forward to one backend need no choice: once no
    # earlier route holds, the first of them whose rules hold wins, which is what use_backend rules in
    # order do by themselves (and what a hand-written configuration does).
    last_chosen = max((number_ for number_, route in enumerate(frontend.routes, start=1) if direct_backend(route.action) is None), default=0)
    unchosen = f"!{{ var({ROUTE_VARIABLE}) -m found }}"
    for number_, route in enumerate(frontend.routes, start=1):
        names = []
        for index, match in enumerate(route.matches, start=1):
            acl = f"elbd_r{number_}_{index}"
            acls.extend(f"acl {acl} {criterion}" for criterion in match_criteria(match))
            names.append(acl)
        action = route.action
        direct = direct_backend(action)
        if direct and number_ > last_chosen:
            backends.append(f"# route {number_}: policy {name(route.name)}")
            backends.append(" ".join([f"use_backend {name(direct)} if", *names, *([unchosen] if last_chosen else [])]).removesuffix(" if"))
            continue
        chosen_value = name(direct) if direct else f"{ROUTE_PREFIX}{number(number_)}"
        chosen = f"{{ var({ROUTE_VARIABLE}) -m str {chosen_value} }}"
        choices.append(f"# route {number_}: policy {name(route.name)}")
        choices.append(" ".join([f"http-request set-var({ROUTE_VARIABLE}) str({chosen_value}) if", *names, unchosen]))
        if direct:
            continue
        if isinstance(action, Redirect):
            actions.extend(answer_header_lines(action, chosen, number_))
            actions.extend(redirect_lines(action, chosen))
        elif isinstance(action, FixedResponse):
            actions.extend(answer_header_lines(action, chosen, number_))
            actions.append(f"{fixed_response(action)} if {chosen}")
        else:
            lines = backend_lines(action, chosen, route.name)
            actions.extend(line for line in lines if line.startswith("http-re"))
            backends.extend(line for line in lines if not line.startswith("http-re"))
    if any(direct_backend(route.action) for route in frontend.routes[:last_chosen]):
        # a chosen route to one backend names it: one use_backend serves them all
        backends.insert(0, f"use_backend %[var({ROUTE_VARIABLE})] if {{ var({ROUTE_VARIABLE}) -m found }} !{{ var({ROUTE_VARIABLE}) -m beg {ROUTE_PREFIX} }}")
    return RouteLines([*acls, *choices, *actions], backends)


def direct_backend(action: ToBackends | Redirect | FixedResponse) -> str | None:
    """The one backend a route forwards every request to, when that is all it does."""
    if not isinstance(action, ToBackends) or action.sticky_s is not None:
        return None
    weighted = [backend for backend, weight in action.weights if weight > 0]
    return weighted[0] if len(weighted) == 1 else None


def match_criteria(match: Match) -> list[str]:
    """The criteria (what follows `acl NAME`) of one rule; several are OR-ed under one ACL name."""
    values = match.values
    if not values:
        raise UnsafeValue("a rule with no value matches nothing")
    if match.subject == "host" and match.how == "exact":
        exact = [value for value in values if not value.startswith("*.")]
        wildcards = [value[1:] for value in values if value.startswith("*.")]
        return [*([f"{_HOST_FETCH} -m str -- {_words(exact)}"] if exact else []),
                *([f"{_HOST_FETCH} -m end -- {_words(wildcards)}"] if wildcards else [])]
    if match.subject == "path" and match.how in _STRING_MATCHING:
        return [f"path -m {_STRING_MATCHING[match.how]} -- {_words(values)}"]
    if match.subject == "method" and match.how == "exact":
        if not all(_METHOD.fullmatch(value) for value in values):
            raise UnsafeValue(f"{values!r} are not HTTP methods")
        return [f"method -m str -- {_words(values)}"]
    if match.subject == "source" and match.how == "network":
        networks = [str(ipaddress.ip_network(value, strict=False)) for value in values]
        return [f"src -- {' '.join(networks)}"]
    if match.subject in ("header", "query", "cookie"):
        key = match.key or ""
        if not _KEY.fullmatch(key):
            raise UnsafeValue(f"{key!r} is not a name elbd puts in a sample fetch")
        fetch = {"header": f"req.hdr({key})", "query": f"url_param({key})", "cookie": f"req.cook({key})"}[match.subject]
        if match.how == "glob":
            return [f"{fetch} -m reg -- {_words([glob_regex(value) for value in values])}"]
        if match.how == "exact":
            return [f"{fetch} -m str -- {_words(values)}"]
    raise UnsafeValue(f"no criterion for {match.subject} compared by {match.how}")


def glob_regex(glob: str) -> str:
    """An anchored PCRE pattern for a glob: `*` any run of characters, `?` one, the rest literal."""
    return "^" + "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob) + "$"


def redirect_lines(redirect: Redirect, chosen: str) -> list[str]:
    """`http-request redirect` lines: one, or two when the request's query string is kept (a `?` only
    when the request had one)."""
    if redirect.code not in REDIRECT_CODES:
        raise UnsafeValue(f"{redirect.code!r} is not a redirect code")
    scheme = REQUEST_PARTS["${protocol}"] if redirect.scheme is None else _literal(redirect.scheme)
    host = REQUEST_PARTS["${host}"] if redirect.host is None else _location_part(redirect.host)
    port = REQUEST_PARTS["${port}"] if redirect.port is None else number(redirect.port)
    path = REQUEST_PARTS["${path}"] if redirect.path is None else _location_part(redirect.path)
    base = f"{scheme}://{host}:{port}{path}"

    def line(location: str, condition: str) -> str:
        return f"http-request redirect location {config_word(location)} code {number(redirect.code)} if {condition}"

    if redirect.query is None:
        return [line(base + "?%[query]", f"{chosen} {{ query -m found }}"), line(base, chosen)]
    return [line(base + ("?" + _location_part(redirect.query) if redirect.query else ""), chosen)]


def answer_header_lines(action: Redirect | FixedResponse, chosen: str, route_number: int) -> list[str]:
    """The answer's header changes, as `http-after-response` rules (they reach the answers HAProxy
    makes itself). A copied request header is read into a variable while the request is there."""
    lines = []
    for index, (header, kind, value) in enumerate(action.set_headers, start=1):
        condition = chosen
        if kind == "USER_DEFINED":
            text = value.replace("%", "%%")
        elif kind == "REFERENCE_HEADER":
            variable = f"txn.elbd_h{number(route_number)}_{number(index)}"
            lines.append(f"http-request set-var({variable}) req.hdr({_header_name(value)}) if {chosen}")
            text, condition = f"%[var({variable})]", f"{chosen} {{ var({variable}) -m found }}"
        elif kind == "SYSTEM_DEFINED" and value in SYSTEM_VALUES:
            text = SYSTEM_VALUES[value]
        else:
            raise UnsafeValue(f"no header value of kind {kind!r} and value {value!r}")
        lines.append(f"http-after-response set-header {_header_name(header)} {config_word(text)} if {condition}")
    lines += [f"http-after-response del-header {_header_name(header)} if {chosen}" for header in action.removed_headers]
    return lines


def _header_name(text: str) -> str:
    if not _HEADER_NAME.fullmatch(text):
        raise UnsafeValue(f"{text!r} is not a header name elbd writes")
    return text


def fixed_response(response: FixedResponse) -> str:
    line = f"http-request return status {number(response.status)}"
    if response.body:
        line += f" content-type {config_word(response.content_type)} string {config_word(response.body)}"
    return line


def backend_lines(action: ToBackends, chosen: str, route_name: str) -> list[str]:
    """`use_backend` for one backend; for several, one draw per request and a band of it per backend.
    With every weight 0 no backend takes the request: 503. A sticky route first follows its cookie to
    the backend it names (only while that backend still takes requests), and sets it on every answer."""
    weighted = [(backend, weight) for backend, weight in action.weights if weight > 0]
    if not weighted:
        return [f"http-request deny deny_status 503 if {chosen}"]
    lines = []
    if action.sticky_s is not None:
        cookie = f"elbd-{name(route_name)}"
        lines.append(f"http-response add-header Set-Cookie {config_word(f'{cookie}=%[be_name]; Max-Age={number(action.sticky_s)}; Path=/; HttpOnly')}"
                     f" if {chosen}")
        lines += [f"use_backend {name(backend)} if {chosen} {{ req.cook({cookie}) -m str {name(backend)} }}" for backend, _ in weighted]
    if len(weighted) == 1:
        return [*lines, f"use_backend {name(weighted[0][0])} if {chosen}"]
    total = sum(weight for _, weight in weighted)
    lines.append(f"http-request set-var({DRAW_VARIABLE}) rand({number(total)}) if {chosen}")
    bound = 0
    for backend, weight in weighted:
        bound += weight
        lines.append(f"use_backend {name(backend)} if {chosen} {{ var({DRAW_VARIABLE}) -m int lt {number(bound)} }}")
    return lines


def _words(values: list[str] | tuple[str, ...]) -> str:
    return " ".join(config_word(value) for value in values)


def _location_part(text: str) -> str:
    """A part of a location: literal text with the API's placeholders (`${host}` and the like) in it."""
    return "".join(REQUEST_PARTS.get(piece) or _literal(piece) for piece in _PLACEHOLDER.split(text))


def _literal(text: str) -> str:
    """Literal text inside a log-format string (not yet quoted): `%` doubled."""
    if not re.fullmatch(r"[\x21-\x7e]*", text):
        raise UnsafeValue(f"{text!r} holds characters a location cannot carry")
    return text.replace("%", "%%")
