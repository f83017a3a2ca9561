"""What a load balancer with a log tank adds to its haproxy.cfg: HAProxy formats one JSON object per HTTP
request (per connection on a TCP or TLS listener) into a ring of its own, a buffer of RING_BYTES, whose
forwarder sends the lines octet-counted over one unix stream connection to the agent's socket, which
writes them to the load balancer's access log (access_log_receiver.py). The forwarder goes through a
relay of the same process (relay_frontend_lines says why).

Every value a client chooses (method, URI, HTTP version, Host, User-Agent) goes through HAProxy's
`json(utf8s)` converter inside a JSON string: quotes, backslashes and control characters come out
escaped, so no request can end its field or its line, nor forge another. The other values are HAProxy's
own (addresses, numbers, timings, the termination state) or names elbd gave (listener, pool and
member ids). The request path never waits on logging: a line goes into the ring in memory, and when
the ring is full (the agent is behind by a whole ring) HAProxy drops it and later says how many it
dropped. A datagram socket would drop far more: Linux queues at most net.unix.max_dgram_qlen (often
10) datagrams on it, whatever its buffer, so any moment the agent's thread is not scheduled under load
lost lines."""

from pathlib import Path

from elbd.dataplane.haproxy_words import config_word, name
from elbd.dataplane.model import Frontend

SOCKET_NAME = "access-log.sock"
MAX_LINE_BYTES = 8192  # a longer line is cut by HAProxy (the URI alone is at most 1024 bytes in a log)
RING_NAME = "elbd-access-log"
RING_BYTES = 1024 * 1024  # some 2,000 lines of 500 bytes: a burst the agent has not read yet
RING_TIMEOUT_SERVER = "1m"  # an agent that reads nothing for that long is reconnected to
RELAY = "elbd-access-log-relay"  # the frontend and backend between the ring and the agent's socket
RELAY_SOCKET_NAME = "log-relay.sock"  # beside placeholder.sock: no longer, for the length HAProxy allows a path
RELAY_WAIT = "1s"
RELAY_IDLE_TIMEOUT = "1h"
CAPTURE_BYTES = 256  # of Host and User-Agent
_CLIENT_TEXT = "json(utf8s)"

_HTTP_FIELDS = (
    ("time", '"%tr"'),
    ("client_ip", '"%ci"'),
    ("client_port", "%cp"),
    ("listener_id", '"%f"'),
    ("pool_id", '"%b"'),
    ("member_id", '"%s"'),
    ("method", f'"%[capture.req.method,{_CLIENT_TEXT}]"'),
    ("uri", f'"%[capture.req.uri,{_CLIENT_TEXT}]"'),
    ("http_version", f'"%[capture.req.ver,{_CLIENT_TEXT}]"'),
    ("host", f'"%[capture.req.hdr(0),{_CLIENT_TEXT}]"'),
    ("user_agent", f'"%[capture.req.hdr(1),{_CLIENT_TEXT}]"'),
    ("status", "%ST"),
    ("bytes_sent", "%B"),
    ("bytes_received", "%U"),
    ("request_ms", "%TR"),
    ("queue_ms", "%Tw"),
    ("connect_ms", "%Tc"),
    ("response_ms", "%Tr"),
    ("total_ms", "%Ta"),
    ("termination", '"%tsc"'),
)
_TCP_FIELDS = (
    ("time", '"%t"'),
    ("client_ip", '"%ci"'),
    ("client_port", "%cp"),
    ("listener_id", '"%f"'),
    ("pool_id", '"%b"'),
    ("member_id", '"%s"'),
    ("bytes_sent", "%B"),
    ("bytes_received", "%U"),
    ("queue_ms", "%Tw"),
    ("connect_ms", "%Tc"),
    ("total_ms", "%Tt"),
    ("termination", '"%ts"'),
)


def receiver_socket(sockets_root: Path) -> Path:
    """One socket for every load balancer of a data directory: a connection a HAProxy process, each
    line naming its load balancer."""
    return sockets_root / SOCKET_NAME


def global_lines() -> list[str]:
    """Where the process logs: raw lines (no syslog header) into its ring, facility and level unused."""
    return [f"log ring@{RING_NAME} len {MAX_LINE_BYTES} format raw local0"]


def ring_lines(relay_socket: Path) -> list[str]:
    """The ring's section (after `ring RING_NAME`): its forwarder sends each line octet-counted, so no
    byte of a line can end it early, to the relay (relay_lines)."""
    return [
        "format raw",
        f"maxlen {MAX_LINE_BYTES}",
        f"size {RING_BYTES}",
        "timeout connect 5s",
        f"timeout server {RING_TIMEOUT_SERVER}",
        f"server elbd-relay {config_word('unix@' + str(relay_socket))} log-proto octet-count",
    ]


def relay_frontend_lines(relay_socket: Path) -> list[str]:
    """The ring's forwarder (HAProxy 2.6) reconnects at once, in a loop, while its server refuses: with
    the agent's socket as its server, a stopped agent cost each logging HAProxy half a core. It
    connects to this frontend of its own process instead, which always accepts and holds each new
    connection RELAY_WAIT before connecting to the agent: a stopped agent costs a few connects a second.
    (Lines sent into a relay that then cannot reach the agent are lost, as they would be anyway.)"""
    return [
        "mode tcp",
        f"bind {config_word('unix@' + str(relay_socket))} mode 600",
        f"timeout client {RELAY_IDLE_TIMEOUT}",
        f"tcp-request inspect-delay {RELAY_WAIT}",
        "tcp-request content accept if WAIT_END",
        f"default_backend {RELAY}",
    ]


def relay_backend_lines(agent_socket: Path) -> list[str]:
    return [
        "mode tcp",
        f"timeout server {RELAY_IDLE_TIMEOUT}",
        f"server elbd-agent {config_word('unix@' + str(agent_socket))}",
    ]


def log_format(load_balancer_id: str, mode: str) -> str:
    fields = _HTTP_FIELDS if mode == "http" else _TCP_FIELDS
    return "{" + ",".join([f'"loadbalancer_id":"{name(load_balancer_id)}"', *(f'"{key}":{value}' for key, value in fields)]) + "}"


def frontend_lines(frontend: Frontend, load_balancer_id: str) -> list[str]:
    lines = ["log global"]
    if frontend.mode == "http":
        lines += [f"capture request header Host len {CAPTURE_BYTES}", f"capture request header User-Agent len {CAPTURE_BYTES}"]
    return [*lines, f"log-format {config_word(log_format(load_balancer_id, frontend.mode))}"]
