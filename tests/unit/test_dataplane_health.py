"""HAProxy check results -> member health, per the reference table."""

import pytest

from elbd.dataplane.haproxy_answers import CheckReport, parse_stat
from elbd.dataplane.health import member_health
from elbd.store.dataplane import NO_RESULT
from elbd.store.dataplane import MemberHealth as Health

EXPECTED = "200-204"


def health(status: str, check: str, code: str = "", info: str = "", previous: Health = NO_RESULT) -> Health:
    return member_health(CheckReport(status, check, code, info), EXPECTED, previous)


def test_up_after_a_passing_check_is_online() -> None:
    assert health("UP", "L7OK", "200") == Health("ONLINE")
    assert health("UP 1/3", "* L7OK", "200") == Health("ONLINE")


def test_no_result_yet_keeps_initial() -> None:
    assert health("DOWN", "INI") == NO_RESULT
    assert health("UP", "") == NO_RESULT


def test_held_down_server_passing_its_first_checks_stays_initial() -> None:
    assert health("DOWN 1/2", "L7OK", "200") == NO_RESULT


@pytest.mark.parametrize(
    ("check", "info", "reason"),
    [
        ("L4TOUT", "", "CONNECT_TIMEOUT"),
        ("L4CON", "Connection refused", "CONNECT_REFUSED"),
        ("L4CON", "Can't bind to source address", "CONNECT_FAILED"),
        ("SOCKERR", "Connection reset by peer", "CONNECT_INTERRUPT"),
        ("SOCKERR", "Software caused connection abort", "CONNECT_INTERRUPT"),
        ("SOCKERR", "Broken pipe", "SEND_REQUEST_FAILED"),
        ("SOCKERR", "Cannot assign requested address", "CONNECT_FAILED"),
        ("SOCKERR", "", "CONNECT_INTERRUPT"),
        ("L4CON", "", "CONNECT_FAILED"),
        ("L6TOUT", "", "SSL_HANDSHAKE_ERROR"),
        ("L6RSP", "SSL handshake failure", "SSL_HANDSHAKE_ERROR"),
        ("L7TOUT", "", "RECV_RESPONSE_TIMEOUT"),
        ("L7RSP", "", "RESPONSE_FORMAT_ERROR"),
    ],
)
def test_failure_reasons(check: str, info: str, reason: str) -> None:
    assert health("DOWN", check, info=info) == Health("OFFLINE", reason)


def test_wrong_status_carries_expected_and_seen_codes() -> None:
    assert health("DOWN", "L7STS", "500", "Internal Server Error") == Health("OFFLINE", "RESPONSE_MISMATCH", EXPECTED, "500")


def test_a_restored_server_keeps_its_known_reason() -> None:
    refused = Health("OFFLINE", "CONNECT_REFUSED")
    assert health("DOWN", "L4CON", info="", previous=refused) == refused


def test_a_check_in_progress_shows_no_text_and_keeps_the_known_reason() -> None:
    """Measured: while the next check runs, `show stat` has `* SOCKERR` and an empty last_chk."""
    sending_failed = Health("OFFLINE", "SEND_REQUEST_FAILED")
    assert health("DOWN", "* SOCKERR", info="", previous=sending_failed) == sending_failed


def test_a_check_in_progress_after_a_wrong_status_keeps_the_code_seen() -> None:
    """Measured: while the next check runs, `show stat` has `* L7STS` and the code 0; the timeline would
    otherwise record a change (OFFLINE to OFFLINE) at every check that a poll happens to catch."""
    mismatch = Health("OFFLINE", "RESPONSE_MISMATCH", EXPECTED, "500")
    assert health("DOWN", "* L7STS", "0", previous=mismatch) == mismatch
    assert health("DOWN", "* L7STS", "0", previous=Health("ONLINE")) == Health("OFFLINE", "RESPONSE_MISMATCH", EXPECTED, None)


def test_maintenance_changes_nothing() -> None:
    online = Health("ONLINE")
    assert health("MAINT", "L7OK", "200", previous=online) == online


STAT = (
    "# pxname,svname,status,weight,check_status,check_code,last_chk,check_desc,\n"
    "p1,a,DOWN,1,L4CON,,Connection refused,Layer4 connection problem,\n"
    'p1,b,DOWN,1,L7STS,500,"Internal, Error",Layer7 wrong status,\n'
    "p1,BACKEND,UP,2,,,,,\n"
)


def test_parse_stat_reads_only_the_needed_columns() -> None:
    assert parse_stat(STAT) == [
        ("p1", "a", CheckReport("DOWN", "L4CON", "", "Connection refused")),
        ("p1", "b", CheckReport("DOWN", "L7STS", "500", "Internal, Error")),
    ]
    assert parse_stat("") == []
