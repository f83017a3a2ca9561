"""A server's check row -> the member's health: ONLINE, or OFFLINE with the ELB reason code. Pure."""

from elbd.dataplane.haproxy_answers import CheckReport
from elbd.store.dataplane import MemberHealth

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


def member_health(report: CheckReport, expected_codes: str, previous: MemberHealth) -> MemberHealth:
    """The member's health from its check row. `previous` fills in what a reload hides (an empty
    last_chk for a restored server) and holds while a held-down server has passed some but not
    `rise` checks."""
    check = report.check_status.removeprefix("* ").strip()
    state = report.status.split(" ")[0]
    if check in ("", "INI"):
        return previous
    if state in ("UP", "NOLB", "DRAIN"):
        return MemberHealth("ONLINE")
    if state != "DOWN" or check in PASSED_CHECKS:
        return previous
    if check == "L4CON":
        if not report.last_check:
            return previous if previous.status == "OFFLINE" else MemberHealth("OFFLINE", "CONNECT_FAILED")
        refused = "refused" in report.last_check.lower()
        return MemberHealth("OFFLINE", "CONNECT_REFUSED" if refused else "CONNECT_FAILED")
    reason = _REASONS.get(check, "CONNECT_FAILED")
    if reason == "RESPONSE_MISMATCH":
        return MemberHealth("OFFLINE", reason, expected_codes, report.check_code or None)
    return MemberHealth("OFFLINE", reason)
