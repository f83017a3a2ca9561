"""One HAProxy master-worker process, driven through its files and sockets. All process and socket
work of the data plane is here; everything else is data."""

import hashlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from elbd.dataplane.engine import EngineError
from elbd.dataplane.haproxy_words import endpoint
from elbd.dataplane.model import Frontend
from elbd.dataplane.runtime_commands import CloseKeepAlive, RuntimeCommand, ShowInfo, ShowServersState, prompts, text
from elbd.dataplane.process_identity import ProcessIdentity, SocketTable, terminate
from elbd.private_paths import private_directory

SOCKET_TIMEOUT_S = 5.0
RELOAD_CLOSING_S = 5  # before a reload, keep-alive connections close after their answer for this long
_MASTER_LINE = re.compile(r"^\s*(\d+)\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]")


class HaproxyError(EngineError):
    pass


@dataclass(frozen=True)
class MasterState:
    pid: int
    reloads: int
    failed: int


def _exchange(path: Path, command: str, half_close: bool) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(SOCKET_TIMEOUT_S)
        connection.connect(str(path))
        connection.sendall(command.encode() + b"\n")
        if half_close:
            connection.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


class RuntimeSession:
    """One connection to the runtime API in interactive (`prompt`) mode, where every answer ends with a
    prompt: commands are sent a window at a time and their answers told apart by the prompts, so a
    hundred commands cost one round trip instead of a hundred connections.

    HAProxy reads no more commands while its answers go unread, so a window's answers are read before
    the next window is sent: all of a large apply in one write would fill both directions' buffers and
    block both sides."""

    PROMPT = re.compile(rb"\n> |^> ")
    PAYLOAD_PROMPTS = re.compile(r"^(?:\+ )+")  # a command's payload lines are each answered `+ ` before its answer
    WINDOW = 256  # commands per write: a few tens of kB each way, well inside a socket's buffers

    def __init__(self, path: Path) -> None:
        self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._connection.settimeout(SOCKET_TIMEOUT_S)
        try:
            self._connection.connect(str(path))
            self._connection.sendall(b"prompt\n")
            self._read_prompts(1)
        except OSError:
            self._connection.close()
            raise

    def run_all(self, commands: Sequence[RuntimeCommand]) -> list[str]:
        """The answer of each command. A line of `;`-separated commands gets a prompt per part."""
        answers: list[str] = []
        for start in range(0, len(commands), self.WINDOW):
            answers += self._run_window(commands[start : start + self.WINDOW])
        return answers

    def _run_window(self, commands: Sequence[RuntimeCommand]) -> list[str]:
        parts_per_command = [prompts(command) for command in commands]
        self._connection.sendall("".join(f"{text(command)}\n" for command in commands).encode())
        parts = iter(self.PROMPT.split(self._read_prompts(sum(parts_per_command))))
        return [
            "\n".join(self.PAYLOAD_PROMPTS.sub("", next(parts).decode(errors="replace")).strip() for _ in range(count)).strip()
            for count in parts_per_command
        ]

    def _read_prompts(self, count: int) -> bytes:
        """Everything HAProxy answers up to its `count`th prompt. Each chunk is searched once (with the
        two bytes before it, where a prompt may begin): a thousand answers arrive in many chunks."""
        answer = bytearray()
        found = 0
        while found < count:
            chunk = self._connection.recv(65536)
            if not chunk:
                raise ConnectionError("the runtime API closed the connection before answering every command")
            start = max(0, len(answer) - 2)
            answer += chunk
            found = found + len(self.PROMPT.findall(answer, start)) if start else len(self.PROMPT.findall(answer))
        return bytes(answer)

    def close(self) -> None:
        try:
            self._connection.sendall(b"quit\n")
        except OSError:
            pass
        self._connection.close()


def sockets_root(data_dir: Path) -> Path:
    """Unix socket paths are limited (HAProxy: 97 bytes), so sockets live under a short directory
    named after the data directory, not inside it."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"elbd-{digest}"


def socket_dir_for(data_dir: Path, load_balancer_id: str) -> Path:
    return sockets_root(data_dir) / load_balancer_id


class HaproxyProcess:
    """Files under `run_dir` (haproxy.cfg, haproxy.pid, server-state, masters) and `socket_dir`
    (master.sock, stats.sock, placeholder.sock).

    One master per load balancer, known by identity (pid and start time, process_identity.py): the
    masters elbd started are listed in `masters`; the one serving is the pid file's, and a master
    holding the master socket that elbd has no record of (started by an older elbd) is adopted.
    Stopping stops every process of the load balancer, also one a lost pid file no longer names."""

    def __init__(self, run_dir: Path, socket_dir: Path, binary: str = "haproxy") -> None:
        self.run_dir = run_dir
        self.socket_dir = socket_dir
        self.binary = binary
        self.config = run_dir / "haproxy.cfg"
        self.master_socket = socket_dir / "master.sock"
        self.stats_socket = socket_dir / "stats.sock"
        self.pid_file = run_dir / "haproxy.pid"
        self.state_file = run_dir / "server-state"
        self.masters_file = run_dir / "masters"
        self._master: ProcessIdentity | None = None

    def prepare(self) -> None:
        """The socket directory's parent, `$TMPDIR/elbd-<hash>`, has a predictable name in a shared
        directory: it must be this user's own, not only created by this user when it was missing."""
        for directory in (self.run_dir, self.socket_dir.parent, self.socket_dir):
            private_directory(directory)

    def remove_files(self) -> None:
        for directory in (self.run_dir, self.socket_dir):
            shutil.rmtree(directory, ignore_errors=True)

    def validate(self, text: str) -> str | None:
        """None when HAProxy accepts `text` (its exit status says so, not its silence), else its complaint."""
        candidate = self.run_dir / "haproxy.cfg.new"
        candidate.write_text(text)
        done = subprocess.run([self.binary, "-c", "-f", str(candidate)], capture_output=True, timeout=30)
        if done.returncode == 0:
            return None
        return complaint(done.stderr + done.stdout) or f"haproxy -c refused the configuration (exit status {done.returncode})"

    def write_config(self, text: str) -> None:
        """Replace the configuration file with `text`, unless it holds `text` already (a restarted elbd
        converging a thousand running processes finds most files as they should be)."""
        try:
            if self.config.read_text() == text:
                return
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        candidate = self.run_dir / "haproxy.cfg.new"
        candidate.write_text(text)
        candidate.replace(self.config)

    def write_server_state(self, text: str) -> None:
        """The state a starting process loads for its servers (see server_state.py)."""
        candidate = self.run_dir / "server-state.new"
        candidate.write_text(text)
        candidate.replace(self.state_file)

    def start(self) -> None:
        """Start detached: the process outlives elbd. Never a second master beside a running one."""
        if self.alive():
            raise HaproxyError("HAProxy already runs for this load balancer")
        self.state_file.touch()
        for stale in (self.master_socket, self.stats_socket, self.pid_file):
            stale.unlink(missing_ok=True)
        done = subprocess.run(
            [self.binary, "-W", "-D", "-S", f"{self.master_socket},mode,600", "-p", str(self.pid_file), "-f", str(self.config)],
            capture_output=True,
            timeout=30,
            start_new_session=True,
        )
        if done.returncode != 0:
            raise HaproxyError(complaint(done.stderr) or f"haproxy exited with {done.returncode}")
        master = self._new_master()
        self._remember(master)
        self._wait_until_serving(master)

    def _new_master(self, timeout_s: float = 10.0) -> ProcessIdentity:
        """The master just started, from the pid file it writes: `haproxy -D` may return before the
        daemon has written it (the file was removed before the start, so an old pid is never taken)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pid = self._read_pid_file()
            if pid is not None:
                master = ProcessIdentity.of(pid)
                if master is None:
                    raise HaproxyError("HAProxy exited right after it started")
                return master
            time.sleep(0.01)
        raise HaproxyError("HAProxy wrote no pid file")

    def _wait_until_serving(self, master: ProcessIdentity, timeout_s: float = 10.0) -> None:
        """Both sockets answer: the master's and the worker's. Not a moment longer than the master lives."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not master.running():
                raise HaproxyError("HAProxy exited before it served")
            try:
                if self.master_state() is not None:
                    self.runtime(ShowInfo())
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise HaproxyError("HAProxy's sockets did not answer")

    def master(self) -> ProcessIdentity | None:
        """The running master of this load balancer, or None. It keeps its identity across reloads, so
        once known it is only looked for again when it is gone."""
        if self._master is None or not self._master.running():
            masters = self.masters()
            pid = self._read_pid_file()
            self._master = next((one for one in masters if one.pid == pid), None) or max(masters, key=lambda one: one.started, default=None)
            if self._master is not None:
                self._remember(self._master, others=masters)
        return self._master

    def masters(self, sockets: SocketTable | None = None) -> set[ProcessIdentity]:
        """Every running master of this load balancer: those elbd started (the masters file names them
        all), and any holding its master socket, looked for when a reading of the sockets is given or when
        the masters file is missing (a run directory of an older elbd). A master re-executing itself (at
        every reload, and once just after it starts) holds no socket for a moment, so a reading may miss
        one: the masters file is what elbd trusts, a reading only finds what an older elbd lost."""
        remembered = {one for one in self._remembered() if one.running()}
        if sockets is None and self.masters_file.exists():
            return remembered
        return remembered | (sockets or SocketTable()).holders(self.master_socket)

    def master_pid(self) -> int | None:
        master = self.master()
        return master.pid if master is not None else None

    def alive(self) -> bool:
        """The master runs. (Its socket is briefly away while it re-executes on reload, so it is not asked.)"""
        return self.master() is not None

    def stop_others(self, sockets: SocketTable | None = None) -> int:
        """Stop any master beside the serving one (an older elbd could start a second); answers how many."""
        serving = self.master()
        others = {one for one in self.masters(sockets) if one != serving}
        terminate(others)
        return len(others)

    def _read_pid_file(self, attempts: int = 10) -> int | None:
        """HAProxy rewrites the file on reload; an empty read is retried briefly."""
        for _ in range(attempts):
            try:
                return int(self.pid_file.read_text().split()[0])
            except FileNotFoundError:
                return None
            except (OSError, ValueError, IndexError):
                time.sleep(0.02)
        return None

    def _remembered(self) -> list[ProcessIdentity]:
        try:
            lines = self.masters_file.read_text().splitlines()
        except FileNotFoundError:
            return []
        return [identity for line in lines if (identity := ProcessIdentity.parse(line)) is not None]

    def _remember(self, master: ProcessIdentity, others: Iterable[ProcessIdentity] = ()) -> None:
        """Record `master` (the serving one, last) with every other master still running (those recorded,
        and `others` found beside it), and nothing that has ended. Any thread (and `elbd dataplane stop`)
        may record: each writes a file of its own, then renames it."""
        running = sorted({one for one in (*self._remembered(), *others) if one != master and one.running()}, key=lambda one: one.started)
        text = "".join(f"{one.line()}\n" for one in [*running, master])
        if self.masters_file.exists() and self.masters_file.read_text() == text:
            return
        with tempfile.NamedTemporaryFile("w", dir=self.run_dir, prefix="masters.", suffix=".new", delete=False) as candidate:
            candidate.write(text)
        Path(candidate.name).replace(self.masters_file)

    def master_state(self) -> MasterState | None:
        for line in _exchange(self.master_socket, "show proc", half_close=True).splitlines():
            match = _MASTER_LINE.match(line)
            if match:
                return MasterState(*(int(group) for group in match.groups()))
        return None

    def save_server_state(self, backends: set[str] | None = None) -> None:
        """Save the servers' state for the next start or reload: of `backends` only, when given."""
        self.write_server_state(self.live_server_state(backends))

    def live_server_state(self, backends: set[str] | None = None) -> str:
        """`show servers state`, of `backends` only when given."""
        lines = self.runtime(ShowServersState()).splitlines(keepends=True)
        if backends is not None:
            lines = [line for line in lines if len(line.split()) < 2 or line.startswith("#") or line.split()[1] in backends]
        return "".join(lines)

    def reload(self, server_state: str, timeout_s: float = 10.0) -> None:
        """Reload through the master socket and confirm with `show proc`; raises when the reload failed.
        The new process starts from `server_state` (server-state file format)."""
        before = self.master_state()
        master = self.master()
        if before is None or master is None:
            raise HaproxyError("the master socket does not answer")
        self.write_server_state(server_state)
        try:  # the worker the reload stops closes its connections after each answer, none while idle
            self.runtime(CloseKeepAlive(RELOAD_CLOSING_S))
        except OSError:
            pass  # a worker that does not answer cannot be told; the reload goes on
        _exchange(self.master_socket, "reload", half_close=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not master.running():
                raise HaproxyError("HAProxy died during the reload")
            try:
                after = self.master_state()
            except OSError:
                after = None
            if after is not None and after.failed > before.failed:
                raise HaproxyError("HAProxy refused the new configuration; the previous one keeps serving")
            if after is not None and after.reloads > before.reloads:
                self._wait_until_serving(master)
                return
            time.sleep(0.02)
        raise HaproxyError("the reload was not confirmed in time")

    def runtime(self, command: RuntimeCommand) -> str:
        return _exchange(self.stats_socket, text(command), half_close=False)

    @contextmanager
    def runtime_session(self) -> Iterator[RuntimeSession]:
        session = RuntimeSession(self.stats_socket)
        try:
            yield session
        finally:
            session.close()

    def stop(self, timeout_s: float = 10.0, sockets: SocketTable | None = None) -> bool:
        """Stop every process of this load balancer: the masters elbd knows and whatever holds its
        sockets (workers, and a master an older elbd lost track of). Answers whether any ran. One
        reading of the sockets may serve many stops."""
        sockets = sockets or SocketTable()
        targets = self.masters(sockets) | sockets.holders(self.stats_socket)
        terminate(targets, timeout_s)
        self._master = None
        self.masters_file.unlink(missing_ok=True)
        return bool(targets)


def unbindable(frontends: Iterable[Frontend]) -> dict[str, str]:
    """The listeners whose addresses HAProxy could not bind, and why. Asked before every start and
    reload: HAProxy 2.6 finds out only while it reloads, and then leaves the previous worker paused,
    serving nothing. HAProxy binds with SO_REUSEPORT, so this probe does too: its own sockets are no
    obstacle, another program's are."""
    problems: dict[str, str] = {}
    for frontend in frontends:
        for address in frontend.addresses:
            with socket.socket(socket.AF_INET6 if address.version == 6 else socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                try:
                    probe.bind((str(address), frontend.port))
                except OSError as error:
                    problems[frontend.name] = f"listener {frontend.name} cannot bind {endpoint(address, frontend.port)}: {error.strerror}"
    return problems


def complaint(output: bytes) -> str:
    """What HAProxy said was wrong, as text whatever bytes it printed: its alerts and warnings, not
    its notices (version, path of the executable)."""
    lines = output.decode("utf-8", errors="replace").splitlines()
    return "\n".join(line.strip() for line in lines if line.strip() and "[NOTICE]" not in line)
