"""`elbd serve` with the HAProxy driver as a child process on a temporary data directory, and the
`elbd` commands an operator runs beside it (project create, quota set, dataplane stop)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import terminate
from elbd.service.identity import ProjectCredentials

UNLIMITED_QUOTAS = ("loadbalancer", "listener", "pool", "member", "members_per_pool", "listeners_per_loadbalancer", "ipgroup_max_length")


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


@dataclass
class ElbdServer:
    data_dir: Path
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # ELBD_* settings for the next start

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "elbd", *args, "--data-dir", str(self.data_dir)]

    def cli(self, *args: str) -> str:
        done = subprocess.run(self._command(*args), capture_output=True, text=True, timeout=120, check=False, env={**os.environ, **self.env})
        if done.returncode != 0:
            raise RuntimeError(f"elbd {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
        return done.stdout

    def create_project(self, name: str) -> ProjectCredentials:
        return ProjectCredentials(**json.loads(self.cli("project", "create", name)))

    def unlimited_quotas(self, project_id: str) -> None:
        """`elbd quota set PROJECT resource -1` for every quota the benchmarks pass, run side by side."""
        running = [
            subprocess.Popen(self._command("quota", "set", project_id, resource, "-1"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env={**os.environ, **self.env})
            for resource in UNLIMITED_QUOTAS
        ]
        for process in running:
            _, error = process.communicate(timeout=120)
            if process.returncode != 0:
                raise RuntimeError(f"elbd quota set failed: {error.decode()[-2000:]}")

    def start(self, timeout_s: float = 30.0) -> float:
        """Start `elbd serve`; answers the seconds until its API answered."""
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self._command("serve", "--port", str(self.port)),
                stdout=log,
                stderr=log,
                env={**os.environ, "ELBD_DATAPLANE": "haproxy", **self.env},
            )
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"elbd serve exited: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/openapi.json", timeout=1) as answer:
                    if answer.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, OSError):
                time.sleep(0.02)
        raise RuntimeError(f"elbd serve did not answer within {timeout_s} s")

    def kill(self) -> None:
        """SIGKILL, as a crash ends it."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        terminate(self.process)
        self.process = None

    def stop_dataplane(self) -> str:
        """`elbd dataplane stop`: the HAProxy processes outlive `elbd serve` on purpose."""
        return self.cli("dataplane", "stop").strip()
