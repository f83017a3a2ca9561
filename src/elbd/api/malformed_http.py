"""Requests the HTTP parser refuses before the application sees them (a header with a control byte,
a broken request line) are answered in the ELB error format too, with a request id, rather than
uvicorn's plain-text 400."""

import json
import uuid

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from elbd.errors import invalid


class ElbHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (what `uvicorn[standard]` serves with), with the ELB 400 body."""

    def send_400_response(self, msg: str) -> None:
        request_id = uuid.uuid4().hex
        error = invalid(f"The request is not valid HTTP: {msg}")
        body = json.dumps({"error_code": error.code, "error_msg": error.message, "request_id": request_id}).encode()
        head = [
            b"HTTP/1.1 400 Bad Request\r\n",
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"x-request-id: " + request_id.encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
