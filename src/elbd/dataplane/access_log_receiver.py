"""The agent's side of the access logs: one unix datagram socket for every load balancer of the data
directory, each datagram a line HAProxy sent (access_log_format.py), written to
`<data dir>/access-logs/<load balancer id>/access.log`, rotated and bounded (rotating_file.py).

It runs in the agent's process, apart from the API and from HAProxy's request path: HAProxy's sends
never wait (a full socket buffer drops the line in HAProxy), and lines are written in batches."""

import logging
import os
import socket
import threading
from collections import OrderedDict
from pathlib import Path

from elbd.config import load_settings
from elbd.dataplane.access_log_format import receiver_socket
from elbd.dataplane.access_log_lines import accepted_line
from elbd.dataplane.haproxy import sockets_root
from elbd.dataplane.rotating_file import RotatingFile
from elbd.private_paths import UnsafePathError, private_directory

log = logging.getLogger(__name__)
LOGS_DIR_NAME = "access-logs"
FILE_NAME = "access.log"
BATCH = 512  # datagrams read before the files are flushed
OPEN_FILES = 64  # files kept open at once; the least recently written closes first
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024  # as much as the kernel grants (net.core.rmem_max)
POLL_S = 0.5


def access_log_path(data_dir: Path, load_balancer_id: str) -> Path:
    return data_dir / LOGS_DIR_NAME / load_balancer_id / FILE_NAME


class AccessLogReceiver:
    def __init__(self, socket_path: Path, data_dir: Path, max_bytes: int, keep: int) -> None:
        self.socket_path = socket_path
        self.data_dir = data_dir
        self.max_bytes = max_bytes
        self.keep = keep
        self.dropped = 0
        self._files: OrderedDict[str, RotatingFile] = OrderedDict()
        self._stopping = threading.Event()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Raises UnsafePathError when the socket's directory (a predictable name under $TMPDIR) is another user's."""
        private_directory(self.socket_path.parent)
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass
        receiver.bind(str(self.socket_path))
        os.chmod(self.socket_path, 0o600)
        try:
            receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        except OSError:
            pass
        receiver.settimeout(POLL_S)
        self._socket = receiver
        self._thread = threading.Thread(target=self._run, name="elbd-access-logs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        for file in self._files.values():
            file.close()
        self._files.clear()

    def _run(self) -> None:
        assert self._socket is not None
        while not self._stopping.is_set():
            try:
                first = self._socket.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            touched = {self._write(first)}
            for _ in range(BATCH - 1):
                try:
                    touched.add(self._write(self._socket.recv(65536, socket.MSG_DONTWAIT)))
                except (BlockingIOError, InterruptedError, TimeoutError):  # nothing more waiting
                    break
            for load_balancer_id in touched:
                if load_balancer_id is not None:
                    self._flush(load_balancer_id)

    def _write(self, datagram: bytes) -> str | None:
        accepted = accepted_line(datagram)
        if accepted is None:
            self.dropped += 1
            return None
        load_balancer_id, line = accepted
        try:
            self._file(load_balancer_id).write(line)
        except OSError as error:
            self.dropped += 1
            log.warning("access log of load balancer %s: %s", load_balancer_id, error)
            return None
        return load_balancer_id

    def _flush(self, load_balancer_id: str) -> None:
        file = self._files.get(load_balancer_id)
        if file is None:
            return
        try:
            file.flush()
        except OSError as error:
            log.warning("access log of load balancer %s: %s", load_balancer_id, error)

    def _file(self, load_balancer_id: str) -> RotatingFile:
        file = self._files.get(load_balancer_id)
        if file is not None:
            self._files.move_to_end(load_balancer_id)
            return file
        if len(self._files) >= OPEN_FILES:
            _, oldest = self._files.popitem(last=False)
            oldest.close()
        file = RotatingFile(access_log_path(self.data_dir, load_balancer_id), self.max_bytes, self.keep)
        self._files[load_balancer_id] = file
        return file


def receive_access_logs(data_dir: Path) -> AccessLogReceiver | None:
    """The data directory's receiver, started (by `elbd serve`'s agent and by `elbd agent --node` alike);
    None, logged, when its socket cannot be made: traffic is served without access logs."""
    settings = load_settings(data_dir)
    receiver = AccessLogReceiver(receiver_socket(sockets_root(data_dir)), data_dir, settings.access_log_max_bytes, settings.access_log_keep)
    try:
        receiver.start()
    except (UnsafePathError, OSError) as error:
        log.error("access logs are off: %s", error)
        return None
    return receiver

