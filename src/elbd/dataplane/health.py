"""HAProxy check results (`show stat`) -> ELB member health: ONLINE, or OFFLINE with a reason. Pure."""

import csv
from dataclasses import dataclass

PASSED_CHECKS = ("L4OK", "L6OK", "L7OK", "L7OKC")
_REASONS = {
    "L4TOUT": "CONNECT_TIMEOUT",
    "SOCKERR": "CONNECT_INTERRUPT",
    "L6TOUT": "SSL_HANDSHAKE_ERROR",
    "L6RSP": "SSL_HANDSHAKE_ERROR",
    "L7TOUT": "RECV_RESPONSE_TIMEOUT",
    "L7RSP": "RESPONSE_FORMAT_ERROR",
    "L7STS": "RESPONSE_MISMATCH",
}


@dataclass(frozen=True)
class CheckReport:
    """One server's row of `show stat`."""

    status: str  # UP, UP 1/3, DOWN, DOWN 1/2, NOLB, MAINT, no check ...
    check_status: str  # L4OK, L4CON, L7STS, INI, * L7OK (a check in progress) ...
    check_code: str
    last_check: str


@dataclass(frozen=True)
class Health:
    status: str | None  # ONLINE, OFFLINE, or None: no result yet (INITIAL)
    reason_code: str | None = None
    expected_response: str | None = None
    healthcheck_response: str | None = None


NO_RESULT = Health(None)
_STAT_COLUMNS = ("pxname", "svname", "status", "check_status", "check_code", "last_chk")
_PROXY_ROWS = ("FRONTEND", "BACKEND")


def parse_stat(text: str) -> list[tuple[str, str, CheckReport]]:
    """`show stat` CSV -> (backend, server, report) per server row. Only the few columns needed are
    split off each line (a row has about 120); a line with a quoted field goes through the csv module."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        return []
    header = lines[0].removeprefix("# ").split(",")
    proxy, server, status, check, code, info = (header.index(column) for column in _STAT_COLUMNS)
    last = max(proxy, server, status, check, code, info)
    rows = []
    for line in lines[1:]:
        fields = line.split(",", last + 1)
        if len(fields) <= last or fields[server] in _PROXY_ROWS:
            continue
        if '"' in line:
            fields = next(csv.reader([line]))
        rows.append((fields[proxy], fields[server], CheckReport(fields[status], fields[check], fields[code], fields[info])))
    return rows


def parse_frontends(text: str) -> dict[str, str]:
    """`show stat` CSV -> each frontend's status (OPEN when it accepts connections; STOP, FULL, PAUSED
    otherwise)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        return {}
    header = lines[0].removeprefix("# ").split(",")
    proxy, server, status = (header.index(column) for column in ("pxname", "svname", "status"))
    frontends = {}
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) > max(proxy, server, status) and fields[server] == "FRONTEND":
            frontends[fields[proxy]] = fields[status]
    return frontends


def member_health(report: CheckReport, expected_codes: str, previous: Health) -> Health:
    """The member's health from its check row. `previous` fills in what a reload hides (an empty
    last_chk for a restored server) and holds while a held-down server has passed some but not
    `rise` checks."""
    check = report.check_status.removeprefix("* ").strip()
    state = report.status.split(" ")[0]
    if check in ("", "INI"):
        return previous
    if state in ("UP", "NOLB", "DRAIN"):
        return Health("ONLINE")
    if state != "DOWN" or check in PASSED_CHECKS:
        return previous
    if check == "L4CON":
        if not report.last_check:
            return previous if previous.status == "OFFLINE" else Health("OFFLINE", "CONNECT_FAILED")
        refused = "refused" in report.last_check.lower()
        return Health("OFFLINE", "CONNECT_REFUSED" if refused else "CONNECT_FAILED")
    reason = _REASONS.get(check, "CONNECT_FAILED")
    if reason == "RESPONSE_MISMATCH":
        return Health("OFFLINE", reason, expected_codes, report.check_code or None)
    return Health("OFFLINE", reason)
