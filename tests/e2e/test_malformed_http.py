"""What `elbd serve`'s HTTP parser refuses is answered in the ELB error format, with a request id."""

import json
import socket

import pytest

from tests.conftest import LiveServer


def raw_exchange(server: LiveServer, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return status_line, headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Bad: a\x7fb\r\n\r\n",
        b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",
        b"GET /openapi.json HTTP/9.9 x\r\n\r\n",
    ],
)
def test_a_request_the_parser_refuses_gets_an_elb_error(live_server: LiveServer, request_bytes: bytes) -> None:
    status_line, headers, body = raw_exchange(live_server, request_bytes)
    assert status_line.startswith("HTTP/1.1 400")
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert error["error_code"] == "ELB.8902" and error["error_msg"].startswith("The request is not valid HTTP")
    assert error["request_id"] == headers["x-request-id"]
