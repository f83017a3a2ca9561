"""Fast backends for wrk runs and drills: one nginx (Debian's, run from a temporary directory with a
minimal config, never the system service) serving several loopback endpoints, each answering its own
name. Without nginx, the same endpoints come from a small Python asyncio server (bench.fastbackend)."""

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.procs import terminate
from bench.server import free_port

if TYPE_CHECKING:
    from bench.context import Bench

CONFIG = """daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 8192; multi_accept on; }}
http {{
    access_log off;
    default_type text/plain;
    keepalive_requests 1000000;
    keepalive_timeout 65s;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
{servers}
}}
"""
SERVER = """    server {{
        listen {address}:{port} backlog=4096;
        location / {{ return 200 "{name}"; }}
    }}"""


@dataclass(frozen=True)
class Endpoint:
    name: str
    address: str
    port: int


@dataclass
class Backends:
    directory: Path
    endpoints: list[Endpoint]
    process: subprocess.Popen[bytes] | None = None
    kind: str = ""
    log: list[str] = field(default_factory=list)

    def start(self, timeout_s: float = 10.0) -> "Backends":
        self.directory.mkdir(parents=True, exist_ok=True)
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if nginx:
            servers = "\n".join(SERVER.format(address=e.address, port=e.port, name=e.name) for e in self.endpoints)
            config = self.directory / "nginx.conf"
            config.write_text(CONFIG.format(dir=self.directory, servers=servers))
            command = [nginx, "-p", str(self.directory), "-c", str(config), "-e", str(self.directory / "error.log")]
            version = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr.strip().split("/")[-1]
            self.kind = f"nginx {version} (one process, `return 200`)"
        else:
            command = [sys.executable, "-m", "bench.fastbackend", *(f"{e.address}:{e.port}:{e.name}" for e in self.endpoints)]
            self.kind = "Python asyncio server (bench/fastbackend.py; nginx is not installed)"
        with (self.directory / "stdout.log").open("ab") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=output, cwd=Path(__file__).resolve().parent.parent)
        deadline = time.monotonic() + timeout_s
        waiting = list(self.endpoints)
        while waiting and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"backends exited: {(self.directory / 'stdout.log').read_text()[-2000:]}")
            try:
                with socket.create_connection((waiting[0].address, waiting[0].port), timeout=1):
                    waiting.pop(0)
            except OSError:
                time.sleep(0.02)
        if waiting:
            raise RuntimeError(f"backends did not listen within {timeout_s} s")
        return self

    def stop(self) -> None:
        terminate(self.process)
        self.process = None


SHARED_ENDPOINTS = 8


async def shared_backends(bench: "Bench") -> Backends:
    """The run's fast backends b0..b7 on 127.20.0.50..57, started once and stopped at the end."""
    if "backends" not in bench.shared:
        endpoints = []
        for index in range(SHARED_ENDPOINTS):
            address = f"127.20.0.{50 + index}"
            endpoints.append(Endpoint(f"b{index}", address, free_port(address)))
        backends = Backends(bench.work_dir / "nginx", endpoints).start()
        bench.cleanups.callback(backends.stop)
        bench.shared["backends"] = backends
    return bench.shared["backends"]
