"""A server's check row -> the member's health: ONLINE, or OFFLINE with the ELB reason code. Pure.

What HAProxy 2.6's results can tell apart (measured on loopback): L4CON says "Connection refused" or
why else the connect failed; SOCKERR says "Connection reset by peer" whether the member reset the
connection before, while or after the request was sent (CONNECT_INTERRUPT), and "Broken pipe" only when
a send failed (SEND_REQUEST_FAILED); L7RSP has no text, for garbage and for a member that closes without
a whole answer alike (RESPONSE_FORMAT_ERROR); HAProxy has no send timeout (a request is a few bytes), so
an expired check after connecting is L7TOUT (RECV_RESPONSE_TIMEOUT). So SEND_REQUEST_TIMEOUT and
RECV_RESPONSE_FAILED never come from HAProxy's checks; elbd's on-demand check (elbd/member_check/)
reaches them. A check in progress, and a server restored at a reload, show no text: the reason known
before holds. A check in progress also shows the code 0 in place of the status its last answer had (`*
L7STS`, `0`), so a server known to be down keeps its known reason while the next check runs."""

from elbd.dataplane.haproxy_answers import CheckReport
from elbd.store.dataplane import MemberHealth

PASSED_CHECKS = ("L4OK", "L6OK", "L7OK", "L7OKC")
_REASONS = {
    "L4TOUT": "CONNECT_TIMEOUT",
    "L6TOUT": "SSL_HANDSHAKE_ERROR",
    "L6RSP": "SSL_HANDSHAKE_ERROR",
    "L7TOUT": "RECV_RESPONSE_TIMEOUT",
    "L7RSP": "RESPONSE_FORMAT_ERROR",
    "L7STS": "RESPONSE_MISMATCH",
}
# Results whose text tells the reason: words of the text -> reason; "" is the reason of any other text.
_BY_TEXT = {
    "L4CON": {"refused": "CONNECT_REFUSED", "": "CONNECT_FAILED"},
    # any other SOCKERR text is an error before the connection was made (no descriptor, no source port)
    "SOCKERR": {"reset": "CONNECT_INTERRUPT", "abort": "CONNECT_INTERRUPT", "broken pipe": "SEND_REQUEST_FAILED", "": "CONNECT_FAILED"},
}
# ... and when it shows no text and no reason is known yet: the usual cause
_WITHOUT_TEXT = {"L4CON": "CONNECT_FAILED", "SOCKERR": "CONNECT_INTERRUPT"}


def _reason_by_text(reasons: dict[str, str], text: str) -> str:
    lowered = text.lower()
    return next((reason for words, reason in reasons.items() if words and words in lowered), reasons[""])


def member_health(report: CheckReport, expected_codes: str, previous: MemberHealth) -> MemberHealth:
    """The member's health from its check row. `previous` fills in what a reload hides (an empty
    last_chk for a restored server) and holds while a held-down server has passed some but not
    `rise` checks."""
    in_progress = report.check_status.startswith("* ")
    check = report.check_status.removeprefix("* ").strip()
    state = report.status.split(" ")[0]
    if check in ("", "INI"):
        return previous
    if state in ("UP", "NOLB", "DRAIN"):
        return MemberHealth("ONLINE")
    if state != "DOWN" or check in PASSED_CHECKS or (in_progress and previous.status == "OFFLINE"):
        return previous
    if check in _BY_TEXT:
        if not report.last_check:
            return previous if previous.status == "OFFLINE" else MemberHealth("OFFLINE", _WITHOUT_TEXT[check])
        return MemberHealth("OFFLINE", _reason_by_text(_BY_TEXT[check], report.last_check))
    reason = _REASONS.get(check, "CONNECT_FAILED")
    if reason == "RESPONSE_MISMATCH":
        seen = None if in_progress or report.check_code in ("", "0") else report.check_code
        return MemberHealth("OFFLINE", reason, expected_codes, seen)
    return MemberHealth("OFFLINE", reason)
