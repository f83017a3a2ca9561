"""HAProxy's `show stat` rows as metrics per load balancer, listener, pool and member. Pure.

In elbd's configurations a frontend is named by its listener's id, a backend by its pool's id and a
server by its member's id; other proxies (the placeholder frontend, the flavor's stick-table backend, the access log's relay)
are left out. The counters are the
running worker's: a reload starts a worker at zero, which Prometheus reads as a counter reset."""

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from elbd.dataplane.access_log_format import RELAY
from elbd.dataplane.model import FLAVOR_TABLE
from elbd.metrics.exposition import Family, Labels, Sample

PLACEHOLDER = "elbd-placeholder"
RESPONSE_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", "other")


@dataclass(frozen=True)
class StatsOf:
    """One load balancer's `show stat -1 7 -1` answer, and whose it is."""

    project_id: str
    load_balancer_id: str
    csv_text: str


def _rows(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        return []
    return list(csv.DictReader([lines[0].removeprefix("# "), *lines[1:]]))


def _number(row: Mapping[str, str], column: str) -> float | None:
    value = row.get(column, "")
    try:
        return float(value) if value != "" else None
    except ValueError:
        return None


# (metric suffix, kind, help, show stat column): per listener (frontend), pool (backend) and member (server)
_COMMON = (
    ("sessions_current", "gauge", "sessions open now", "scur"),
    ("sessions_total", "counter", "sessions since the worker started", "stot"),
    ("bytes_in_total", "counter", "bytes received from clients", "bin"),
    ("bytes_out_total", "counter", "bytes sent to clients", "bout"),
)
_LISTENER = (*_COMMON, ("requests_total", "counter", "HTTP requests received", "req_tot"),
             ("request_errors_total", "counter", "requests refused as invalid or denied", "ereq"))
_POOL = (*_COMMON, ("connection_errors_total", "counter", "failed connections to members", "econ"),
         ("response_errors_total", "counter", "failed or aborted responses from members", "eresp"))
_MEMBER = (*_POOL[:4], ("connection_errors_total", "counter", "failed connections to the member", "econ"),
           ("response_errors_total", "counter", "failed or aborted responses from the member", "eresp"),
           ("check_failures_total", "counter", "failed health checks", "chkfail"))


def families(stats: Iterable[StatsOf]) -> list[Family]:
    made: dict[str, Family] = {}

    def add(name: str, kind: str, help_text: str, labels: Labels, value: float | None) -> None:
        if value is None:
            return
        family = made.setdefault(name, Family(name, kind, help_text))
        family.samples.append(Sample("", labels, value))

    def add_row(level: str, spec: tuple[tuple[str, str, str, str], ...], labels: Labels, row: Mapping[str, str]) -> None:
        for suffix, kind, help_text, column in spec:
            add(f"elbd_{level}_{suffix}", kind, f"Per {level}: {help_text}.", labels, _number(row, column))
        for response_class in RESPONSE_CLASSES:
            add(f"elbd_{level}_http_responses_total", "counter", f"Per {level}: HTTP responses by status class.",
                (*labels, ("code", response_class)), _number(row, f"hrsp_{response_class}"))

    for one in stats:
        owner: Labels = (("project_id", one.project_id), ("loadbalancer_id", one.load_balancer_id))
        for row in _rows(one.csv_text):
            proxy, server = row.get("pxname", ""), row.get("svname", "")
            if proxy in (FLAVOR_TABLE, RELAY):
                continue
            if server == "FRONTEND" and proxy != PLACEHOLDER:
                add_row("listener", _LISTENER, (*owner, ("listener_id", proxy)), row)
            elif server == "BACKEND":
                add_row("pool", _POOL, (*owner, ("pool_id", proxy)), row)
            elif server and proxy != PLACEHOLDER and server != "FRONTEND":
                labels = (*owner, ("pool_id", proxy), ("member_id", server))
                add_row("member", _MEMBER, labels, row)
                status = row.get("status", "")
                if row.get("check_status", ""):
                    add("elbd_member_up", "gauge", "Per member: 1 while its health checks pass (UP), else 0.", labels,
                        1.0 if status.startswith("UP") else 0.0)
                    duration = _number(row, "check_duration")
                    add("elbd_member_check_duration_seconds", "gauge", "Per member: how long its last health check took.", labels,
                        duration / 1000 if duration is not None else None)
    return list(made.values())


@dataclass(frozen=True)
class MemberTraffic:
    """One member's counters as its pool's HAProxy backend reports them (the running worker's)."""

    member_id: str
    sessions_current: int
    sessions_total: int
    bytes_in: int
    bytes_out: int
    connection_errors: int
    response_errors: int


def member_traffic(text: str, pool_id: str) -> list[MemberTraffic]:
    """`show stat` rows -> the traffic of each member of `pool_id` (a missing counter reads 0)."""

    def count(row: Mapping[str, str], column: str) -> int:
        return int(_number(row, column) or 0)

    return [
        MemberTraffic(row["svname"], count(row, "scur"), count(row, "stot"), count(row, "bin"), count(row, "bout"),
                      count(row, "econ"), count(row, "eresp"))
        for row in _rows(text)
        if row.get("pxname") == pool_id and row.get("svname") not in ("", "FRONTEND", "BACKEND")
    ]
