"""`python -m bench` (what `make bench` runs): start elbd on a temporary data directory, run the parts
in order (API, convergence, data plane, TLS, L7, IP groups, UDP, drills, draining, replicas on PostgreSQL, failover across
data-plane nodes, scale), write docs/benchmarks.md, and stop everything
that was started, on failure too."""

import argparse
import asyncio
import importlib
import shutil
import signal
import sys
import tempfile
import time
import traceback
from contextlib import AsyncExitStack
from pathlib import Path

from bench import machine, report
from bench.cloud import Cloud
from bench.context import BACKEND_SUBNET, VIP_SUBNET, Bench, Section, say
from bench.server import ElbdServer, free_port

PARTS = ("api", "convergence", "dataplane", "tls", "l7", "ipgroups", "udp", "drills", "draining", "replicas", "cluster", "scale")
BUDGET_S = 1650.0  # 27.5 minutes (L7 about 2.5 of them, IP groups 1.5, UDP, the replicas and the failovers about 1 each); the scale part is skipped when too little is left
ROOT = Path(__file__).resolve().parent.parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="the report to write")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds the whole run may take")
    return parser.parse_args()


async def _stop_elbd(server: ElbdServer) -> None:
    """`elbd serve` first (else it restarts the HAProxy processes), then `elbd dataplane stop`."""
    server.stop()
    try:
        say(f"elbd dataplane stop: {await asyncio.to_thread(server.stop_dataplane)}")
    except Exception as error:  # noqa: BLE001 - whatever failed, stop them from here rather than leave them running
        from elbd.dataplane import nginx_engine
        from elbd.dataplane.haproxy_engine import stop_all

        say(f"elbd dataplane stop failed ({error}); stopping the HAProxy and nginx processes directly")
        stop_all(server.data_dir)
        nginx_engine.stop_all(server.data_dir)


async def _run_parts(bench: Bench, names: list[str]) -> list[Section]:
    sections: list[Section] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        started = time.monotonic()
        say(f"part {name}: starting ({bench.remaining_s():.0f} s of the budget left)")
        try:
            section = await module.run(bench)
        except Exception as error:  # noqa: BLE001 - a failed part is reported, and the next one runs
            traceback.print_exc()
            section = Section(getattr(module, "TITLE", name), error=f"{type(error).__name__}: {error}")
        section.seconds = time.monotonic() - started
        say(f"part {name}: done in {section.seconds:.0f} s")
        sections.append(section)
    return sections


async def main() -> int:
    arguments = _arguments()
    names = [name for name in arguments.parts.split(",") if name]
    unknown = set(names) - set(PARTS)
    if unknown:
        print(f"unknown parts: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)  # type: ignore[union-attr]
    started = time.monotonic()
    load_at_start = machine.load_average()
    work_dir = Path(tempfile.mkdtemp(prefix="elbd-bench-"))
    server = ElbdServer(work_dir / "data", free_port(), work_dir / "elbd-serve.log")
    sections: list[Section] = []
    async with AsyncExitStack() as cleanups:
        cleanups.callback(shutil.rmtree, work_dir, ignore_errors=True)
        say(f"work dir {work_dir}; elbd serve on {server.url}")
        credentials = await asyncio.to_thread(server.create_project, "bench")
        await asyncio.to_thread(server.unlimited_quotas, credentials.project_id)
        cleanups.push_async_callback(_stop_elbd, server)
        say(f"elbd serve answered after {await asyncio.to_thread(server.start):.1f} s")
        cloud = Cloud("127.0.0.1", server.port, credentials)
        cleanups.push_async_callback(cloud.close)
        await cloud.login()
        vpc = await cloud.vpc()
        member_subnet = await cloud.subnet(vpc["id"], BACKEND_SUBNET, "members")
        vip_subnet = await cloud.subnet(vpc["id"], VIP_SUBNET, "vips")
        bench = Bench(work_dir, server, cloud, vpc, member_subnet, vip_subnet, started, arguments.budget, cleanups)
        sections = await _run_parts(bench, names)
    total = time.monotonic() - started
    command = ".venv/bin/python -m bench" + ("" if arguments.parts == ",".join(PARTS) else f" --parts {arguments.parts}")
    facts = {**machine.facts(), "load average (1 / 5 / 15 min) at start, at end": f"{load_at_start}; {machine.load_average()}"}
    report.write(arguments.out, sections, facts, total, command)
    say(f"wrote {arguments.out} after {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
