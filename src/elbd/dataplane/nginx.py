"""One nginx process per load balancer's UDP listeners, in `<data dir>/nginx/<load balancer id>/`:
nginx.conf, nginx.pid, error.log, `master` (the master's pid and start time: a pid alone may be
reused) and `workers` (the same of its workers: a worker whose master was killed keeps its sockets
and would go on serving an old configuration beside a new master, so it is stopped before one starts). nginx runs as a daemon, so it outlives elbd; elbd's own process, never the system service.
Reloads are nginx's own (SIGHUP): the master starts workers with the new file and stops the old ones
gracefully; a file the master cannot apply leaves the old workers serving."""

import os
import signal
import subprocess
import time
from pathlib import Path

from elbd.dataplane.engine import EngineError
from elbd.dataplane.process_identity import PROC, ProcessIdentity
from elbd.private_paths import private_directory

START_TIMEOUT_S = 5.0
RELOAD_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 5.0
POLL_S = 0.01


class NginxProcess:
    def __init__(self, run_dir: Path, binary: str) -> None:
        self.run_dir = run_dir
        self.binary = binary

    @property
    def config_path(self) -> Path:
        return self.run_dir / "nginx.conf"

    def prepare(self) -> None:
        private_directory(self.run_dir)

    def identity(self) -> ProcessIdentity | None:
        try:
            return ProcessIdentity.parse((self.run_dir / "master").read_text())
        except OSError:
            return None

    def master_pid(self) -> int | None:
        identity = self.identity()
        return identity.pid if identity is not None and identity.running() else None

    def alive(self) -> bool:
        return self.master_pid() is not None

    def applied(self) -> str | None:
        """The configuration the running master took, as elbd last gave it."""
        try:
            return self.config_path.read_text()
        except OSError:
            return None

    def test(self, text: str) -> None:
        """`nginx -t` of `text`; EngineError with nginx's words when it refuses it."""
        candidate = self.run_dir / "nginx.conf.new"
        candidate.write_text(text)
        result = self._nginx("-t", "-c", str(candidate))
        if result.returncode != 0:
            raise EngineError(f"the UDP engine (nginx) refused the configuration: {_last_words(result.stderr)}; the previous configuration keeps serving")

    def start(self, text: str) -> None:
        self._stop_orphans()
        self.config_path.write_text(text)
        (self.run_dir / "nginx.pid").unlink(missing_ok=True)
        result = self._nginx("-c", str(self.config_path))
        if result.returncode != 0:
            raise EngineError(f"the UDP engine (nginx) did not start: {_last_words(result.stderr)}")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            pid = _read_pid(self.run_dir / "nginx.pid")
            identity = ProcessIdentity.of(pid) if pid is not None else None
            if identity is not None and self.workers(identity.pid):
                (self.run_dir / "master").write_text(identity.line())
                self._note_workers(identity.pid)
                return
            time.sleep(POLL_S)
        raise EngineError("the UDP engine (nginx) did not start in time")

    def reload(self, text: str, previous: str | None) -> None:
        """Give the master `text` and wait until workers that run it serve; on a refusal the previous
        file is put back (the old workers keep serving it) and EngineError says why."""
        pid = self.master_pid()
        if pid is None:
            raise EngineError("the UDP engine (nginx) is not running")
        old = self.workers(pid)
        log_size = _size(self.run_dir / "error.log")
        self.config_path.write_text(text)
        os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_TIMEOUT_S
        while time.monotonic() < deadline:
            refusal = _new_emergency(self.run_dir / "error.log", log_size)
            if refusal:
                if previous is not None:
                    self.config_path.write_text(previous)
                raise EngineError(f"the UDP engine (nginx) refused the configuration: {refusal}; the previous configuration keeps serving")
            current = self.workers(pid)
            if current - old and not any(worker in old and not _shutting_down(worker) for worker in current):
                self._note_workers(pid)
                return
            time.sleep(POLL_S)
        raise EngineError("the UDP engine (nginx) did not take the configuration in time")

    def workers(self, master: int) -> set[int]:
        """The master's children (its workers), from /proc."""
        found = set()
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if len(fields) > 1 and fields[1] == str(master) and fields[0] != "Z":
                found.add(int(entry.name))
        return found

    def stop(self) -> bool:
        """Stop the master and its workers; answers whether a master was running."""
        pid = self.master_pid()
        if pid is not None:
            self._note_workers(pid)
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while time.monotonic() < deadline and self.alive():
                time.sleep(POLL_S)
            if self.alive():
                os.kill(pid, signal.SIGKILL)
        self._stop_orphans()
        return pid is not None

    def _note_workers(self, master: int) -> None:
        identities = [identity for worker in self.workers(master) if (identity := ProcessIdentity.of(worker)) is not None]
        (self.run_dir / "workers").write_text("".join(f"{identity.line()}\n" for identity in identities))

    def _stop_orphans(self) -> None:
        """Kill the workers last noted that still run (their master is gone or stopping)."""
        try:
            lines = (self.run_dir / "workers").read_text().splitlines()
        except OSError:
            return
        for identity in filter(None, map(ProcessIdentity.parse, lines)):
            if identity.running():
                try:
                    os.kill(identity.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def remove_files(self) -> None:
        for path in self.run_dir.glob("*"):
            path.unlink(missing_ok=True)
        try:
            self.run_dir.rmdir()
        except OSError:
            pass

    def _nginx(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, "-p", f"{self.run_dir}/", "-e", str(self.run_dir / "error.log"), *arguments],
            capture_output=True, text=True, timeout=30, check=False,
        )


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _new_emergency(path: Path, since: int) -> str | None:
    """The first `[emerg]` line the log gained after `since` bytes (a reload the master refused)."""
    try:
        with path.open("rb") as log:
            log.seek(since)
            added = log.read().decode(errors="replace")
    except OSError:
        return None
    line = next((line for line in added.splitlines() if "[emerg]" in line), None)
    return line.split("[emerg]", 1)[1].strip() if line else None


def _shutting_down(pid: int) -> bool:
    try:
        return b"shutting down" in (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return True  # gone


def _last_words(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "[emerg]" in line or "[alert]" in line]
    return (lines[-1].split("]", 1)[-1].strip() if lines else stderr.strip().splitlines()[-1:][0] if stderr.strip() else "no reason given")
