"""The HAProxy engine: one HAProxy master-worker process per load balancer, driven through its files
and sockets (haproxy.py). It carries out what the planner decided; it decides nothing itself beyond
how HAProxy does a thing (validate before writing, fall back to the last configuration HAProxy took).

Files live in `<data dir>/haproxy/<load balancer id>/`: haproxy.cfg, the pid file, the masters file,
server-state, tls/ and access/ (access_lists.py), and skeleton.cfg, the skeleton the running process was given (how a restarted elbd knows
whether a running process needs a reload).
"""

import hashlib
import logging
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from elbd.dataplane.access_lists import ACCESS_DIRECTORY, ACCESS_SUFFIX, access_list_keys, access_list_path, access_list_text
from elbd.dataplane.access_log_format import RELAY
from elbd.dataplane.engine import EngineError, TlsMaterial
from elbd.dataplane.haproxy import HaproxyError, HaproxyProcess, socket_dir_for, unbindable
from elbd.dataplane.haproxy_answers import (
    CheckReport,
    parse_frontends,
    parse_map_files,
    parse_map_keys,
    parse_new_version,
    parse_servers_state,
    parse_stat,
)
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import AccessControl, LoadBalancerConfig
from elbd.dataplane.plan import ApplyMembers, Converge, Live, LoadBalancerAction, Reload, ReplaceAccessLists, Retire, Start
from elbd.dataplane.process_identity import ProcessIdentity, SocketTable, signal_each
from elbd.dataplane.render import render
from elbd.dataplane.runtime_commands import (
    STILL_CONNECTED,
    AddMapEntries,
    CommitMap,
    CommitSslCert,
    DeleteServer,
    EnableServer,
    PrepareMap,
    RuntimeCommand,
    SetSslCert,
    ShowMap,
    ShowServersState,
    ShowStat,
    accepted,
    map_chunks,
)
from elbd.dataplane.tls_files import TLS_DIRECTORY, certificate_path, client_ca_path, crt_list, crt_list_path, plain_path
from elbd.dataplane.server_state import state_file
from elbd.private_paths import UnsafePathError, private_directory

log = logging.getLogger(__name__)
PLACEHOLDER = "elbd-placeholder"  # the frontend that keeps a listener-less configuration valid


class HaproxyEngine:
    def __init__(self, data_dir: Path, binary: str = "haproxy") -> None:
        self.data_dir = data_dir
        self.binary = binary
        self._processes: dict[str, HaproxyProcess] = {}
        self._observed: set[str] = set()
        self._access: dict[str, dict[str, frozenset[str]]] = {}  # what each process's ACLs hold, once known
        self._access_files: dict[Path, frozenset[str]] = {}  # what each ACL file holds, as last written or read
        self._lock = threading.Lock()

    def process(self, load_balancer_id: str) -> HaproxyProcess:
        with self._lock:
            if load_balancer_id not in self._processes:
                self._processes[load_balancer_id] = process_for(self.data_dir, load_balancer_id, self.binary)
            return self._processes[load_balancer_id]

    def known_load_balancers(self) -> set[str]:
        """The load balancers with files on disk: a process may run for each."""
        run_root = self.data_dir / "haproxy"
        return {path.name for path in run_root.iterdir() if path.is_dir()} if run_root.is_dir() else set()

    def prepare(self, load_balancer_id: str) -> None:
        try:
            self.process(load_balancer_id).prepare()
        except UnsafePathError as error:
            raise EngineError(str(error)) from None

    def unbindable(self, config: LoadBalancerConfig) -> dict[str, str]:
        return unbindable(config.frontends)

    def skeleton(self, load_balancer_id: str, config: LoadBalancerConfig) -> str:
        process = self.process(load_balancer_id)
        return _rendered(config.skeleton(), process)

    def observe(self, load_balancer_id: str) -> Live:
        """On first contact with a running process (elbd started while it ran), any master beside the
        serving one (an older elbd could start a second) is stopped."""
        with self._lock:
            first_contact = load_balancer_id not in self._observed
            self._observed.add(load_balancer_id)
        process = self.process(load_balancer_id)
        if not process.alive():
            return Live(running=False)
        if first_contact and (extra := process.stop_others()):
            log.warning("load balancer %s: stopped %d HAProxy master(s) beside the serving one", load_balancer_id, extra)
        applied = process.run_dir / "skeleton.cfg"
        servers = tuple(parse_servers_state(_asked(process, ShowServersState())))
        with self._lock:
            access = None if first_contact else self._access.get(load_balancer_id)
        if access is None:  # read from the process: a restarted elbd, or an apply that fell short
            access = _access_lists(process)
        return Live(True, applied.read_text() if applied.exists() else None, servers, presented_certificates(process.run_dir), access)

    def carry_out(
        self, load_balancer_id: str, action: LoadBalancerAction, passed: Mapping[str, bool], tls: Mapping[str, TlsMaterial]
    ) -> frozenset[str]:
        process = self.process(load_balancer_id)
        with self._lock:
            self._access.pop(load_balancer_id, None)
        try:
            if not isinstance(action, Retire):  # a certificate to rotate is written once the process presents it
                write_tls_files(process.run_dir, action.config, tls, keep=action.rotate if isinstance(action, Converge) else ())
            if isinstance(action, Start | Reload):  # what the process reads as it starts; a running one is changed first (below)
                write_access_files(process.run_dir, action.config, self._access_files)
            match action:
                case Retire():
                    process.stop()
                    process.remove_files()
                    with self._lock:
                        self._processes.pop(load_balancer_id, None)
                        self._observed.discard(load_balancer_id)
                case Start(config):
                    self._start(process, config, passed)
                    _note_skeleton(process, config)
                    self._note_access(load_balancer_id, config)
                case Reload(config, ramped):
                    self._reload(process, config.holding(ramped), passed)
                    _note_skeleton(process, config)
                    self._note_access(load_balancer_id, config)
                    if ramped:  # enabled now, they ramp up; the file then says what runs
                        self._run(process, load_balancer_id, tuple(EnableServer(backend, server) for backend, server in ramped), strict=False)
                        process.write_config(_rendered(config, process))
                case Converge(config, commands, rotate, access_lists):
                    undeleted = self._run(process, load_balancer_id, commands, strict=False)
                    for frontend in access_lists:
                        _replace_access_list(process, frontend, config.access_lists[frontend])
                    write_access_files(process.run_dir, config, self._access_files)  # for the next start or reload
                    self._note_access(load_balancer_id, config)
                    for certificate_id in rotate:
                        self._rotate(process, certificate_id, tls[certificate_id])
                        write_tls_files(process.run_dir, config, tls)
                    process.write_config(_rendered(config, process))
                    return undeleted
        except UnsafeValue as error:
            raise EngineError(f"a stored value cannot be served: {error}") from None
        except OSError as error:
            raise EngineError(f"HAProxy's files or sockets failed: {error}") from None
        return frozenset()

    def _note_access(self, load_balancer_id: str, config: LoadBalancerConfig) -> None:
        """The process's ACLs hold what `config` gives them (it loaded the files, or they were replaced):
        the next round compares with this instead of reading every list back."""
        with self._lock:
            self._access[load_balancer_id] = {name: access.patterns for name, access in config.access_lists.items()}

    def _start(self, process: HaproxyProcess, config: LoadBalancerConfig, passed: Mapping[str, bool]) -> None:
        """A fresh process: members that have not passed their checks are DOWN from its first instant.
        A configuration HAProxy refuses is never written; the last one it took starts instead, if any."""
        text = _rendered(config, process)
        error = process.validate(text)
        if error is None:
            process.write_config(text)
        elif not process.config.exists() or process.validate(process.config.read_text()) is not None:
            raise HaproxyError(f"the configuration is invalid: {error}")
        process.write_server_state(state_file(config, passed))
        process.start()
        if (extra := process.stop_others()):
            log.warning("stopped %d HAProxy master(s) beside the one just started", extra)
        if error is not None:
            raise HaproxyError(f"the new configuration is invalid, the previous one keeps serving: {error}")

    def _reload(self, process: HaproxyProcess, config: LoadBalancerConfig, passed: Mapping[str, bool]) -> None:
        """Health state carries over for checked servers the process has; a checked server it lacks is
        DOWN until it passes. Servers of unchecked backends have no check to bring them up."""
        text = _rendered(config, process)
        error = process.validate(text)
        if error:
            raise HaproxyError(f"the new configuration is invalid, the previous one keeps serving: {error}")
        live = process.live_server_state({backend.name for backend in config.backends if backend.check})
        process.write_config(text)
        process.reload(state_file(config, passed, live))

    def _rotate(self, process: HaproxyProcess, certificate_id: str, material: TlsMaterial) -> None:
        """New content for a certificate the process presents: every listener that uses it presents it
        from the next handshake on, no reload (connections in flight keep theirs)."""
        path = plain_path(certificate_path(process.run_dir, certificate_id))
        for command in (SetSslCert(path, material.pem()), CommitSslCert(path)):
            answer = process.runtime(command)
            if "Success" not in answer and "created" not in answer:
                raise HaproxyError(f"certificate {certificate_id} was not rotated: {answer.strip()}")

    def apply_members(self, load_balancer_id: str, action: ApplyMembers) -> frozenset[str]:
        try:
            return self._run(self.process(load_balancer_id), load_balancer_id, action.commands, strict=True)
        except UnsafeValue as error:
            raise EngineError(f"a stored value cannot be served: {error}") from None
        except OSError as error:
            raise EngineError(f"the runtime API failed: {error}") from None

    def replace_access_lists(self, load_balancer_id: str, action: ReplaceAccessLists) -> None:
        """As a Converge replaces them, and nothing else: the running process first, then the files."""
        process = self.process(load_balancer_id)
        with self._lock:
            self._access.pop(load_balancer_id, None)
        try:
            for frontend in action.frontends:
                _replace_access_list(process, frontend, action.config.access_lists[frontend])
            write_access_files(process.run_dir, action.config, self._access_files)
        except UnsafeValue as error:
            raise EngineError(f"a stored value cannot be served: {error}") from None
        except OSError as error:
            raise EngineError(f"the runtime API failed: {error}") from None
        self._note_access(load_balancer_id, action.config)

    def _run(self, process: HaproxyProcess, load_balancer_id: str, commands: tuple[RuntimeCommand, ...], strict: bool) -> frozenset[str]:
        """Answers the backends where a `del server` had to wait for connections. `strict`: a refused
        command raises instead of being logged."""
        if not commands:
            return frozenset()
        undeleted: set[str] = set()
        with process.runtime_session() as session:
            answers = session.run_all(commands)
        for command, answer in zip(commands, answers, strict=True):
            if isinstance(command, DeleteServer) and answer.startswith(STILL_CONNECTED):
                undeleted.add(command.backend)
            elif not accepted(answer):
                log.info("load balancer %s: %r -> %s", load_balancer_id, command, answer)
                if strict:
                    raise HaproxyError(answer)
        return frozenset(undeleted)

    def write_config(self, load_balancer_id: str, config: LoadBalancerConfig) -> None:
        process = self.process(load_balancer_id)
        process.write_config(_rendered(config, process))

    def running(self, load_balancer_id: str) -> bool:
        return self.process(load_balancer_id).alive()

    def watched_pid(self, load_balancer_id: str) -> int | None:
        return self.process(load_balancer_id).master_pid()

    def check_reports(self, load_balancer_id: str, backend: str) -> list[tuple[str, str, CheckReport]]:
        return parse_stat(self.process(load_balancer_id).runtime(ShowStat(backend)))

    def save_health(self, load_balancer_id: str, backends: set[str]) -> None:
        self.process(load_balancer_id).save_server_state(backends)

    def listener_states(self, load_balancer_id: str) -> dict[str, str]:
        process = self.process(load_balancer_id)
        if not process.alive():
            return {}
        try:
            frontends = parse_frontends(process.runtime(ShowStat()))
        except OSError:
            return {}
        return {name: state for name, state in frontends.items() if name not in (PLACEHOLDER, RELAY)}


def write_tls_files(run_dir: Path, config: LoadBalancerConfig, tls: Mapping[str, TlsMaterial], keep: Iterable[str] = ()) -> None:
    """The certificates and crt-lists `config` reads, each written only when its content changed (0600,
    in the private run directory); files of certificates no longer presented are removed. The files of
    the `keep` certificates stay as they are: the process still presents their old content."""
    wanted: dict[Path, str] = {certificate_path(run_dir, one): certificate_path(run_dir, one).read_text() for one in keep}
    for frontend in config.frontends:
        if frontend.tls is not None:
            wanted[crt_list_path(run_dir, frontend.name)] = crt_list(run_dir, frontend.tls)
    for certificate_id in config.certificates - set(keep):
        wanted[certificate_path(run_dir, certificate_id)] = _material(tls, certificate_id).pem()
    for certificate_id in config.client_cas:
        wanted[client_ca_path(run_dir, certificate_id)] = TlsMaterial(_material(tls, certificate_id).certificate).pem()
    directory = run_dir / TLS_DIRECTORY
    if not wanted and not directory.exists():
        return
    private_directory(directory)
    for path, content in wanted.items():
        if not path.exists() or path.read_text() != content:
            with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".new", delete=False) as candidate:
                candidate.write(content)
            Path(candidate.name).replace(path)
    for stale in set(directory.iterdir()) - set(wanted):
        stale.unlink(missing_ok=True)


def write_access_files(run_dir: Path, config: LoadBalancerConfig, known: dict[Path, frozenset[str]]) -> None:
    """The access list file of each frontend with access control, each written only when it holds other
    networks (in the private run directory); files of frontends without it are removed. `known`: what
    files held when last written or read (a list of 10,000 entries is not read back every round)."""
    wanted = {access_list_path(run_dir, frontend): access for frontend, access in config.access_lists.items()}
    directory = run_dir / ACCESS_DIRECTORY
    if not wanted and not directory.exists():
        return
    private_directory(directory)
    for path, access in wanted.items():
        if not path.exists():
            known.pop(path, None)
        elif path not in known:
            known[path] = access_list_keys(path.read_text())
        if known.get(path) != access.patterns:
            with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".new", delete=False) as candidate:
                candidate.write(access_list_text(access))
            Path(candidate.name).replace(path)
            known[path] = access.patterns
    for stale in set(directory.iterdir()) - set(wanted):
        stale.unlink(missing_ok=True)
        known.pop(stale, None)


def _access_lists(process: HaproxyProcess) -> dict[str, frozenset[str]]:
    """The networks each frontend's access list holds in the running process, by frontend name (none
    are asked for when the load balancer has no access list file)."""
    directory = process.run_dir / ACCESS_DIRECTORY
    if not directory.is_dir():
        return {}
    prefix = f"{directory}/"
    paths = [path for path in parse_map_files(_asked(process, ShowMap())) if path.startswith(prefix) and path.endswith(ACCESS_SUFFIX)]
    if not paths:
        return {}
    with process.runtime_session() as session:
        answers = session.run_all([ShowMap(path) for path in paths])
    return {Path(path).stem: frozenset(parse_map_keys(answer)) for path, answer in zip(paths, answers, strict=True)}


def _replace_access_list(process: HaproxyProcess, frontend: str, access: AccessControl) -> None:
    """Replace a frontend's access list atomically: a new version filled and its count checked (HAProxy
    drops a payload it cannot hold without a word), then committed; no reload."""
    path = plain_path(access_list_path(process.run_dir, frontend))
    with process.runtime_session() as session:
        [answer] = session.run_all([PrepareMap(path)])
        version = parse_new_version(answer)
        if version is None:
            raise HaproxyError(f"the access list of listener {frontend} was not replaced: {answer.strip()}")
        *added, listed = session.run_all([*(AddMapEntries(path, version, chunk) for chunk in map_chunks(access.keys)), ShowMap(path, version)])
        refused = [answer for answer in added if answer]  # the version is listed in the same round trip, and committed only if none was
        if refused:
            raise HaproxyError(f"the access list of listener {frontend} was not replaced: {refused[0]}")
        if len(parse_map_keys(listed)) != len(access.keys):
            raise HaproxyError(f"the access list of listener {frontend} was not replaced: HAProxy holds "
                               f"{len(parse_map_keys(listed))} of its {len(access.keys)} networks")
        [answer] = session.run_all([CommitMap(path, version)])
    if answer:
        raise HaproxyError(f"the access list of listener {frontend} was not replaced: {answer}")


def _material(tls: Mapping[str, TlsMaterial], certificate_id: str) -> TlsMaterial:
    if certificate_id not in tls:
        raise EngineError(f"certificate {certificate_id} is gone")
    return tls[certificate_id]


def presented_certificates(run_dir: Path) -> dict[str, str]:
    """The digest of each server certificate file: what the process presents (files and the running
    process change together)."""
    directory = run_dir / TLS_DIRECTORY
    if not directory.is_dir():
        return {}
    return {path.name.removesuffix(".pem"): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in directory.glob("*.pem") if not path.name.endswith(".ca.pem")}


def _asked(process: HaproxyProcess, command: RuntimeCommand, attempts: int = 3) -> str:
    """The answer to a question of the runtime API, asked again a moment later if the socket failed (a
    worker just started or replaced may reset the first connection)."""
    for _ in range(attempts - 1):
        try:
            return process.runtime(command)
        except OSError:
            time.sleep(0.05)
    try:
        return process.runtime(command)
    except OSError as error:
        raise EngineError(f"the runtime API does not answer: {error}") from None


def _rendered(config: LoadBalancerConfig, process: HaproxyProcess) -> str:
    return render(config, process.run_dir, process.socket_dir)


def _note_skeleton(process: HaproxyProcess, config: LoadBalancerConfig) -> None:
    """What the running process was given, for a restarted elbd to compare with."""
    (process.run_dir / "skeleton.cfg").write_text(_rendered(config.skeleton(), process))


def process_for(data_dir: Path, load_balancer_id: str, binary: str = "haproxy") -> HaproxyProcess:
    return HaproxyProcess(data_dir / "haproxy" / load_balancer_id, socket_dir_for(data_dir, load_balancer_id), binary)


def remembered_masters(data_dir: Path) -> set[ProcessIdentity]:
    """The running masters the data directory's masters files name: found without reading the host's
    sockets (slow on a busy host), for a fence's first, fast step."""
    run_root = data_dir / "haproxy"
    found: set[ProcessIdentity] = set()
    for run_dir in sorted(run_root.iterdir()) if run_root.is_dir() else []:
        found |= process_for(data_dir, run_dir.name).masters()
    return found


def soft_stop(data_dir: Path, load_balancer_id: str) -> None:
    """SIGUSR1 to the load balancer's masters: HAProxy stops listening, finishes the connections it has,
    then exits (a node letting a load balancer go to another, which serves it already)."""
    signal_each(process_for(data_dir, load_balancer_id).masters(), signal.SIGUSR1)


def stop_all(data_dir: Path) -> int:
    """Stop every HAProxy this data directory's elbd started, also one it lost track of; answers for
    how many load balancers one was running."""
    run_root = data_dir / "haproxy"
    stopped = 0
    sockets = SocketTable()  # one reading for them all: a load balancer's processes never leave another's sockets
    for run_dir in sorted(run_root.iterdir()) if run_root.is_dir() else []:
        process = process_for(data_dir, run_dir.name)
        stopped += process.stop(sockets=sockets)
        shutil.rmtree(process.socket_dir, ignore_errors=True)
    return stopped
