"""ExitWatch against real processes: an exit is told at once with its key, a forgotten process is not
told, and a key watched anew follows its new process."""

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from elbd.dataplane.exit_watch import ExitWatch

WAIT_S = 10.0
SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def told() -> "queue.Queue[str]":
    return queue.Queue()


@pytest.fixture
def watch(told: "queue.Queue[str]") -> Iterator[ExitWatch]:
    exits = ExitWatch(told.put)
    thread = threading.Thread(target=exits.run, daemon=True)
    thread.start()
    yield exits
    exits.stop()
    thread.join(WAIT_S)
    assert not thread.is_alive()


@pytest.fixture
def sleepers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def sleeper(sleepers: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    sleepers.append(subprocess.Popen(SLEEPER))
    return sleepers[-1]


def test_an_exit_is_told_with_its_key(watch: ExitWatch, told: "queue.Queue[str]", sleepers: list[subprocess.Popen[bytes]]) -> None:
    first, second = sleeper(sleepers), sleeper(sleepers)
    watch.watch("lb-1", first.pid)
    watch.watch("lb-2", second.pid)
    second.kill()
    assert told.get(timeout=WAIT_S) == "lb-2"
    first.kill()
    assert told.get(timeout=WAIT_S) == "lb-1"
    assert told.empty()


def test_a_forgotten_process_is_not_told_and_a_rewatched_key_follows_its_new_process(
    watch: ExitWatch, told: "queue.Queue[str]", sleepers: list[subprocess.Popen[bytes]]
) -> None:
    retired, old, new, marker = (sleeper(sleepers) for _ in range(4))
    watch.watch("retired", retired.pid)
    watch.watch("lb", old.pid)
    watch.forget("retired")
    watch.watch("lb", new.pid)
    watch.watch("marker", marker.pid)
    for process in (retired, old, marker):  # the marker's exit comes last: nothing may be told before it
        process.kill()
        process.wait()
    assert told.get(timeout=WAIT_S) == "marker"
    new.kill()
    assert told.get(timeout=WAIT_S) == "lb"
    assert told.empty()


def test_a_process_gone_before_its_watch_is_told_at_once(watch: ExitWatch, told: "queue.Queue[str]") -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    watch.watch("lb", int(done.stdout))
    assert told.get(timeout=WAIT_S) == "lb"


def test_watches_after_the_watch_stopped_write_nowhere(told: "queue.Queue[str]", sleepers: list[subprocess.Popen[bytes]]) -> None:
    exits = ExitWatch(told.put)
    thread = threading.Thread(target=exits.run, daemon=True)
    thread.start()
    exits.stop()
    thread.join(WAIT_S)
    reader, writer = os.pipe()  # takes the numbers the watch's pipe had: a stray wake-up would land here
    os.set_blocking(reader, False)
    try:
        exits.watch("late", sleeper(sleepers).pid)
        exits.forget("late")
        exits.stop()
        with pytest.raises(BlockingIOError):
            os.read(reader, 1)
    finally:
        os.close(reader)
        os.close(writer)
    assert told.empty()


def test_a_process_no_pidfd_opens_for_is_named_for_polling_until_watched_anew(
    watch: ExitWatch, told: "queue.Queue[str]", sleepers: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_descriptor_left(pid: int) -> int:
        raise OSError(24, "Too many open files")

    first, second = sleeper(sleepers), sleeper(sleepers)
    with monkeypatch.context() as patched:
        patched.setattr(os, "pidfd_open", no_descriptor_left)
        watch.watch("lb", first.pid)
        deadline = time.monotonic() + WAIT_S
        while watch.unwatched() != {"lb"} and time.monotonic() < deadline:
            time.sleep(0.01)
        assert watch.unwatched() == {"lb"}
        watch.watch("lb", first.pid)  # the same process again: still unwatched, no new attempt
        assert watch.unwatched() == {"lb"}
    watch.watch("lb", second.pid)  # a new process: watched
    assert watch.unwatched() == set()
    second.kill()
    assert told.get(timeout=WAIT_S) == "lb"
    watch.forget("lb")
    assert watch.unwatched() == set()
