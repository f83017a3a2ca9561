"""The second anchor of the data-plane comparison: nginx as a reverse proxy, configured the way an nginx
expert would for this machine: a worker per core with `reuseport` listeners, upstream keepalive so a
short client connection costs one TCP handshake, not two, no access log, and the `stream` module for
TCP. It is what a user choosing a load balancer would compare elbd with. Its HTTP and HTTPS listeners
are `deferred` (TCP_DEFER_ACCEPT), as elbd's are (`defer-accept`): the same kernel feature on both sides,
worth about 15% of the CPU per `Connection: close` request to either (bench/findings.md); the stream
module has no such option, and elbd's TCP listeners do not defer either.

Debian's nginx-light has no stream module; `make bench` installs libnginx-mod-stream beside it. Like the
hand-written HAProxy, it runs in a session of its own (bench/handwritten.py says why)."""

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import terminate

STREAM_MODULE = Path("/usr/lib/nginx/modules/ngx_stream_module.so")
CONFIG = """daemon off;
master_process on;
worker_processes auto;
worker_rlimit_nofile 65536;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
load_module {stream_module};

events {{
    worker_connections 16384;
    multi_accept on;
}}

http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream http_servers {{
        server {server};
        keepalive 64;
        keepalive_requests 1000000;
    }}

    server {{
        listen {vip}:{http_port} reuseport deferred backlog=4096;
        location / {{
            proxy_pass http://http_servers;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $http_host;
        }}
    }}
}}

stream {{
    upstream tcp_servers {{
        server {server};
    }}

    server {{
        listen {vip}:{tcp_port} reuseport backlog=4096;
        proxy_pass tcp_servers;
    }}
}}
"""


def available() -> bool:
    return STREAM_MODULE.exists()


@dataclass
class NginxAnchor:
    directory: Path
    vip: str
    http_port: int
    tcp_port: int
    server: str  # address:port
    process: subprocess.Popen[bytes] | None = None

    @property
    def config_text(self) -> str:
        return CONFIG.format(dir=self.directory, stream_module=STREAM_MODULE, vip=self.vip, http_port=self.http_port,
                             tcp_port=self.tcp_port, server=self.server)

    def start(self) -> "NginxAnchor":
        self.process = run_nginx(self.directory, self.config_text, [(self.vip, self.http_port), (self.vip, self.tcp_port)])
        return self

    def stop(self) -> None:
        terminate(self.process)
        self.process = None


TLS_CONFIG = """daemon off;
master_process on;
worker_processes auto;
worker_rlimit_nofile 65536;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 16384;
    multi_accept on;
}}

http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    ssl_protocols {protocols};
    ssl_ciphers {ciphers};
    ssl_prefer_server_ciphers on;
    ssl_session_cache shared:SSL:5m;
    ssl_session_timeout 300s;

    upstream http_servers {{
        server {server};
        keepalive 64;
        keepalive_requests 1000000;
    }}
{servers}}}
"""
TLS_SERVER = """
    server {{
        listen {vip}:{port} ssl reuseport deferred backlog=4096;
        ssl_certificate {pem};
        ssl_certificate_key {pem};
        location / {{
            proxy_pass http://http_servers;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $http_host;
        }}
    }}
"""


@dataclass
class NginxTlsAnchor:
    """nginx terminating HTTPS as an expert would, on each port with its PEM file (chain, then key),
    with the protocols and ciphers given (elbd's policy in OpenSSL's words). Its session policy is
    HAProxy's default: a shared cache of about 20,000 sessions (nginx: about 4,000 a megabyte) kept for
    300 s, and tickets; without the cache nginx stored no session, which HAProxy does on every full
    handshake (about 1.5% of its CPU per handshake in A/B rounds)."""

    directory: Path
    vip: str
    pem_files: dict[int, Path]  # port -> certificate chain and key
    server: str  # address:port
    protocols: str  # nginx's words: "TLSv1.2 TLSv1.3"
    ciphers: str  # OpenSSL's cipher string
    process: subprocess.Popen[bytes] | None = None

    @property
    def config_text(self) -> str:
        servers = "".join(TLS_SERVER.format(vip=self.vip, port=port, pem=pem) for port, pem in sorted(self.pem_files.items()))
        return TLS_CONFIG.format(dir=self.directory, server=self.server, protocols=self.protocols, ciphers=self.ciphers, servers=servers)

    def start(self) -> "NginxTlsAnchor":
        self.process = run_nginx(self.directory, self.config_text, [(self.vip, port) for port in self.pem_files])
        return self

    def stop(self) -> None:
        terminate(self.process)
        self.process = None


def run_nginx(directory: Path, config_text: str, probes: list[tuple[str, int]], timeout_s: float = 10.0) -> subprocess.Popen[bytes]:
    """nginx in the foreground on `config_text` (checked first with -t), in a session of its own, once
    every probe address accepts connections."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "nginx.conf"
    config.write_text(config_text)
    command = ["nginx", "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"the nginx anchor's config was refused: {check.stderr}")
    with (directory / "stdout.log").open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the nginx anchor exited: {(directory / 'error.log').read_text()[-2000:]}")
        try:
            for probe in probes:
                with socket.create_connection(probe, timeout=1):
                    pass
            return process
        except OSError:
            time.sleep(0.02)
    terminate(process)
    raise RuntimeError("the nginx anchor did not listen in time")
