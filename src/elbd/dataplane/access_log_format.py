"""What a load balancer with a log tank adds to its haproxy.cfg: HAProxy sends one JSON object per HTTP
request (per connection on a TCP or TLS listener) to the agent's unix datagram socket, which writes it
to the load balancer's access log (access_log_receiver.py).

Every value a client chooses (method, URI, HTTP version, Host, User-Agent) goes through HAProxy's
`json(utf8s)` converter inside a JSON string: quotes, backslashes and control characters come out
escaped, so no request can end its field or its line, nor forge another. The other values are HAProxy's
own (addresses, numbers, timings, the termination state) or names elbd gave (listener, pool and
member ids). Logging is UDP-like: a datagram HAProxy cannot send at once (the receiver is gone or
behind) is dropped, never waited for, so it costs the request path no more than the send."""

from pathlib import Path

from elbd.dataplane.haproxy_words import config_word, name
from elbd.dataplane.model import Frontend

SOCKET_NAME = "access-log.sock"
MAX_LINE_BYTES = 8192  # a longer datagram is cut by HAProxy (the URI alone is at most 1024 bytes in a log)
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
    """One socket for every load balancer of a data directory: each line names its load balancer."""
    return sockets_root / SOCKET_NAME


def global_lines(socket: Path) -> list[str]:
    """Where the process logs: raw lines (no syslog header), facility and level unused."""
    return [f"log {config_word('unix@' + str(socket))} len {MAX_LINE_BYTES} format raw local0"]


def log_format(load_balancer_id: str, mode: str) -> str:
    fields = _HTTP_FIELDS if mode == "http" else _TCP_FIELDS
    return "{" + ",".join([f'"loadbalancer_id":"{name(load_balancer_id)}"', *(f'"{key}":{value}' for key, value in fields)]) + "}"


def frontend_lines(frontend: Frontend, load_balancer_id: str) -> list[str]:
    lines = ["log global"]
    if frontend.mode == "http":
        lines += [f"capture request header Host len {CAPTURE_BYTES}", f"capture request header User-Agent len {CAPTURE_BYTES}"]
    return [*lines, f"log-format {config_word(log_format(load_balancer_id, frontend.mode))}"]
