"""Credentials as `elbd` keeps them: a data directory only its owner can read, a missing or exposed key
file refused with a clear message, and no password, secret key, token, signature or certificate's
private key in the server's log (nor the private key in the database's files)."""

import json
from collections.abc import Iterator
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from elbd.auth import sdk_hmac
from elbd.store.secret_box import KEY_FILE_NAME
from tests import postgres
from tests.certificates import issue, server_body
from tests.conftest import LiveServer, free_port


def elbd(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "elbd", *args, "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=timeout, check=False,
        env=postgres.environment_for(data_dir),
    )


def kept_in_the_database(data_dir: Path) -> bytes:
    """SQLite's files, or on PostgreSQL every row of the database as text."""
    if postgres.ON_POSTGRES:
        return postgres.every_row(postgres.environment_for(data_dir)["ELBD_DATABASE_URL"]).encode()
    return b"".join(path.read_bytes() for path in data_dir.glob("elbd.db*"))


def sign(server: LiveServer, path: str, access_key: str, secret_key: str) -> dict[str, str]:
    """The headers of a GET signed with SDK-HMAC-SHA256."""
    headers = {"host": f"127.0.0.1:{server.port}", "x-sdk-date": datetime.now(UTC).strftime(sdk_hmac.DATE_FORMAT)}
    names = ("host", "x-sdk-date")
    signature = sdk_hmac.sign(secret_key, sdk_hmac.canonical_request("GET", path, "", headers, names, b""), headers["x-sdk-date"])
    return {**headers, "authorization": f"SDK-HMAC-SHA256 Access={access_key}, SignedHeaders=host;x-sdk-date, Signature={signature}"}


def password_body(credentials: dict[str, str]) -> dict[str, object]:
    user = {"name": credentials["user_name"], "password": credentials["password"], "domain": {"name": credentials["domain_name"]}}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": {"id": credentials["project_id"]}}}}


def test_a_served_data_directory_is_its_owners_only(live_server: LiveServer) -> None:
    credentials = json.loads(live_server.elbd("project", "create", "private"))
    issued = httpx.post(f"{live_server.url}/v3/auth/tokens", json=password_body(credentials), timeout=10)
    assert issued.status_code == 201, issued.text
    data_dir = live_server.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    modes = {str(path.relative_to(data_dir)): stat.S_IMODE(path.stat().st_mode) for path in data_dir.rglob("*")}
    assert {KEY_FILE_NAME} | (set() if postgres.ON_POSTGRES else {"elbd.db", "elbd.db-wal", "elbd.db-shm"}) <= set(modes)
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}


@pytest.fixture
def logging_server(tmp_path: Path) -> Iterator[LiveServer]:
    """With the access log on (off by default), so the log has a line for every request below."""
    server = LiveServer(tmp_path / "live-data", free_port(), serve_args=("--access-log",))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_log_holds_no_credentials(logging_server: LiveServer) -> None:
    credentials = json.loads(logging_server.elbd("project", "create", "quiet"))
    issued = httpx.post(f"{logging_server.url}/v3/auth/tokens", json=password_body(credentials), timeout=10)
    assert issued.status_code == 201, issued.text
    token = issued.headers["X-Subject-Token"]
    pools = f"/v3/{credentials['project_id']}/elb/pools"
    assert httpx.get(logging_server.url + pools, headers={"X-Auth-Token": token}, timeout=10).status_code == 200
    signed = sign(logging_server, pools, credentials["access_key"], credentials["secret_key"])
    assert httpx.get(logging_server.url + pools, headers=signed, timeout=10).status_code == 200
    wrongly_signed = sign(logging_server, pools, credentials["access_key"], credentials["secret_key"] + "x")
    assert httpx.get(logging_server.url + pools, headers=wrongly_signed, timeout=10).status_code == 401
    wrong_password = password_body({**credentials, "password": credentials["password"] + "x"})
    assert httpx.post(f"{logging_server.url}/v3/auth/tokens", json=wrong_password, timeout=10).status_code == 401
    revoked = httpx.delete(f"{logging_server.url}/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}, timeout=10)
    assert revoked.status_code == 204
    logging_server.stop()
    log = (logging_server.data_dir.parent / "elbd-serve.log").read_text()
    assert "method=GET route=/v3/{project_id}/elb/pools status=200" in log
    assert "method=DELETE route=/v3/auth/tokens status=204" in log
    secrets = {
        "password": credentials["password"],
        "secret key": credentials["secret_key"],
        "token": token,
        "signature": signed["authorization"].rsplit("=", 1)[1],
        "key file": (logging_server.data_dir / KEY_FILE_NAME).read_text().strip(),
    }
    assert [name for name, value in secrets.items() if value in log] == []


def test_a_private_key_is_in_neither_the_log_nor_the_database_files(logging_server: LiveServer) -> None:
    credentials = json.loads(logging_server.elbd("project", "create", "keys"))
    issued = httpx.post(f"{logging_server.url}/v3/auth/tokens", json=password_body(credentials), timeout=10)
    headers = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    certificates = f"{logging_server.url}/v3/{credentials['project_id']}/elb/certificates"
    leaf, stranger = issue("www.example.com"), issue("other.example.com")
    made = httpx.post(certificates, json=server_body(leaf), headers=headers, timeout=10)
    assert made.status_code == 201, made.text
    refused = [
        server_body(leaf, domain="not a domain"),
        server_body(stranger, private_key=leaf.key_pem),
        {"certificate": {"certificate": leaf.certificate_pem + leaf.key_pem, "private_key": leaf.key_pem}},
        server_body(leaf, private_key=leaf.key_pem + "x" * 9000),
    ]
    for body in refused:
        assert httpx.post(certificates, json=body, headers=headers, timeout=10).status_code == 400
    renamed = httpx.put(f"{certificates}/{made.json()['certificate']['id']}", json={"certificate": {"private_key": leaf.key_pem}}, headers=headers, timeout=10)
    assert renamed.status_code == 200, renamed.text
    logging_server.stop()
    # The secret part of the key: its private value, and the PEM text that spells it (in PKCS#8, an
    # ECDSA P-256 key's private value is the DER's bytes 36 to 68, base64 characters 48 to 90).
    scalar = leaf.key.private_numbers().private_value.to_bytes(32, "big")
    key_body = "".join(leaf.key_pem.splitlines()[1:-1])
    secret = {"PEM": key_body, "PEM of the private value": key_body[48:88], "hex": scalar.hex(), "HEX": scalar.hex().upper()}
    log = (logging_server.data_dir.parent / "elbd-serve.log").read_text()
    database = kept_in_the_database(logging_server.data_dir)
    assert "method=POST route=/v3/{project_id}/elb/certificates status=201" in log and leaf.certificate_pem.splitlines()[1].encode() in database
    assert [name for name, text in secret.items() if text in log or text.encode() in database] == []
    assert scalar not in database


@pytest.fixture
def served_once(tmp_path: Path) -> Path:
    data_dir = tmp_path / "elbd-data"
    created = elbd(data_dir, "project", "create", "first")
    assert created.returncode == 0, created.stderr
    return data_dir


@pytest.mark.parametrize("command", [("project", "create", "second"), ("serve", "--port", "0")])
def test_a_lost_key_file_is_refused_with_a_clear_message(served_once: Path, command: tuple[str, ...]) -> None:
    key_file = served_once / KEY_FILE_NAME
    key_file.unlink()
    refused = elbd(served_once, *command, timeout=30)
    assert refused.returncode == 1
    assert f"{key_file} is missing" in refused.stderr and "restore" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    assert not key_file.exists()


def test_a_key_file_others_can_read_is_refused_with_a_clear_message(served_once: Path) -> None:
    (served_once / KEY_FILE_NAME).chmod(0o644)
    refused = elbd(served_once, "serve", "--port", str(free_port()), timeout=30)
    assert refused.returncode == 1
    assert "readable by other users" in refused.stderr and "chmod 600" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
