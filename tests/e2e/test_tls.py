"""`elbd serve --ssl-certfile --ssl-keyfile`: the API over TLS, as the README's security section says."""

import datetime
import ipaddress
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from elbd.service.identity import ProjectCredentials
from tests.conftest import LiveServer, free_port, token_request


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "elbd test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "api.pem", directory / "api.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return certificate_path, key_path


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp("tls")
    certificate, key = self_signed_certificate(directory)
    server = LiveServer(
        directory / "elbd-data",
        free_port(),
        serve_args=("--ssl-certfile", str(certificate), "--ssl-keyfile", str(key)),
        verify=ssl.create_default_context(cafile=str(certificate)),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_api_answers_over_tls_and_a_token_is_issued(tls_server: LiveServer) -> None:
    credentials = ProjectCredentials(**json.loads(tls_server.elbd("project", "create", "tls")))
    with httpx.Client(base_url=tls_server.url, verify=tls_server.verify, timeout=10) as client:
        issued = client.post("/v3/auth/tokens", json=token_request(credentials))
        assert issued.status_code == 201, issued.text
        listed = client.get(f"/v3/{credentials.project_id}/elb/pools", headers={"X-Auth-Token": issued.headers["X-Subject-Token"]})
    assert listed.status_code == 200
    assert listed.json()["pools"] == []


def test_plain_http_gets_no_answer_from_a_tls_port(tls_server: LiveServer) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{tls_server.port}/openapi.json", timeout=5)
