"""Part 7, UDP listeners (nginx's stream module, driven by elbd). Request/response datagrams per second
through the VIP, against the backend directly and against a hand-written nginx configuration of the
same shape; then member changes to traffic: a member added -> the first datagram it answers, and
datagrams sent after a member's DELETE answered that still reached it or got no answer (lost)."""

import asyncio
import multiprocessing
import select
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from bench.context import Bench, Section, Table, say
from bench.procs import terminate
from bench.stats import ms, percentile, ratio
from elbd.udp_engine import STREAM_MODULE, nginx_binary

TITLE = "7. UDP listeners"
PORT = 8290
CHANGE_PORT = 8291
HAND_WRITTEN_VIP = "127.22.0.4"
BACKEND_ADDRESS = "127.20.0.201"
ROUNDS = 5
RUN_S = 3.0
LOADERS = 1  # processes sending (2 cores: one for nginx, one shared by the backend and the loader)
FLOWS = 32  # sockets per loader, each with one datagram outstanding
CHANGES = 20
INTRO = (
    f"Request/response: {LOADERS} loader process keeps {FLOWS} sockets (flows) each with one datagram outstanding for "
    f"{RUN_S:g} s; the backend is one process echoing every datagram. Targets: the backend directly, elbd's UDP listener "
    "(its own nginx, as elbd renders it), and a hand-written nginx stream configuration of the same shape (one worker, "
    f"`listen ... udp`, one upstream). {ROUNDS} rounds, the order rotating; the ratio is the median of the rounds'. Then "
    f"{CHANGES} changes on another listener while a probe sends a datagram on a new socket about every 2 ms: a member "
    "added (POST sent -> the first datagram it answers), and the same member deleted (datagrams sent after the DELETE "
    "answered that the deleted member still answered, or that got no answer)."
)


def echo_forever(address: str, port: int, name: bytes) -> None:
    """The backend: a process answering every datagram with its name."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    while True:
        _data, peer = sock.recvfrom(2048)
        sock.sendto(name, peer)


def load(address: str, port: int, seconds: float, flows: int, answered: Any) -> None:
    """A loader process: `flows` sockets, each sending its next datagram when its answer came back."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(flows)]
    poller = select.epoll()
    by_fd = {}
    for sock in sockets:
        sock.setblocking(False)
        sock.connect((address, port))
        by_fd[sock.fileno()] = sock
        poller.register(sock.fileno(), select.EPOLLIN)
        sock.send(b"x" * 32)
    count = 0
    last_sent = {fd: time.monotonic() for fd in by_fd}
    deadline = time.monotonic() + seconds
    while (now := time.monotonic()) < deadline:
        for fd, _event in poller.poll(0.05):
            sock = by_fd[fd]
            try:
                while True:
                    sock.recv(2048)
                    count += 1
            except (BlockingIOError, ConnectionRefusedError):
                pass
            try:
                sock.send(b"x" * 32)
                last_sent[fd] = now
            except OSError:
                pass
        for fd, sent in last_sent.items():  # a datagram lost: send the next one
            if now - sent > 0.2:
                try:
                    by_fd[fd].send(b"x" * 32)
                except OSError:
                    pass
                last_sent[fd] = now
    answered.value = count
    for sock in sockets:
        sock.close()


def datagrams_per_second(address: str, port: int) -> float:
    context = multiprocessing.get_context("fork")
    counters = [context.Value("q", 0) for _ in range(LOADERS)]
    loaders = [context.Process(target=load, args=(address, port, RUN_S, FLOWS, counter)) for counter in counters]
    for loader in loaders:
        loader.start()
    for loader in loaders:
        loader.join(RUN_S + 30)
    return sum(counter.value for counter in counters) / RUN_S


def hand_written(directory: Path, vip: str, backend: tuple[str, int]) -> str:
    return "\n".join([
        f"load_module {STREAM_MODULE};", "daemon off;", "worker_processes 1;", f"pid {directory}/nginx.pid;",
        f"error_log {directory}/error.log warn;", "events { worker_connections 8192; }", "stream {",
        f"    upstream backend {{ server {backend[0]}:{backend[1]}; }}",
        f"    server {{ listen {vip}:{PORT} udp; proxy_pass backend; proxy_timeout 300s; }}", "}", "",
    ])


def run_hand_written(directory: Path, text: str) -> subprocess.Popen[bytes]:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "nginx.conf"
    config.write_text(text)
    command = [nginx_binary() or "nginx", "-p", f"{directory}/", "-c", str(config), "-e", str(directory / "error.log")]
    subprocess.run([*command, "-t"], capture_output=True, check=True, timeout=30)
    with (directory / "stdout.log").open("ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)


def ask(address: str, port: int, timeout_s: float = 0.5) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout_s)
        sock.sendto(b"probe", (address, port))
        try:
            return sock.recv(2048).decode()
        except (TimeoutError, ConnectionRefusedError):
            return None


async def wait_answering(address: str, port: int, name: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(ask, address, port, 0.2) == name:
            return
        await asyncio.sleep(0.02)
    raise RuntimeError(f"{address}:{port} did not answer as {name} within {timeout_s} s")


def start_echo(address: str, name: str) -> tuple[multiprocessing.Process, int]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((address, 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("fork").Process(target=echo_forever, args=(address, port, name.encode()), daemon=True)
    process.start()
    return process, port


async def _changes(bench: Bench, vip: str, pool_id: str, address: str, port: int) -> dict[str, Any]:
    samples: list[tuple[float, float, str | None]] = []
    stopping = threading.Event()

    def probe() -> None:
        deadline = time.monotonic() + 300
        while not stopping.is_set() and time.monotonic() < deadline:
            sent = time.monotonic()
            answer = ask(vip, CHANGE_PORT, 0.3)
            samples.append((sent, time.monotonic(), answer))
            time.sleep(0.002)

    added_ms, lost, misrouted, after_delete = [], 0, 0, 0
    task = asyncio.create_task(asyncio.to_thread(probe))
    try:
        for _ in range(CHANGES):
            started = time.monotonic()
            member = await bench.cloud.member(pool_id, bench.subnet_id, address, port)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(sent >= started and answer == "changing" for sent, _, answer in samples):
                await asyncio.sleep(0.005)
            seen = [received for sent, received, answer in samples if sent >= started and answer == "changing"]
            if seen:
                added_ms.append((min(seen) - started) * 1000)
            await bench.cloud.delete_member(pool_id, member["id"])
            answered = time.monotonic()
            await asyncio.sleep(0.3)
            window = [answer for sent, _, answer in samples if answered <= sent <= answered + 0.3]
            after_delete += len(window)
            misrouted += sum(1 for answer in window if answer == "changing")
            lost += sum(1 for answer in window if answer is None)
    finally:
        stopping.set()
        await task
    return {"added_ms": added_ms, "misrouted": misrouted, "lost": lost, "after_delete": after_delete, "probes": len(samples)}


async def run(bench: Bench) -> Section:
    cloud = bench.cloud
    backend, backend_port = start_echo(BACKEND_ADDRESS, "backend")
    changing, changing_port = start_echo("127.20.0.202", "changing")
    bench.cleanups.callback(lambda: [one.kill() for one in (backend, changing)])
    lb = await cloud.load_balancer(bench.vip_subnet)
    vip = lb["vip_address"]
    listener = await cloud.listener(lb["id"], "UDP", PORT)
    pool = await cloud.pool("UDP", listener_id=listener["id"])
    await cloud.member(pool["id"], bench.subnet_id, BACKEND_ADDRESS, backend_port)
    change_listener = await cloud.listener(lb["id"], "UDP", CHANGE_PORT)
    change_pool = await cloud.pool("UDP", listener_id=change_listener["id"])
    await cloud.member(change_pool["id"], bench.subnet_id, BACKEND_ADDRESS, backend_port)
    await wait_answering(vip, PORT, "backend")
    await wait_answering(vip, CHANGE_PORT, "backend")
    directory = bench.work_dir / "hand-written-udp"
    anchor = run_hand_written(directory, hand_written(directory, HAND_WRITTEN_VIP, (BACKEND_ADDRESS, backend_port)))
    bench.cleanups.callback(terminate, anchor)
    await wait_answering(HAND_WRITTEN_VIP, PORT, "backend")
    targets = {"backend directly": (BACKEND_ADDRESS, backend_port), "elbd": (vip, PORT), "hand-written nginx": (HAND_WRITTEN_VIP, PORT)}
    results: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for number in range(ROUNDS):
        for name in names[number % len(names):] + names[:number % len(names)]:
            rate = await asyncio.to_thread(datagrams_per_second, *targets[name])
            results[name].append(rate)
            say(f"udp {name:18}: {rate:9.0f} datagrams/s (request/response)")
    terminate(anchor)
    changes = await _changes(bench, vip, change_pool["id"], "127.20.0.202", changing_port)
    return _section(results, changes)


def _section(results: dict[str, list[float]], changes: dict[str, Any]) -> Section:
    section = Section(TITLE, INTRO)
    rounds = [ratio(e, h) for e, h in zip(results["elbd"], results["hand-written nginx"])]
    to_backend = [ratio(e, d) for e, d in zip(results["elbd"], results["backend directly"])]
    section.tables.append(Table(
        f"Request/response datagrams per second ({LOADERS} loader, {FLOWS} flows, {RUN_S:g} s a round)",
        ["target", "datagrams/s (mean)", "rounds"],
        [[name, f"{statistics.mean(rates):,.0f}", ", ".join(f"{rate:,.0f}" for rate in rates)] for name, rates in results.items()],
        f"elbd / hand-written nginx: **{statistics.median(rounds):.2f}** (rounds {', '.join(f'{one:.2f}' for one in rounds)}; goal >= 0.95); "
        f"elbd / the backend directly: {statistics.median(to_backend):.2f}.",
    ))
    added = changes["added_ms"]
    section.tables.append(Table(
        "A member change to traffic (ms)", ["measure", "samples", "p50", "p99", "max"],
        [["member POST sent -> the first datagram it answers", str(len(added)), ms(percentile(added, 0.5)), ms(percentile(added, 0.99)),
          ms(max(added, default=float("nan")))]],
        f"Goal: p99 <= 250 ms. In the 300 ms after each DELETE answered ({changes['after_delete']} probe datagrams): answered by the "
        f"deleted member {changes['misrouted']}, unanswered {changes['lost']} (goal 0 each). Probe datagrams in all: {changes['probes']:,}.",
    ))
    section.figures["udp_ratio_hand"] = statistics.median(rounds)
    section.figures["udp_change_p99_ms"] = percentile(added, 0.99)
    section.figures["udp_lost_after_delete"] = changes["misrouted"] + changes["lost"]
    return section
