"""Which load balancer's log a message from HAProxy belongs in, and whether it is one well-formed line.

HAProxy escapes what clients send (access_log_format.py); this is the second wall, should anything get
through: a message is written only if it is one JSON object on one line whose `loadbalancer_id` is an
id elbd gives, so a line in a file is always one whole record HAProxy made, of that load balancer."""

import json
import re

_LOAD_BALANCER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def accepted_line(message: bytes) -> tuple[str, bytes] | None:
    """(load balancer id, the line with its newline), or None for a message to drop."""
    line = message.rstrip(b"\n")
    if not line or b"\n" in line or b"\r" in line:
        return None
    try:
        record = json.loads(line)
    except ValueError:  # cut at HAProxy's line length, or not from HAProxy
        return None
    if not isinstance(record, dict):
        return None
    load_balancer_id = record.get("loadbalancer_id")
    if not isinstance(load_balancer_id, str) or not _LOAD_BALANCER_ID.fullmatch(load_balancer_id):
        return None
    return load_balancer_id, line + b"\n"
