"""What every part of the benchmark shares: the running elbd, a logged-in project, the VPC with its
two loopback subnets, fresh member addresses, the run's time budget, and the results' shape."""

import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bench.cloud import Cloud
from bench.server import ElbdServer

BACKEND_SUBNET = "127.20.0.0/16"  # members; real backends listen on 127.20.0.x
VIP_SUBNET = "127.21.0.0/16"  # load balancer VIPs (allocated by elbd)
HAND_WRITTEN_VIP = "127.22.0.2"  # the hand-written HAProxy of the data-plane comparison
NGINX_ANCHOR_VIP = "127.22.0.3"  # the nginx of the data-plane comparison


def _addresses() -> Iterator[str]:
    """Member addresses nothing listens on (API-only figures): 127.20.1.1 onwards, and round again after
    127.20.255.254 (an address need be unique in its pool only, and no run gives one pool 64,000)."""
    while True:
        for third in range(1, 256):
            for fourth in range(1, 255):
                yield f"127.20.{third}.{fourth}"


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass(frozen=True)
class Curve:
    label: str
    x: list[float]
    y: list[float]


@dataclass(frozen=True)
class Mark:
    """A straight line across a plot, such as a goal: at `value` on the x axis, or on the y axis."""

    label: str
    value: float
    axis: Literal["x", "y"] = "x"


@dataclass
class Plot:
    """A figure the report draws as a PNG beside itself (bench/plots.py)."""

    name: str  # the PNG file's name is the report's stem, a dash and this
    title: str
    x_label: str
    y_label: str
    curves: list[Curve]
    marks: list[Mark] = field(default_factory=list)
    x_log: bool = False


@dataclass
class Section:
    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)  # paragraphs or code blocks, as they are
    plots: list[Plot] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


@dataclass
class Bench:
    work_dir: Path
    server: ElbdServer
    cloud: Cloud
    vpc: dict[str, Any]
    member_subnet: dict[str, Any]
    vip_subnet: dict[str, Any]
    started: float
    budget_s: float
    cleanups: AsyncExitStack
    shared: dict[str, Any] = field(default_factory=dict)  # what one part leaves for a later one (nginx, ...)
    _fresh: Iterator[str] = field(default_factory=_addresses)

    @property
    def subnet_id(self) -> str:
        return self.member_subnet["neutron_subnet_id"]

    def next_address(self) -> str:
        return next(self._fresh)

    def remaining_s(self) -> float:
        return self.budget_s - (time.monotonic() - self.started)


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)
