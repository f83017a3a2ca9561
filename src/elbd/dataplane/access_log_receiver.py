"""The agent's side of the access logs: one unix stream socket for every load balancer of the data
directory, a connection from each HAProxy process whose load balancer has a log tank, carrying the
lines of its ring (access_log_format.py, access_log_stream.py), written to
`<data dir>/access-logs/<load balancer id>/access.log`, rotated and bounded (rotating_file.py).

It runs in the agent's process, apart from the API and from HAProxy's request path: one thread waits
on every connection at once (epoll, nothing to do while no line comes), reads each ready connection a
bounded amount a round (a busy load balancer does not hold the others back) and flushes the files it
wrote once a round. HAProxy never waits on it: its ring holds what the agent has not read yet."""

import logging
import os
import selectors
import socket
import threading
from collections import OrderedDict
from pathlib import Path

from elbd.config import load_settings
from elbd.dataplane.access_log_format import MAX_LINE_BYTES, receiver_socket
from elbd.dataplane.access_log_stream import AccessLogStream, FramingError
from elbd.dataplane.haproxy import sockets_root
from elbd.dataplane.rotating_file import RotatingFile
from elbd.log_throttle import LogThrottle
from elbd.metrics.registry import Metric, Registry
from elbd.private_paths import UnsafePathError, private_directory

log = logging.getLogger(__name__)
LOGS_DIR_NAME = "access-logs"
FILE_NAME = "access.log"
READ_BYTES = 256 * 1024  # from one connection a round
ACCEPTS_PER_ROUND = 64
BACKLOG = 1024  # a node's HAProxy processes may all connect at once when the agent starts
OPEN_FILES = 64  # files kept open at once; the least recently written closes first
LINES_LOST = Metric(
    "elbd_access_log_lines_lost_total", "counter",
    "Access log lines not written: by HAProxy when its ring was full (ring_full, as HAProxy announced them), "
    "by the agent when a message was not a whole line of its connection's load balancer (refused).",
)


def access_log_path(data_dir: Path, load_balancer_id: str) -> Path:
    return data_dir / LOGS_DIR_NAME / load_balancer_id / FILE_NAME


class AccessLogReceiver:
    def __init__(self, socket_path: Path, data_dir: Path, max_bytes: int, keep: int, metrics: Registry | None = None) -> None:
        self.socket_path = socket_path
        self.data_dir = data_dir
        self.max_bytes = max_bytes
        self.keep = keep
        self.metrics = metrics or Registry()
        self._files: OrderedDict[str, RotatingFile] = OrderedDict()
        self._streams: dict[socket.socket, AccessLogStream] = {}
        self._selector = selectors.DefaultSelector()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._warnings = LogThrottle(log)  # every one of them can recur as often as a tenant's traffic makes it

    def start(self) -> None:
        """Raises UnsafePathError when the socket's directory (a predictable name under $TMPDIR) is another user's."""
        private_directory(self.socket_path.parent)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass
        listener.bind(str(self.socket_path))
        os.chmod(self.socket_path, 0o600)
        listener.listen(BACKLOG)
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ)
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._run, name="elbd-access-logs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake_writer.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        for connection in list(self._streams):
            self._close(connection)
        if self._listener is not None:
            self._listener.close()
        self._selector.close()
        self._wake_reader.close()
        self._wake_writer.close()
        for file in self._files.values():
            file.close()
        self._files.clear()

    def _run(self) -> None:
        while not self._stopping.is_set():
            touched: set[str] = set()
            for key, _ in self._selector.select():
                if key.fileobj is self._listener:
                    self._accept()
                elif key.fileobj is not self._wake_reader:
                    touched |= self._read(key.fileobj)  # type: ignore[arg-type]
            for load_balancer_id in touched:
                self._flush(load_balancer_id)

    def _accept(self) -> None:
        assert self._listener is not None
        for _ in range(ACCEPTS_PER_ROUND):
            try:
                connection, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # out of descriptors: the connection waits in the backlog
                self._warnings.warning("accept", "access logs: %s", error)
                return
            connection.setblocking(False)
            self._streams[connection] = AccessLogStream(MAX_LINE_BYTES)
            self._selector.register(connection, selectors.EVENT_READ)

    def _read(self, connection: socket.socket) -> set[str]:
        """The load balancers whose files got lines."""
        stream = self._streams[connection]
        try:
            data = connection.recv(READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return set()
        except OSError:
            data = b""
        if not data:
            stream.end()
            self._close(connection)
            return set()
        try:
            lines = stream.feed(data)
        except FramingError as error:
            self._warnings.warning("framing", "access logs: a connection sent what is not a log line (%s): closed", error)
            self._close(connection)
            return set()
        load_balancer_id = stream.load_balancer_id
        self._count_lost(stream)
        if not lines or load_balancer_id is None:
            return set()
        try:
            file = self._file(load_balancer_id)
            for line in lines:
                file.write(line)
        except OSError as error:
            self._warnings.warning(("file", load_balancer_id), "access log of load balancer %s: %s", load_balancer_id, error)
            return set()
        return {load_balancer_id}

    def _count_lost(self, stream: AccessLogStream) -> None:
        if stream.refused:
            self.metrics.count(LINES_LOST, (("reason", "refused"),), stream.refused)
            stream.refused = 0
        if stream.dropped_by_haproxy and stream.load_balancer_id is not None:  # kept until the connection names its load balancer
            self._warnings.warning(
                ("ring full", stream.load_balancer_id),
                "access log of load balancer %s: HAProxy dropped %d line(s), its ring full", stream.load_balancer_id, stream.dropped_by_haproxy,
            )
            self.metrics.count(LINES_LOST, (("reason", "ring_full"),), stream.dropped_by_haproxy)
            stream.dropped_by_haproxy = 0

    def _close(self, connection: socket.socket) -> None:
        stream = self._streams.pop(connection)
        self._count_lost(stream)
        self._selector.unregister(connection)
        connection.close()

    def _flush(self, load_balancer_id: str) -> None:
        file = self._files.get(load_balancer_id)
        if file is None:
            return
        try:
            file.flush()
        except OSError as error:
            self._warnings.warning(("file", load_balancer_id), "access log of load balancer %s: %s", load_balancer_id, error)

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


def receive_access_logs(data_dir: Path, metrics: Registry | None = None) -> AccessLogReceiver | None:
    """The data directory's receiver, started (by `elbd serve`'s agent and by `elbd agent --node` alike);
    None, logged, when its socket cannot be made: traffic is served without access logs."""
    settings = load_settings(data_dir)
    receiver = AccessLogReceiver(receiver_socket(sockets_root(data_dir)), data_dir, settings.access_log_max_bytes, settings.access_log_keep, metrics)
    try:
        receiver.start()
    except (UnsafePathError, OSError) as error:
        log.error("access logs are off: %s", error)
        return None
    return receiver
