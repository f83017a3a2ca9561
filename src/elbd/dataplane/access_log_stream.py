"""One HAProxy's connection to the agent's access-log socket, without the socket: bytes in, the lines of
its one load balancer out.

HAProxy's ring forwards each log message octet-counted (RFC 6587: `<length> <message>`), so a message
is taken whole by its length whatever bytes it holds, and a cut one (the connection ended inside it)
is never a line. Each message is then checked as before (access_log_lines.py); the first line
accepted pins the connection to its load balancer, and a later one naming another is refused: one
HAProxy logs one load balancer. When the ring was full HAProxy drops lines and, once it has room
again, says how many (`<n> events dropped`): that count is kept, never written as a line."""

import re
from dataclasses import dataclass, field

from elbd.dataplane.access_log_lines import accepted_line

MAX_LENGTH_DIGITS = 5  # a message is at most the ring's maxlen (access_log_format.MAX_LINE_BYTES)
_DROPPED = re.compile(rb"([0-9]{1,19}) events? dropped")


class FramingError(ValueError):
    """The bytes are not octet-counted messages: the connection cannot be read any further."""


def split_messages(buffer: bytes, max_length: int) -> tuple[list[bytes], bytes]:
    """The whole messages at the start of `buffer` and what is left (a message not fully received yet)."""
    messages: list[bytes] = []
    start = 0
    while start < len(buffer):
        space = buffer.find(b" ", start, start + MAX_LENGTH_DIGITS + 1)
        if space < 0:
            if len(buffer) - start > MAX_LENGTH_DIGITS or not buffer[start:].isdigit():
                raise FramingError(f"no message length at {buffer[start:start + 16]!r}")
            break
        digits = buffer[start:space]
        if not digits.isdigit():
            raise FramingError(f"no message length at {buffer[start:start + 16]!r}")
        length = int(digits)
        if length > max_length:
            raise FramingError(f"a message of {length} bytes, more than {max_length}")
        end = space + 1 + length
        if end > len(buffer):
            break
        messages.append(buffer[space + 1:end])
        start = end
    return messages, buffer[start:]


def dropped_count(message: bytes) -> int | None:
    """How many lines HAProxy says it dropped, when `message` is its announcement of it."""
    found = _DROPPED.fullmatch(message)
    return int(found.group(1)) if found else None


@dataclass
class AccessLogStream:
    max_length: int
    load_balancer_id: str | None = None  # pinned by the first line accepted
    refused: int = 0  # messages that were not a line of this connection's load balancer, not yet reported
    dropped_by_haproxy: int = 0  # lines HAProxy announced it dropped, not yet reported
    _pending: bytes = field(default=b"", repr=False)

    def feed(self, data: bytes) -> list[bytes]:
        """The lines (each ending in a newline) of the messages `data` completes; FramingError when the
        bytes are not octet-counted messages."""
        messages, self._pending = split_messages(self._pending + data, self.max_length)
        lines: list[bytes] = []
        for message in messages:
            dropped = dropped_count(message)
            if dropped is not None:
                self.dropped_by_haproxy += dropped
                continue
            accepted = accepted_line(message)
            if accepted is None or (self.load_balancer_id is not None and accepted[0] != self.load_balancer_id):
                self.refused += 1
                continue
            self.load_balancer_id = accepted[0]
            lines.append(accepted[1])
        return lines

    def end(self) -> None:
        """The connection ended: a message it was in the middle of is lost."""
        if self._pending:
            self.refused += 1
            self._pending = b""
