"""LoadBalancerConfig -> haproxy.cfg text, and the runtime-API form of a server. Pure functions.

Every value reaches the text through haproxy_words: text quoted, names and addresses by their grammar."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from elbd.dataplane.haproxy_words import config_word, endpoint, log_format_word, name, number
from elbd.dataplane.model import Backend, LoadBalancerConfig, Server


def served_weight(backend: Backend, server: Server) -> int:
    """Source hashing ignores weights: every server gets 1 (the stored weight is only echoed)."""
    return 1 if backend.balance == "source" else server.weight


def server_options(backend: Backend, server: Server) -> str:
    """Everything after `server NAME` in the config, and after `add server BE/NAME` at runtime."""
    shared = shared_server_options(backend)
    return " ".join([endpoint(server.address, server.port), f"weight {number(served_weight(backend, server))}", *([shared] if shared else [])])


def shared_server_options(backend: Backend) -> str:
    """The options every server of the backend has. The skeleton shows them (in a comment), so that a
    change of them, though written on the server lines, is a change of the skeleton and reloads."""
    parts = []
    if backend.server_ssl:
        parts.append("ssl verify none")
    check = backend.check
    if check is not None:
        parts.append(f"check inter {number(check.interval_s)}s rise {number(check.rise)} fall {number(check.fall)}")
        if check.port:
            parts.append(f"port {number(check.port)}")
        if check.kind in ("HTTPS", "TLS"):
            parts.append("check-ssl verify none")
    return " ".join(parts)


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
    return _template().render(lb=lb, run_dir=str(run_dir), socket_dir=str(socket_dir), server_line=server_line, shared_server_options=shared_server_options)
