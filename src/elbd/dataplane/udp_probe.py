"""One UDP_CONNECT probe: socket I/O only (udp_checks.py decides what it means)."""

import socket

from elbd.canonical_ip import IPAddress

PROBE_PAYLOAD = b"elbd-udp-check\n"


def probe(address: IPAddress, port: int, timeout_s: float) -> OSError | None:
    """Send one datagram on a connected socket and wait up to `timeout_s` for an answer or an ICMP
    error; the error met, or None (an answer, or silence until the timeout)."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect((str(address), port))
            sock.send(PROBE_PAYLOAD)
            sock.recv(2048)
        except TimeoutError:
            return None
        except OSError as error:
            return error
    return None
