"""LoadBalancerConfig -> haproxy.cfg text, and the runtime-API form of a server. Pure functions.

Every value reaches the text through haproxy_words: text quoted, names and addresses by their grammar."""

import hashlib
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from elbd.dataplane import access_log_format
from elbd.dataplane.access_lists import access_lines
from elbd.dataplane.haproxy_words import UnsafeValue, config_word, cookie_token, endpoint, log_format_word, name, number
from elbd.dataplane.model import FLAVOR_TABLE, Backend, Frontend, LoadBalancerConfig, Server, ToBackends
from elbd.dataplane.route_lines import route_lines
from elbd.dataplane.tls_files import VERSIONS, alpn_list, cipher_list, ciphersuite_list, client_ca_path, crt_list_path, plain_path, sni_name


def served_weight(backend: Backend, server: Server) -> int:
    """Source hashing ignores weights: every server gets 1 (the stored weight is only echoed)."""
    return 1 if backend.balance == "source" else server.weight


def server_options(backend: Backend, server: Server) -> str:
    """Everything after `server NAME` in the config, and after `add server BE/NAME` at runtime (never for
    a backend whose servers carry a cookie: HAProxy 2.6 refuses `cookie` there, so a reload adds them)."""
    shared = shared_server_options(backend)
    cookie = [f"cookie {member_cookie(server.name)}"] if backend.persistence is not None and backend.persistence.cookies else []
    fixed_id = [f"id {number(hash_id(backend, server))}"] if hashes_source(backend) else []
    backup = ["backup"] if server.backup else []
    return " ".join([endpoint(server.address, server.port), *fixed_id, f"weight {number(served_weight(backend, server))}", *cookie,
                     *backup, *([shared] if shared else [])])


def hashes_source(backend: Backend) -> bool:
    """Whether the backend picks a member by hashing the client address (SOURCE_IP, as the algorithm or
    as persistence)."""
    return backend.balance == "source" or (backend.persistence is not None and backend.persistence.kind == "source")


_ID_RANGE = 2**31 - 2


def hash_id(backend: Backend, server: Server) -> int:
    """The server's id in a source-hashing backend. HAProxy places a server on the consistent-hash ring
    by its id, and numbers servers in the order they came (a reload renumbers them), so each gets an id
    derived from its member id: a client hashes to the same member in every process. Two members whose
    ids collide (rare) take the next free one, in the order the backend lists them."""
    taken: set[int] = set()
    for other in backend.servers:
        if other.name == server.name:
            break
        taken.add(_probed(other.name, taken))
    return _probed(server.name, taken)


def _probed(server_name: str, taken: set[int]) -> int:
    candidate = int(hashlib.sha256(name(server_name).encode()).hexdigest()[:12], 16) % _ID_RANGE
    while candidate + 1 in taken:
        candidate = (candidate + 1) % _ID_RANGE
    return candidate + 1


def member_cookie(server_name: str) -> str:
    """The cookie value that names a member: derived from its id (elbd's, never a user's string), the
    same in every process, so a reload moves no client; a digest, so the id itself is not shown."""
    return hashlib.sha256(name(server_name).encode()).hexdigest()[:16]


PERSISTENCE_COOKIE = "ELBD_MEMBER"  # the cookie HTTP_COOKIE persistence inserts


def balance_lines(backend: Backend) -> list[str]:
    """How a backend picks a member, and keeps a client on it. SOURCE_IP persistence hashes the client
    address over the members by their weights, whatever the pool's algorithm: a stick table would honour
    the algorithm for a client's first choice, but HAProxy 2.6 loses stick tables at every reload, and a
    consistent hash moves nobody then (and only the clients of a member that goes or comes when the
    members change)."""
    persistence = backend.persistence
    if hashes_source(backend):
        return ["balance source", "hash-type consistent"]
    lines = [f"balance {name(backend.balance)}"]
    if persistence is None:
        return lines
    if backend.mode != "http":
        raise UnsafeValue(f"{persistence.kind} persistence needs an HTTP backend")
    if persistence.kind == "cookie":
        idle = f" maxidle {number(persistence.idle_timeout_min)}m" if persistence.idle_timeout_min else ""
        return [*lines, f"cookie {PERSISTENCE_COOKIE} insert indirect nocache httponly{idle}"]
    if persistence.kind == "app_cookie" and persistence.cookie_name is not None:
        return [*lines, f"cookie {config_word(cookie_token(persistence.cookie_name))} prefix nocache"]
    raise UnsafeValue(f"{persistence!r} is not a persistence elbd renders")


def shared_server_options(backend: Backend) -> str:
    """The options every server of the backend has. The skeleton shows them (in a comment), so that a
    change of them, though written on the server lines, is a change of the skeleton and reloads."""
    parts = []
    if backend.slowstart_s is not None:
        parts.append(f"slowstart {number(backend.slowstart_s)}s")
    if backend.server_ssl:
        parts.append("ssl verify none")
    check = backend.check
    if check is not None:
        parts.append(f"check inter {number(check.interval_s)}s rise {number(check.rise)} fall {number(check.fall)}")
        if check.port:
            parts.append(f"port {number(check.port)}")
        if check.kind in ("HTTPS", "TLS"):
            parts.append("check-ssl verify none")
        if backend.drain_s is None:  # without draining, a member its check marks down loses its connections
            parts.append("on-marked-down shutdown-sessions")
    return " ".join(parts)


def bind_options(frontend: Frontend, run_dir: Path) -> str:
    """What follows `bind ADDRESS:PORT`. On a listener whose client speaks first (HTTP, or TLS of any
    kind), `defer-accept`: the kernel hands HAProxy a new connection once its first bytes have come, not
    at the handshake's last ACK, so HAProxy wakes up less often (0.39 poll loops per `Connection: close`
    request where it took 0.65: about 15% less CPU per such request, bench/findings.md). A client that
    connects and stays silent is accepted about a second later. Never on plain TCP: some protocols wait
    for the server to speak first."""
    deferred = " defer-accept" if frontend.mode == "http" or frontend.tls is not None else ""
    return deferred + tls_bind_options(frontend, run_dir)


def tls_bind_options(frontend: Frontend, run_dir: Path) -> str:
    """What follows `bind ADDRESS:PORT` on a listener that terminates TLS; empty for one that does not."""
    tls = frontend.tls
    if tls is None:
        return ""
    policy = tls.policy
    if policy.min_version not in VERSIONS or policy.max_version not in VERSIONS:
        raise UnsafeValue(f"{policy.min_version!r} to {policy.max_version!r} is not a range of TLS versions")
    parts = [f"ssl crt-list {config_word(plain_path(crt_list_path(run_dir, frontend.name)))}",
             f"ssl-min-ver {policy.min_version} ssl-max-ver {policy.max_version}"]
    if policy.ciphers:
        parts.append(f"ciphers {config_word(cipher_list(policy))}")
    if policy.ciphersuites:
        parts.append(f"ciphersuites {config_word(ciphersuite_list(policy))}")
    if tls.client_ca is not None:
        parts.append(f"ca-file {config_word(plain_path(client_ca_path(run_dir, tls.client_ca)))} verify required")
    if tls.alpn:
        parts.append(f"alpn {config_word(alpn_list(tls.alpn))}")
    return " " + " ".join(parts)


def tls_certificates(frontend: Frontend) -> str:
    """The certificates a listener presents and the names each answers for, as a comment of the
    skeleton: the crt-list file holds them, and a change of them must reload."""
    tls = frontend.tls
    if tls is None:
        return ""
    return "; ".join([f"{name(tls.certificate)} by default", *(f"{name(one.certificate)} for {' '.join(map(sni_name, one.names))}" for one in tls.sni)])


MEMBER_TIMEOUT_VAR = "txn.elbd_member_timeout_ms"  # the listener's member_timeout, for its pool's backend
CLOSING_UNTIL_VAR = "proc.elbd_closing_until"  # HTTP answers close their connection until this time (runtime_commands.CloseKeepAlive)
_HEADER_VALUES = {  # each served header's value, as HAProxy log-format text (elbd's own, never a user's)
    "X-Forwarded-ELB-IP": "%[dst]",
    "X-Forwarded-For-Port": "%[src_port]",
    "X-Real-IP": "%[src]",
}

_TLS_HEADER_VALUES = {  # the TLS session's facts; a client's SNI name only when it is a host name
    "X-Forwarded-TLS-Protocol": "%[ssl_fc_protocol] if { ssl_fc_protocol -m found }",
    "X-Forwarded-TLS-Cipher": "%[ssl_fc_cipher] if { ssl_fc_cipher -m found }",
    "X-Forwarded-Tls-Sni": r"%[ssl_fc_sni] if { ssl_fc_sni -m reg ^[A-Za-z0-9.-]{1,253}$ }",
    "X-Forwarded-Tls-Alpn-Protocol": "%[ssl_fc_alpn] if { ssl_fc_alpn -m found }",
}


def reached_backends(frontend: Frontend) -> set[str]:
    """The backends a frontend forwards requests to: its default and those its routes name."""
    names = {frontend.backend} if frontend.backend is not None else set()
    for route in frontend.routes:
        if isinstance(route.action, ToBackends):
            names.update(backend for backend, _ in route.action.weights)
    return names


def carries_member_timeout(lb: LoadBalancerConfig, frontend: Frontend) -> bool:
    """Whether the listener's member_timeout must travel with each request (a variable the backend reads):
    only when a backend it forwards to waits another time by its own `timeout server`. A pool's server
    timeout is the longest member_timeout of the listeners that use it, so a pool with one listener (the
    common case) already waits exactly that long, and the variable would cost every request a set and a
    read for nothing (several percent of HAProxy's CPU per keep-alive request, bench/findings.md)."""
    if frontend.mode != "http" or frontend.member_timeout_s is None:
        return False
    backends = [lb.backend(name) for name in reached_backends(frontend)]
    return any(backend is None or backend.server_timeout_s != frontend.member_timeout_s for backend in backends)


def reads_member_timeout(lb: LoadBalancerConfig, backend: Backend) -> bool:
    """Whether some frontend that forwards to this backend carries its member_timeout to it."""
    return backend.mode == "http" and any(backend.name in reached_backends(frontend) and carries_member_timeout(lb, frontend)
                                          for frontend in lb.frontends)


def http_request_lines(frontend: Frontend, lb_id: str, member_timeout: bool = True) -> list[str]:
    """What an HTTP listener does to each request before its pool's backend takes it: the headers of
    insert_headers (each replaces what the client sent under its name), X-Forwarded-For by its mode, and
    the listener's member_timeout, which the backend applies (HAProxy sets a server timeout only there),
    unless `member_timeout` is False (carries_member_timeout says when it need not travel)."""
    if frontend.mode != "http":
        return []
    lines = []
    if frontend.forwarded_for == "append":
        lines.append("http-request add-header X-Forwarded-For %[src]")
    elif frontend.forwarded_for == "remove":
        lines.append("http-request del-header X-Forwarded-For")
    elif frontend.forwarded_for != "preserve":
        raise UnsafeValue(f"{frontend.forwarded_for!r} is not an X-Forwarded-For mode")
    for header in frontend.request_headers:
        if header == "X-Forwarded-Host":  # the client's Host, or none: a client's own never passes
            # one condition, not a set-header if found and a del-header if not: each condition looks the
            # Host header up again (about 2% of HAProxy's instructions per keep-alive request, findings.md)
            lines += ["http-request del-header X-Forwarded-Host",
                      "http-request add-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found }"]
        elif header == "X-Forwarded-Proto":
            lines.append(f"http-request set-header X-Forwarded-Proto {'https' if frontend.tls else 'http'}")
        elif header == "X-Forwarded-Port":
            lines.append(f"http-request set-header X-Forwarded-Port {number(frontend.port)}")
        elif header == "X-Forwarded-ELB-ID":
            lines.append(f"http-request set-header X-Forwarded-ELB-ID {name(lb_id)}")
        elif header in _TLS_HEADER_VALUES and frontend.tls:  # each only when the session has it
            lines += [f"http-request del-header {header}", f"http-request set-header {header} {_TLS_HEADER_VALUES[header]}"]
        elif header in _HEADER_VALUES:
            lines.append(f"http-request set-header {header} {_HEADER_VALUES[header]}")
        else:
            raise UnsafeValue(f"{header!r} is not a header elbd sets")
    if member_timeout and frontend.member_timeout_s is not None:
        lines.append(f"http-request set-var({MEMBER_TIMEOUT_VAR}) int({number(frontend.member_timeout_s * 1000)})")
    return lines


def connection_limit_lines(frontend: Frontend) -> list[str]:
    """A listener's `connection` and `cps` limits. A connection past either is refused as soon as HAProxy
    accepts it (closed with a reset), never queued, as the cloud discards it: `maxconn` and
    `rate-limit sessions` would hold it in the kernel's backlog instead. `fe_conn` counts the connection
    being judged; `fe_sess_rate` counts the sessions of the last second, which refused connections never
    become. Lowering a limit closes no open connection."""
    lines = []
    if frontend.max_connections:
        lines.append(f"tcp-request connection reject if {{ fe_conn gt {number(frontend.max_connections)} }}")
    if frontend.max_new_connections_per_s:
        lines.append(f"tcp-request connection reject if {{ fe_sess_rate ge {number(frontend.max_new_connections_per_s)} }}")
    return lines


FLAVOR_TABLE_LINE = "stick-table type integer size 2 expire 10s store conn_cur,sess_rate(1s),gpc0_rate(1s)"


def flavor_limit_lines(frontend: Frontend) -> list[str]:
    """The load balancer's flavor, on a listener of its kind: every such listener tracks its connections
    in the table's entry for the kind, so its limits hold for them together, refused as the listener's
    own are (connection_limit_lines: a reset, never queued). An HTTP request past the requests-per-second
    limit is answered 429; `gpc0` counts the requests let through, so a refused one takes no room of the
    next second. With a listener's own limits, both hold: the lower one decides."""
    flavor = frontend.flavor
    if flavor is None:
        return []
    if flavor.kind not in (4, 7):
        raise UnsafeValue(f"{flavor.kind!r} is not a flavor's kind")
    lines = [f"tcp-request connection track-sc0 int({flavor.kind}) table {FLAVOR_TABLE}"]
    if flavor.max_connections:
        lines.append(f"tcp-request connection reject if {{ sc0_conn_cur gt {number(flavor.max_connections)} }}")
    if flavor.max_new_connections_per_s:
        lines.append(f"tcp-request connection reject if {{ sc0_sess_rate ge {number(flavor.max_new_connections_per_s)} }}")
    if flavor.max_requests_per_s and frontend.mode == "http":
        lines += [f"http-request deny deny_status 429 if {{ sc0_gpc0_rate ge {number(flavor.max_requests_per_s)} }}",
                  "http-request sc-inc-gpc0(0)"]
    return lines


def server_line(backend: Backend, server: Server) -> str:
    line = f"{name(server.name)} {server_options(backend, server)}"
    return line + " disabled" if server.held else line


@cache
def _template() -> Template:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["endpoint"] = endpoint
    environment.filters["word"] = config_word
    environment.filters["log_format_word"] = log_format_word
    environment.filters["name"] = name
    environment.filters["number"] = number
    return environment.get_template("haproxy.cfg.j2")


def render(lb: LoadBalancerConfig, run_dir: Path, socket_dir: Path) -> str:
    relay_socket = socket_dir / access_log_format.RELAY_SOCKET_NAME  # between the access log's ring and the agent
    return _template().render(
        lb=lb,
        run_dir=str(run_dir),
        socket_dir=str(socket_dir),
        server_line=server_line,
        shared_server_options=shared_server_options,
        bind_options=lambda frontend: bind_options(frontend, run_dir),
        tls_certificates=tls_certificates,
        route_lines=route_lines,
        connection_limit_lines=connection_limit_lines,
        flavor_limit_lines=flavor_limit_lines,
        flavor_table=FLAVOR_TABLE,
        flavor_table_line=FLAVOR_TABLE_LINE,
        access_lines=lambda frontend: access_lines(frontend, run_dir),
        http_request_lines=lambda frontend: http_request_lines(frontend, lb.id, carries_member_timeout(lb, frontend)),
        reads_member_timeout=lambda backend: reads_member_timeout(lb, backend),
        member_timeout_var=MEMBER_TIMEOUT_VAR,
        closing_until_var=CLOSING_UNTIL_VAR,
        balance_lines=balance_lines,
        global_log_lines=access_log_format.global_lines() if lb.access_log else [],
        log_ring_name=access_log_format.RING_NAME,
        log_ring_lines=access_log_format.ring_lines(relay_socket) if lb.access_log else [],
        log_relay=access_log_format.RELAY,
        log_relay_frontend_lines=access_log_format.relay_frontend_lines(relay_socket) if lb.access_log else [],
        log_relay_backend_lines=access_log_format.relay_backend_lines(access_log_format.receiver_socket(socket_dir.parent)) if lb.access_log else [],
        frontend_log_lines=lambda frontend: access_log_format.frontend_lines(frontend, lb.id) if lb.access_log else [],
    )
