"""A HAProxy connection's bytes to lines, without sockets: octet-counted framing, one load balancer a
connection, HAProxy's announcements of dropped lines counted, never written."""

import json

import pytest

from elbd.dataplane.access_log_stream import AccessLogStream, FramingError, dropped_count, split_messages

MAX = 8192


def framed(*messages: bytes) -> bytes:
    return b"".join(b"%d %s" % (len(message), message) for message in messages)


def record(load_balancer_id: str = "lb-1", **fields: object) -> bytes:
    return json.dumps({"loadbalancer_id": load_balancer_id, **fields}, separators=(",", ":")).encode()


def test_messages_are_taken_whole_by_their_length_whatever_they_hold() -> None:
    tricky = b'{"uri":"a 12 b\n7 {}"}'  # a space, digits and a line break inside: the length alone frames it
    assert split_messages(framed(b"one", tricky, b"three"), MAX) == ([b"one", tricky, b"three"], b"")


def test_a_message_not_fully_received_waits_for_the_rest() -> None:
    data = framed(record(uri="/a"), record(uri="/b"))
    for cut in range(len(data) + 1):
        stream = AccessLogStream(MAX)
        lines = stream.feed(data[:cut]) + stream.feed(data[cut:])
        assert lines == [record(uri="/a") + b"\n", record(uri="/b") + b"\n"], cut
        assert stream.refused == 0


def test_bytes_that_are_not_octet_counted_end_the_connection() -> None:
    for data in (b'{"loadbalancer_id":"lb-1"}', b"12x {}", b"123456 x", b"%d x" % (MAX + 1), b" 3 abc"):
        with pytest.raises(FramingError):
            split_messages(data, MAX)
    assert split_messages(b"1234", MAX) == ([], b"1234")  # a length still arriving


def test_a_connection_keeps_to_the_load_balancer_of_its_first_line() -> None:
    stream = AccessLogStream(MAX)
    lines = stream.feed(framed(record("lb-1", uri="/1"), record("lb-2", uri="/forged"), record("lb-1", uri="/2")))
    assert lines == [record("lb-1", uri="/1") + b"\n", record("lb-1", uri="/2") + b"\n"]
    assert (stream.load_balancer_id, stream.refused) == ("lb-1", 1)


def test_a_message_that_is_not_one_whole_line_is_refused() -> None:
    stream = AccessLogStream(MAX)
    refused = [b'{"loadbalancer_id":"lb-1",\n"status":200}', b'{"loadbalancer_id":"lb-1","uri":"/cut', b'{"status":200}', b""]
    assert stream.feed(framed(*refused)) == []
    assert (stream.load_balancer_id, stream.refused) == (None, len(refused))


def test_a_message_cut_by_the_end_of_the_connection_is_lost_and_counted() -> None:
    stream = AccessLogStream(MAX)
    assert stream.feed(framed(record(uri="/whole")) + framed(record(uri="/cut"))[:-5]) == [record(uri="/whole") + b"\n"]
    stream.end()
    assert stream.refused == 1


def test_haproxys_count_of_dropped_lines_is_kept_not_written() -> None:
    assert (dropped_count(b"1 event dropped"), dropped_count(b"39746 events dropped")) == (1, 39746)
    assert dropped_count(b'{"uri":"5 events dropped"}') is None
    stream = AccessLogStream(MAX)
    assert stream.feed(framed(b"3 events dropped", record(uri="/after"), b"1 event dropped")) == [record(uri="/after") + b"\n"]
    assert (stream.dropped_by_haproxy, stream.refused) == (4, 0)
