"""LoadBalancerConfig -> haproxy.cfg text, and the runtime-API form of a server. Pure functions."""

import ipaddress
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from elbd.dataplane.model import Backend, LoadBalancerConfig, Server


def endpoint(address: str, port: int) -> str:
    """`address:port`; port 0 (a pool forwarding all ports) leaves the port out: the client's is used."""
    host = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    return f"{host}:{port}" if port else host


def served_weight(backend: Backend, server: Server) -> int:
    """Source hashing ignores weights: every server gets 1 (the stored weight is only echoed)."""
    return 1 if backend.balance == "source" else server.weight


def server_options(backend: Backend, server: Server) -> str:
    """Everything after `server NAME` in the config, and after `add server BE/NAME` at runtime."""
    parts = [endpoint(server.address, server.port), f"weight {served_weight(backend, server)}"]
    if backend.server_ssl:
        parts.append("ssl verify none")
    check = backend.check
    if check is not None:
        parts.append(f"check inter {check.interval_s}s rise {check.rise} fall {check.fall}")
        if check.port:
            parts.append(f"port {check.port}")
        if check.kind in ("HTTPS", "TLS"):
            parts.append("check-ssl verify none")
    return " ".join(parts)


def server_line(backend: Backend, server: Server) -> str:
    line = f"{server.name} {server_options(backend, server)}"
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
    return environment.get_template("haproxy.cfg.j2")


def render(lb: LoadBalancerConfig, run_dir: Path, socket_dir: Path) -> str:
    return _template().render(lb=lb, run_dir=run_dir, socket_dir=socket_dir, server_line=server_line)
