"""Part 4, TLS: HTTPS listeners of elbd against a hand-written HAProxy with the same certificate, key and
TLS settings, for an ECDSA P-256 and an RSA-2048 certificate: full handshakes per second (a new
connection per request) and keep-alive requests per second; then a rotation drill, certificates
replaced by PUT under load."""

import asyncio
import http.client
import socket
import ssl
import statistics
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from bench import no_resume, procs, wrk
from bench.context import HAND_WRITTEN_VIP, NGINX_ANCHOR_VIP, Bench, Section, Table, say
from bench.dataplane import round_order
from bench.handwritten_tls import HandWrittenTls, default_policy
from bench.nginx import shared_backends
from bench.nginx_anchor import NginxTlsAnchor
from bench.stats import cpu_cells, ms, percentile, ratio
from elbd.dataplane.haproxy_engine import process_for
from elbd.dataplane.runtime_commands import ShowInfo
from elbd.dataplane.tls_files import VERSIONS, cipher_list
from tests.certificates import Issued, issue

TITLE = "4. TLS"
RUN_S = 3.0
ROUNDS = 5
PORTS = {"ECDSA P-256": 8443, "RSA-2048": 8444}
MODES = (("full handshakes", True), ("keep-alive", False))
ANCHORS = ("hand-written", "nginx")
ROTATIONS = 20
DRILL_CONNECTIONS = 20
INTRO = (
    "elbd's HTTPS listeners (the default policy tls-1-2: TLS 1.2, its cipher list) against two anchors with the same "
    "certificate, key, protocol range and ciphers, in front of the same backend: a hand-written HAProxy with elbd's "
    "nbthread and maxconn (read from elbd's process), and nginx as an expert would run it (a worker per core, "
    "`reuseport`, upstream keepalive, a shared session cache the size of HAProxy's default, so both store every new "
    "session and issue tickets alike). `full handshakes`: wrk with `Connection: close`, a new TCP connection and a "
    "full TLS handshake per request: wrk by itself resumes its first session by ticket on every later connection, "
    "so bench/no_resume.c is preloaded into it to forget the session (HAProxy's `show info` confirms it below). "
    f"{ROUNDS} rounds of elbd and the anchors back to back, the order rotating; a ratio is the median of the "
    "rounds'. Then the rotation drill: the ECDSA certificate replaced by PUT "
    f"{ROTATIONS} times while wrk keeps opening connections, and after each 200 a handshake of our own reads which "
    "certificate is served."
)


def _fingerprint(certificate: x509.Certificate) -> bytes:
    return certificate.fingerprint(hashes.SHA256())


async def _certificate(bench: Bench, issued: Issued) -> dict[str, Any]:
    body = {"certificate": {"type": "server", "name": "bench", "certificate": issued.certificate_pem, "private_key": issued.key_pem}}
    return (await bench.cloud.ok("POST", "certificates", body))["certificate"]


async def _site(bench: Bench, server_address: str, server_port: int, issued: dict[str, Issued]) -> dict[str, Any]:
    cloud = bench.cloud
    lb = await cloud.load_balancer(bench.vip_subnet)
    site: dict[str, Any] = {"lb": lb, "vip": lb["vip_address"], "certificates": {}}
    for kind, port in PORTS.items():
        certificate = await _certificate(bench, issued[kind])
        listener = await cloud.listener(lb["id"], "HTTPS", port, default_tls_container_ref=certificate["id"])
        pool = await cloud.pool("HTTP", listener_id=listener["id"])
        await cloud.member(pool["id"], bench.subnet_id, server_address, server_port)
        site["certificates"][kind] = certificate
    return site


def _served(address: str, port: int) -> bytes:
    """The fingerprint of the certificate a fresh handshake gets."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((address, port), timeout=2) as raw, context.wrap_socket(raw, server_hostname="bench.example.com") as tls:
        return _fingerprint(x509.load_der_x509_certificate(tls.getpeercert(binary_form=True) or b""))


def _https_body(address: str, port: int) -> str:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection(address, port, timeout=2, context=context)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        return response.read().decode() if response.status == 200 else ""
    finally:
        connection.close()


async def _wait_serving_https(address: str, port: int, body: str, timeout_s: float = 15.0) -> None:
    """Until a GET over HTTPS answers 200 with `body`; RuntimeError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if await asyncio.to_thread(_https_body, address, port) == body:
                return
        except OSError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{address}:{port} did not serve {body!r} over HTTPS within {timeout_s} s")


async def run(bench: Bench) -> Section:
    backends = await shared_backends(bench)
    target = backends.endpoints[0]
    issued = {"ECDSA P-256": issue("bench.example.com", names=["bench.example.com"]),
              "RSA-2048": issue("bench.example.com", names=["bench.example.com"], key="rsa")}
    site = await _site(bench, target.address, target.port, issued)
    vip = site["vip"]
    for port in PORTS.values():  # elbd's HAProxy runs (and answers on its stats socket) once this serves
        await _wait_serving_https(vip, port, target.name)
    process = process_for(bench.server.data_dir, site["lb"]["id"])
    info = dict(line.split(": ", 1) for line in process.runtime(ShowInfo()).splitlines() if ": " in line)
    nbthread, maxconn = int(info.get("Nbthread", "1")), int(info.get("Maxconn", "4000"))
    hand = HandWrittenTls(bench.work_dir / "hand-written-tls", HAND_WRITTEN_VIP, {PORTS[kind]: one for kind, one in issued.items()},
                          f"{target.address}:{target.port}", maxconn, nbthread).start()
    bench.cleanups.callback(hand.stop)
    nginx_dir = bench.work_dir / "nginx-tls"
    nginx_dir.mkdir(mode=0o700)
    pem_files = {}
    for kind, one in issued.items():
        pem_files[PORTS[kind]] = nginx_dir / f"{PORTS[kind]}.pem"
        pem_files[PORTS[kind]].touch(mode=0o600)
        pem_files[PORTS[kind]].write_text(one.certificate_pem + one.key_pem)
    policy = default_policy()
    served = VERSIONS[VERSIONS.index(policy.min_version): VERSIONS.index(policy.max_version) + 1]
    protocols = " ".join("TLSv1" if version == "TLSv1.0" else version for version in served)  # nginx's spelling
    nginx = NginxTlsAnchor(nginx_dir, NGINX_ANCHOR_VIP, pem_files, f"{target.address}:{target.port}", protocols, cipher_list(policy)).start()
    bench.cleanups.callback(nginx.stop)
    for address in (HAND_WRITTEN_VIP, NGINX_ANCHOR_VIP):
        for port in PORTS.values():
            await _wait_serving_https(address, port, target.name)
    results: dict[tuple[str, str, str], list[wrk.WrkResult]] = {}
    cpu: dict[tuple[str, str, str], list[float]] = {}  # (target, certificate, mode) -> the proxy's CPU microseconds per request
    proxies = {"elbd": procs.proxy_pids(process.master_pid()), "hand-written": procs.proxy_pids(hand.process.pid if hand.process else None),
               "nginx": procs.proxy_pids(nginx.process.pid if nginx.process else None)}
    full_handshakes = no_resume.build(bench.work_dir / "no-resume")
    for kind, port in PORTS.items():
        for mode, close in MODES:
            for number in range(ROUNDS):
                addresses = {"elbd": vip, "hand-written": HAND_WRITTEN_VIP, "nginx": NGINX_ANCHOR_VIP}
                for name in round_order(list(addresses), number):
                    address = addresses[name]
                    before = sum(map(procs.cpu_seconds, proxies[name]))
                    result = await wrk.run(f"{name} {kind} {mode}", f"https://{address}:{port}/", RUN_S, close=close,
                                           env=full_handshakes if close else None)
                    results.setdefault((name, kind, mode), []).append(result)
                    if proxies[name] and result.requests:
                        spent = sum(map(procs.cpu_seconds, proxies[name])) - before
                        cpu.setdefault((name, kind, mode), []).append(spent / result.requests * 1e6)
                    say(f"wrk {name:12} {kind:11} {mode:15}: {result.per_second:9.0f} req/s p99 {ms(result.p99_ms, 2)} ms "
                        f"failed {result.failures_text()}")
    reuse = {"elbd": _session_reuse(process.runtime(ShowInfo())), "hand-written": _session_reuse(hand.show_info())}
    drill = await _rotation_drill(bench, site)
    return _section(results, cpu, drill, reuse, nbthread, maxconn, hand.config_text, nginx.config_text)


def _session_reuse(show_info: str) -> str:
    """What HAProxy counted of TLS sessions: a full handshake computes a key; a resumed one looks its
    session up in the cache (or brings a ticket, which skips the key computation too). Before wrk ran
    with bench/no_resume.c, the full-handshake runs showed at most 50 key computations/s (the first
    connections') at over 5,000 handshakes/s."""
    info = dict(line.split(": ", 1) for line in show_info.splitlines() if ": " in line)
    return f"at most {info.get('SslFrontendMaxKeyRate', '?')} key computations/s, {info.get('SslCacheLookups', '?')} session cache lookups"


async def _rotation_drill(bench: Bench, site: dict[str, Any]) -> dict[str, Any]:
    """ROTATIONS certificate PUTs while wrk opens connections. After each 200, handshakes of ours one
    after another until one gets the new certificate: the delay is from the 200 to the start of that
    handshake (0 when the first one after the 200 got it; the PUT answers once the data plane has it),
    and each handshake's own time under the load is kept apart."""
    port = PORTS["ECDSA P-256"]
    url = f"https://{site['vip']}:{port}/"
    certificate_id = site["certificates"]["ECDSA P-256"]["id"]
    load = asyncio.create_task(wrk.run("rotation drill", url, ROTATIONS * 0.6 + 4, close=True, connections=DRILL_CONNECTIONS))
    await asyncio.sleep(1.0)
    delays_ms: list[float] = []
    handshakes_ms: list[float] = []
    puts_ms: list[float] = []  # the PUT's own time: it answers once every listener presents the new certificate
    stale_handshakes = 0
    for number in range(ROTATIONS):
        renewed = issue(f"renewed-{number}.example.com", names=["bench.example.com"])
        wanted = _fingerprint(renewed.certificate)
        body = {"certificate": {"certificate": renewed.certificate_pem, "private_key": renewed.key_pem}}
        sent = time.monotonic()
        await bench.cloud.ok("PUT", f"certificates/{certificate_id}", body)
        answered = time.monotonic()
        puts_ms.append((answered - sent) * 1000)
        for _ in range(1000):
            started = time.monotonic()
            served = await asyncio.to_thread(_served, site["vip"], port)
            handshakes_ms.append((time.monotonic() - started) * 1000)
            if served == wanted:
                delays_ms.append((started - answered) * 1000)
                break
            stale_handshakes += 1
        await asyncio.sleep(0.5)
    result = await load
    say(f"rotation drill: 200 -> new certificate p99 {ms(percentile(delays_ms, 0.99))} ms, {stale_handshakes} handshakes got the old one; "
        f"a handshake under the load took p50 {ms(statistics.median(handshakes_ms))} ms; wrk {result.requests} requests, failed {result.failures_text()}")
    return {"delays_ms": delays_ms, "handshakes_ms": handshakes_ms, "puts_ms": puts_ms, "stale": stale_handshakes, "load": result}


def _cpu_rows(cpu: dict[tuple[str, str, str], list[float]]) -> list[list[str]]:
    """Per certificate and mode: each side's median CPU microseconds per request and the median of the
    rounds' ratios to elbd's, where all three were measured."""
    rows = []
    for kind in PORTS:
        for mode, _ in MODES:
            cells = cpu_cells({name: cpu.get((name, kind, mode), []) for name in ("elbd", *ANCHORS)}, ANCHORS)
            if cells is not None:
                rows.append([kind, mode, *cells])
    return rows


def _section(results: dict[tuple[str, str, str], list[wrk.WrkResult]], cpu: dict[tuple[str, str, str], list[float]],
             drill: dict[str, Any], reuse: dict[str, str], nbthread: int, maxconn: int, hand_config: str, nginx_config: str) -> Section:
    section = Section(TITLE, INTRO)
    rows = []
    ratios: dict[str, dict[str, float]] = {anchor: {} for anchor in ANCHORS}
    for kind in PORTS:
        for mode, _ in MODES:
            elbd_runs = results[("elbd", kind, mode)]
            row = [kind, mode, f"{statistics.mean(r.per_second for r in elbd_runs):,.0f}"]
            failed = sum(r.failed for r in elbd_runs)
            for anchor in ANCHORS:
                anchor_runs = results[(anchor, kind, mode)]
                rounds = [ratio(e.per_second, a.per_second) for e, a in zip(elbd_runs, anchor_runs)]
                ratios[anchor][f"{kind} {mode}"] = statistics.median(rounds)
                row += [f"{statistics.mean(r.per_second for r in anchor_runs):,.0f}",
                        f"**{statistics.median(rounds):.2f}** ({', '.join(f'{one:.2f}' for one in rounds)})"]
                failed += sum(r.failed for r in anchor_runs)
            rows.append([*row, str(failed)])
    section.tables.append(Table(
        f"wrk -t1 -c50 -d{RUN_S:g}s over HTTPS: mean req/s and the median of the rounds' ratios",
        ["certificate", "mode", "elbd req/s", "hand-written req/s", "elbd / hand-written: median (rounds)", "nginx req/s",
         "elbd / nginx: median (rounds)", "failed"],
        rows,
        f"Both HAProxy processes run nbthread {nbthread}, maxconn {maxconn}. TLS sessions as HAProxy counted them "
        f"(`show info` at the end): elbd {reuse['elbd']}; hand-written {reuse['hand-written']}.",
    ))
    section.tables.append(Table(
        "CPU time per request of each proxy over HTTPS (microseconds; utime + stime from /proc around each run)",
        ["certificate", "mode", "elbd", "hand-written", "elbd / hand-written: median of rounds", "nginx",
         "elbd / nginx: median of rounds"],
        _cpu_rows(cpu),
        "Each proxy's master and workers. On the shared machine this moves much less than requests/s (bench/findings.md).",
    ))
    delays, handshakes, puts = drill["delays_ms"], drill["handshakes_ms"], drill["puts_ms"]
    load: wrk.WrkResult = drill["load"]
    section.tables.append(Table(
        "Rotation drill",
        ["rotations", "PUT sent -> 200 (stored, rotated through the runtime API): p50 / p99",
         "200 -> start of the first handshake that got the new certificate: p50 / p99 / max",
         "handshakes after a 200 that got the old one", "one handshake under the load: p50 / p99", "requests under load", "failed"],
        [[str(len(delays)), f"{ms(statistics.median(puts))} / {ms(percentile(puts, 0.99))} ms",
          f"{ms(statistics.median(delays), 2)} / {ms(percentile(delays, 0.99), 2)} / {ms(max(delays), 2)} ms",
          str(drill["stale"]), f"{ms(statistics.median(handshakes))} / {ms(percentile(handshakes, 0.99))} ms",
          f"{load.requests:,}", load.failures_text()]],
        f"wrk -c{DRILL_CONNECTIONS} with `Connection: close` (a handshake per request) through the whole drill.",
    ))
    section.raw.append("The hand-written HAProxy configuration:\n\n```\n" + hand_config.rstrip() + "\n```")
    section.raw.append("The nginx configuration:\n\n```\n" + nginx_config.rstrip() + "\n```")
    section.figures["tls_ratio_hand"] = ratios["hand-written"]
    section.figures["tls_ratio_nginx"] = ratios["nginx"]
    section.figures["tls_rotation_p99_ms"] = percentile(delays, 0.99)
    section.figures["tls_rotation_stale"] = drill["stale"]
    section.figures["tls_rotation_put_p99_ms"] = percentile(puts, 0.99)
    section.figures["tls_rotation_failed"] = load.failed
    return section
