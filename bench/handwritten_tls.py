"""The anchor of the TLS comparison: HAProxy as an expert would write it by hand for HTTPS in front of
one backend, with the certificate and key elbd serves and the TLS settings of elbd's default policy
(the same protocol range and cipher list, from the same tables), elbd's nbthread and maxconn. Run like
the plain anchor (bench/handwritten.py): foreground, a session of its own, a stats socket to read
`show info`."""

import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.handwritten import DEFER_ACCEPT, FORWARDED_HEADERS, run_anchor
from bench.procs import terminate
from elbd.dataplane.tls_files import cipher_list
from elbd.tls_policies import DEFAULT_SYSTEM_POLICY, SYSTEM_POLICIES, haproxy_terms
from elbd.dataplane.model import TlsPolicy
from tests.certificates import Issued


def default_policy() -> TlsPolicy:
    system = SYSTEM_POLICIES[DEFAULT_SYSTEM_POLICY]
    terms = haproxy_terms(system.protocols, system.ciphers)
    return TlsPolicy(terms.min_version, terms.max_version, terms.ciphers, terms.ciphersuites)


@dataclass
class HandWrittenTls:
    directory: Path
    vip: str
    certificates: dict[int, Issued]  # port -> the certificate (and key) served on it
    server: str  # address:port
    maxconn: int
    nbthread: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        return self.directory / "stats.sock"

    @property
    def config_text(self) -> str:
        policy = default_policy()
        lines = ["global", f"    maxconn {self.maxconn}", f"    nbthread {self.nbthread}", f"    stats socket {self.socket_path} mode 600 level admin",
                 "", "defaults", "    mode http", "    timeout connect 5s", "    timeout client 60s", "    timeout server 60s", ""]
        for port in sorted(self.certificates):
            lines += [f"frontend https_{port}",
                      f"    bind {self.vip}:{port} {DEFER_ACCEPT} ssl crt {self.directory / f'{port}.pem'} ssl-min-ver {policy.min_version} "
                      f"ssl-max-ver {policy.max_version} ciphers {cipher_list(policy)}",
                      "    http-request set-header X-Forwarded-Proto https",
                      *(f"    {line}" for line in FORWARDED_HEADERS),
                      "    default_backend servers", ""]
        lines += ["backend servers", "    http-reuse always", f"    server s1 {self.server}", ""]
        return "\n".join(lines)

    def start(self) -> "HandWrittenTls":
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for port, issued in self.certificates.items():
            pem = self.directory / f"{port}.pem"
            pem.touch(mode=0o600)
            pem.write_text(issued.certificate_pem + issued.key_pem)
        self.process = run_anchor(self.directory, self.config_text, (self.vip, min(self.certificates)))
        return self

    def show_info(self) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(self.socket_path))
            connection.sendall(b"show info\n")
            answer = b""
            for _ in range(1000):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
            return answer.decode(errors="replace")

    def stop(self) -> None:
        terminate(self.process)
        self.process = None
