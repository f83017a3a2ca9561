"""One HAProxy master per load balancer, known by identity and sockets, never by its command line;
validation that fails when HAProxy refuses; every process of a load balancer stopped, also one an
older elbd lost track of. Real HAProxy processes on a minimal configuration, no elbd around them."""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from elbd.dataplane.driver import haproxy_binary
from elbd.dataplane.haproxy import HaproxyProcess
from elbd.dataplane import process_identity
from elbd.dataplane.process_identity import ProcessIdentity, SocketTable, socket_holders
from tests.dataplane.conftest import wait_for

RELOADS = 15


def minimal_config(process: HaproxyProcess) -> str:
    return (
        "global\n"
        f"    stats socket '{process.stats_socket}' mode 600 level admin expose-fd listeners\n"
        "defaults\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\n"
        "frontend elbd-placeholder\n    mode tcp\n"
        f"    bind 'unix@{process.socket_dir}/placeholder.sock' mode 600\n"
    )


@pytest.fixture
def process(tmp_path: Path) -> Iterator[HaproxyProcess]:
    binary = haproxy_binary()
    assert binary is not None
    sockets = Path(tempfile.mkdtemp(prefix="elbd-test-"))  # short: a Unix socket path holds 107 bytes at most
    made = HaproxyProcess(tmp_path / "run" / "lb-1", sockets / "lb-1", binary)
    made.prepare()
    made.write_config(minimal_config(made))
    try:
        yield made
    finally:
        made.stop()
        made.remove_files()
        shutil.rmtree(sockets, ignore_errors=True)


def test_an_invalid_configuration_is_refused_by_exit_status(process: HaproxyProcess) -> None:
    """`haproxy -c -q` prints nothing and exits 1 on an invalid file: silence is not validity."""
    complaint = process.validate(minimal_config(process) + "    bind 127.20.0.2:notaport\n")
    assert complaint is not None and "notaport" in complaint
    assert process.validate(minimal_config(process)) is None


def test_a_complaint_in_bytes_that_are_not_utf8_is_read_without_failing(process: HaproxyProcess) -> None:
    """HAProxy quotes a partial UTF-8 byte of a bad keyword; decoding must never raise."""
    complaint = process.validate(minimal_config(process) + "    ２００ x\n")
    assert complaint is not None and "[ALERT]" in complaint


def test_a_master_is_alive_through_every_reload(process: HaproxyProcess) -> None:
    """While the master re-executes itself its command line reads empty; its identity does not change."""
    process.start()
    master = process.master()
    seen_dead: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        observer = HaproxyProcess(process.run_dir, process.socket_dir, process.binary)
        while not stop.is_set():
            if not observer.alive():
                seen_dead.append(time.monotonic())
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(RELOADS):
            process.reload("1\n")
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert seen_dead == []
    assert process.master() == master and process.masters() == {master}


def test_start_never_makes_a_second_master(process: HaproxyProcess) -> None:
    process.start()
    with pytest.raises(Exception, match="already runs"):
        HaproxyProcess(process.run_dir, process.socket_dir, process.binary).start()
    assert len(process.masters()) == 1


def _second_master_as_an_older_elbd_made_it(process: HaproxyProcess) -> ProcessIdentity:
    """What an older elbd did when it took a reloading master for dead: start another over its files
    (it removed the socket files, so the new one binds its own, and rewrote the pid file), losing track
    of the first."""
    for stale in (process.master_socket, process.stats_socket, process.pid_file):
        stale.unlink()
    subprocess.run(
        [process.binary, "-W", "-D", "-S", f"{process.master_socket},mode,600", "-p", str(process.pid_file), "-f", str(process.config)],
        check=True,
        capture_output=True,
        timeout=30,
        start_new_session=True,
    )

    def settled() -> ProcessIdentity | None:
        """The new master once it answers on its socket. Holding the socket is not enough: HAProxy 2.6
        binds it before it daemonizes, and the master, having written its pid file and forked its worker,
        closes it and re-executes itself, and binds it again only then (the socket is away meanwhile,
        tens of milliseconds on a loaded machine). Only the re-executed master answers."""
        try:
            second = ProcessIdentity.of(int(process.pid_file.read_text().split()[0]))
            answering = process.master_state()
        except (OSError, ValueError, IndexError):
            return None
        if second is None or answering is None or answering.pid != second.pid:
            return None
        return second if second in socket_holders(process.master_socket) else None

    return wait_for(settled, timeout_s=5)


def test_a_lost_master_is_found_by_its_socket_and_stopped_beside_the_serving_one(process: HaproxyProcess) -> None:
    process.start()
    first = process.master()
    second = _second_master_as_an_older_elbd_made_it(process)
    process.masters_file.unlink()  # an older elbd kept no masters file
    fresh = HaproxyProcess(process.run_dir, process.socket_dir, process.binary)  # an elbd started anew
    assert fresh.masters() == {first, second}
    assert fresh.master() == second  # the pid file's
    assert fresh.stop_others() == 1
    assert first is not None and not first.running() and second.running()
    assert fresh.masters() == {second}


def test_a_descriptor_closed_while_reading_does_not_hide_its_process(process: HaproxyProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """A master starting its workers opens and closes descriptors while its sockets are read: one that
    is gone by the time it is read is skipped alone, never the master with it."""
    process.start()
    master = process.master()
    assert master is not None
    readlink = os.readlink
    vanished: list[str] = []

    def first_descriptor_gone(path: str | os.PathLike[str]) -> str:
        if f"/{master.pid}/fd/" in str(path) and not vanished:
            vanished.append(str(path))
            raise FileNotFoundError(path)
        return readlink(path)

    monkeypatch.setattr(process_identity.os, "readlink", first_descriptor_gone)
    assert master in socket_holders(process.master_socket)
    assert vanished


def test_a_master_elbd_started_is_known_without_reading_every_socket(process: HaproxyProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """The masters file names every master elbd started: finding one costs no walk over every process's
    descriptors (with a thousand load balancers, adopting them all would)."""
    process.start()
    master = process.master()
    monkeypatch.setattr(SocketTable, "_socket_holders", lambda _table: pytest.fail("read every process's sockets"))
    fresh = HaproxyProcess(process.run_dir, process.socket_dir, process.binary)
    assert fresh.master() == master and fresh.masters() == {master} and fresh.alive()


def test_stop_stops_every_process_of_the_load_balancer_also_a_lost_one(process: HaproxyProcess) -> None:
    process.start()
    first = process.master()
    second = _second_master_as_an_older_elbd_made_it(process)
    workers = socket_holders(process.stats_socket)
    assert workers
    assert HaproxyProcess(process.run_dir, process.socket_dir, process.binary).stop()
    assert first is not None and not first.running() and not second.running()
    assert not any(worker.running() for worker in workers)


def test_an_identity_names_one_process_not_a_pid(process: HaproxyProcess) -> None:
    process.start()
    master = process.master()
    assert master is not None
    reused = ProcessIdentity(master.pid, master.started + 1)
    assert master.running() and not reused.running()
