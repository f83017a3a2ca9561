"""The anchor of the data-plane comparison: the HAProxy configuration an expert would write by hand
for one backend (mode http or tcp, one server, no checks, sane timeouts), with the same nbthread,
maxconn and backend connection sharing as elbd's process, run in the foreground from a temporary
directory: the ratio to it says what elbd's own machinery costs, the nginx anchor what users compare.

It runs in a session of its own, as elbd's daemonized HAProxy (and any HAProxy run as a service) does.
With the kernel's scheduler autogroups on, a session is one group, and the two cores are shared between
groups first: an anchor in the benchmark's session would share one group with wrk and nginx and get
another share of the cores than elbd's HAProxy, which read as a 7-12% gap in elbd's disfavour (the same
anchor under setsid measured exactly elbd's figure)."""

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import terminate

# elbd's HTTP and HTTPS listeners accept a connection once the client's first bytes have come
# (elbd.dataplane.render.bind_options): one of elbd's defaults, so every HTTP anchor binds with it too.
DEFER_ACCEPT = "defer-accept"
# What elbd's HTTP listeners do to every request by default (insert_headers: X-Forwarded-For appended,
# X-Forwarded-Host written), written by hand here too, so that a ratio compares the same work.
FORWARDED_HEADERS = (
    "http-request add-header X-Forwarded-For %[src]",
    "http-request set-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found }",
)
CONFIG = """global
    maxconn {maxconn}
    nbthread {nbthread}

defaults
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend http_in
    mode http
    bind {vip}:{http_port} {defer_accept}
{forwarded}
    default_backend http_servers

backend http_servers
    mode http
    http-reuse always
    server s1 {server}

frontend tcp_in
    mode tcp
    bind {vip}:{tcp_port}
    default_backend tcp_servers

backend tcp_servers
    mode tcp
    server s1 {server}
"""


@dataclass
class HandWritten:
    directory: Path
    vip: str
    http_port: int
    tcp_port: int
    server: str  # address:port
    maxconn: int
    nbthread: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def config_text(self) -> str:
        return CONFIG.format(maxconn=self.maxconn, nbthread=self.nbthread, vip=self.vip, http_port=self.http_port, defer_accept=DEFER_ACCEPT,
                             forwarded="\n".join(f"    {line}" for line in FORWARDED_HEADERS),
                             tcp_port=self.tcp_port, server=self.server)

    def start(self) -> "HandWritten":
        self.process = run_anchor(self.directory, self.config_text, (self.vip, self.http_port))
        return self

    def stop(self) -> None:
        terminate(self.process)
        self.process = None


def run_anchor(directory: Path, config_text: str, probe: tuple[str, int], timeout_s: float = 10.0) -> subprocess.Popen[bytes]:
    """HAProxy in the foreground on `config_text` (checked first), in a session of its own, once it
    accepts connections on `probe`."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "haproxy.cfg"
    config.write_text(config_text)
    check = subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], capture_output=True, text=True, timeout=30, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"hand-written config refused: {check.stderr or check.stdout}")
    with (directory / "haproxy.log").open("ab") as log:
        process = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hand-written HAProxy exited: {(directory / 'haproxy.log').read_text()[-2000:]}")
        try:
            with socket.create_connection(probe, timeout=1):
                return process
        except OSError:
            time.sleep(0.02)
    terminate(process)
    raise RuntimeError("the hand-written HAProxy did not listen in time")
