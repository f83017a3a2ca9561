"""wrk runs, bounded in time, and their output parsed: requests/s, latency percentiles, failures."""

import asyncio
import os
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.stats import ratio

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass
class WrkResult:
    label: str
    requests: int = 0
    per_second: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    output: str = ""

    @property
    def failed(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    def failures_text(self) -> str:
        parts = [f"{count} {kind}" for kind, count in self.socket_errors.items() if count]
        if self.non_2xx:
            parts.append(f"{self.non_2xx} non-2xx")
        return ", ".join(parts) or "0"


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")


def parse(label: str, output: str) -> WrkResult:
    result = WrkResult(label, output=output)
    if found := re.search(r"(\d+) requests in", output):
        result.requests = int(found.group(1))
    if found := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.per_second = float(found.group(1))
    if found := re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE):
        result.p50_ms = _latency_ms(found.group(1))
    if found := re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE):
        result.p99_ms = _latency_ms(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        result.socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, found.groups())))
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.non_2xx = int(found.group(1))
    return result


async def run(label: str, url: str, seconds: float, close: bool = False, connections: int = 50, threads: int = 1,
              headers: dict[str, str] | None = None, env: dict[str, str] | None = None) -> WrkResult:
    """One wrk run, with `env` added to its environment; it is killed if it outlives `seconds` by more
    than 15 s."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "2s"]
    if close:
        command += ["-H", "Connection: close"]
    for header, value in (headers or {}).items():
        command += ["-H", f"{header}: {value}"]
    process = await asyncio.create_subprocess_exec(*command, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                                                   env={**os.environ, **env} if env else None)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), seconds + 15)
    except (TimeoutError, asyncio.CancelledError):
        process.kill()
        await process.wait()
        raise
    return parse(label, output.decode(errors="replace"))


def against_anchor(results: dict[tuple[str, str], list[WrkResult]], modes: Iterable[str]) -> tuple[list[list[str]], dict[str, float]]:
    """Rounds of elbd and of the hand-written anchor, by (target, mode): a table row a mode (both means
    of requests/s, the median of the rounds' ratios with the rounds, failures) and the medians."""
    rows, ratios = [], {}
    for mode in modes:
        elbd_runs, hand_runs = results[("elbd", mode)], results[("hand-written", mode)]
        rounds = [ratio(e.per_second, h.per_second) for e, h in zip(elbd_runs, hand_runs)]
        ratios[mode] = statistics.median(rounds)
        rows.append([mode, f"{statistics.mean(r.per_second for r in elbd_runs):,.0f}", f"{statistics.mean(r.per_second for r in hand_runs):,.0f}",
                     f"**{ratios[mode]:.2f}** ({', '.join(f'{one:.2f}' for one in rounds)})", str(sum(r.failed for r in elbd_runs + hand_runs))])
    return rows, ratios
