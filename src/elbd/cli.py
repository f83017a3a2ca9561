"""The elbd command: `serve`, `agent`, `nodes`, `loadbalancer move`, `project create`, `quota set`, `dataplane stop`,
`db backup`, `db restore`; and the resource CLI (`elbd lb ...`, `elbd member import ...`), a client of a running
elbd (cli_resources/).

Each command imports the heavy modules it uses (SQLAlchemy and the models, Alembic, the API, the data plane) in
its body: a call pays only for its own command's imports, and `elbd --help` and the resource commands for none.
"""

import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from elbd.cli_resources.commands import install as install_resource_commands
from elbd.config import load_settings
from elbd.errors import ElbError
from elbd.first_hour import command_name, project_next_steps, serve_notes
from elbd.heap import freeze_startup_heap
from elbd.private_paths import GROUP_AND_OTHERS
from elbd.store.refusal import StateUnusable, StoreRefused

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from elbd.store.state import State

app = typer.Typer(no_args_is_help=True, help="elbd: the ELB v3 API with a real data plane.")
project_app = typer.Typer(no_args_is_help=True, help="Projects and their credentials.")
quota_app = typer.Typer(no_args_is_help=True, help="Per-project quota overrides.")
dataplane_app = typer.Typer(no_args_is_help=True, help="The HAProxy processes serving the load balancers.")
app.add_typer(project_app, name="project")
app.add_typer(quota_app, name="quota")
app.add_typer(dataplane_app, name="dataplane")
loadbalancer_app = typer.Typer(no_args_is_help=True, help="Load balancers on the nodes of a cluster.")
app.add_typer(loadbalancer_app, name="loadbalancer")
db_app = typer.Typer(no_args_is_help=True, help="Backup and restore of the SQLite database.")
app.add_typer(db_app, name="db")
install_resource_commands(app)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="State directory (default ./elbd-data).")]


@app.callback()
def _private_files() -> None:
    # Whatever elbd and its HAProxy processes create (configs, pid and state files) is the owner's only.
    os.umask(GROUP_AND_OTHERS)


@contextmanager
def _writable_state(data_dir: Path | None) -> "Iterator[State]":
    """The data directory's state, held against a restore until the command is done with it."""
    from elbd.store.serving_lock import writing
    from elbd.store.state import open_state

    settings = load_settings(data_dir)
    with writing(settings.data_dir):
        yield open_state(settings.data_dir, settings.database_url, settings.sqlite_synchronous)


@contextmanager
def _refusals_as_messages(*also: type[Exception]) -> Iterator[None]:
    """A refused command prints its reason on stderr and exits 1: no traceback for a user's mistake. `also`:
    the refusals of the command's own modules (serve's metrics endpoint)."""
    refusals: tuple[type[Exception], ...] = (StateUnusable, StoreRefused, *also)
    try:
        yield
    except ElbError as error:
        typer.echo(f"elbd: {error.message}", err=True)
        raise typer.Exit(1) from None
    except refusals as error:
        typer.echo(f"elbd: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the API listens on.")] = 9876,
    data_dir: DataDir = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log a line per API request on stdout (costs throughput).")] = False,
    access_log_json: Annotated[bool, typer.Option("--access-log-json", help="As --access-log, each line one JSON object.")] = False,
    ssl_certfile: Annotated[Optional[Path], typer.Option(help="Serve the API over TLS with this certificate (PEM).")] = None,
    ssl_keyfile: Annotated[Optional[Path], typer.Option(help="The certificate's private key (PEM).")] = None,
    metrics_port: Annotated[Optional[int], typer.Option(help="Serve Prometheus metrics at /metrics on this port (off unless given).")] = None,
    metrics_host: Annotated[str, typer.Option(help="Address the metrics endpoint listens on: keep it where only operators reach.")] = "127.0.0.1",
    no_agent: Annotated[bool, typer.Option("--no-agent", help="Serve the API only, with no data-plane agent (an API replica).")] = False,
) -> None:
    """Start the API with its embedded data-plane agent (or, with --no-agent, the API alone)."""
    import uvicorn
    from sqlalchemy import make_url, select

    from elbd.api.app import build_routes, create_app
    from elbd.api.malformed_http import ElbHttpToolsProtocol
    from elbd.metrics.endpoint import MetricsUnbindable
    from elbd.store.models import Project
    from elbd.store.serving_lock import only_server, serving

    with _refusals_as_messages(MetricsUnbindable):
        settings = replace(
            load_settings(data_dir), api_host=host, api_port=port, metrics_host=metrics_host, metrics_port=metrics_port,
            api_access_log="json" if access_log_json else "text" if access_log else None,
        )
        if no_agent:  # on PostgreSQL the nodes' agents serve its writes, and its answers wait for them
            settings = replace(settings, dataplane="none" if make_url(settings.database_url).get_backend_name() == "sqlite" else "replica")
        with serving(settings.data_dir), only_server(settings.database_url):
            api = create_app(settings)
            with api.state.db.read() as session:
                has_project = session.scalars(select(Project.id).limit(1)).first() is not None
            url = f"{'https' if ssl_certfile else 'http'}://{_url_host(host)}:{port}"
            typer.echo(serve_notes(url=url, data_dir=settings.data_dir, command=_command(), has_project=has_project), err=True)
            if metrics_port is not None:
                typer.echo(f"elbd: Prometheus metrics at http://{_url_host(metrics_host)}:{metrics_port}/metrics (operators only)", err=True)
            build_routes(api)
            freeze_startup_heap()
            uvicorn.run(
                api,
                host=host,
                port=port,
                http=ElbHttpToolsProtocol,
                log_level="info",
                access_log=False,  # elbd's own line per request instead (api/access_log.py)
                ssl_certfile=ssl_certfile,
                ssl_keyfile=ssl_keyfile,
            )


NODE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@app.command()
def agent(
    node: Annotated[str, typer.Option("--node", help="This node's name in the cluster (letters, digits, . _ -; up to 64).")],
    data_dir: DataDir = None,
    vip_interface: Annotated[
        Optional[str], typer.Option("--vip-interface", help="Put the VIPs this node serves on this interface and announce them (ARP).")
    ] = None,
) -> None:
    """Serve the data plane of the load balancers placed on this node (PostgreSQL only; see "Operating a cluster")."""
    import signal
    import threading

    from elbd.cluster.node_agent import serve_node
    from elbd.dataplane.driver import haproxy_binary
    from elbd.store.serving_lock import serving
    from elbd.store.state import open_state

    with _refusals_as_messages():
        settings = load_settings(data_dir)
        if settings.database_url.startswith("sqlite"):
            raise StoreRefused(
                "elbd agent needs a PostgreSQL database shared by the nodes (ELBD_DATABASE_URL=postgresql://...); "
                "on SQLite, elbd serve runs the data plane itself."
            )
        if not NODE_NAME.fullmatch(node):
            raise StoreRefused(f"--node is letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit), not {node!r}")
        binary = haproxy_binary()
        if binary is None:
            raise StoreRefused("elbd agent needs HAProxy installed (apt-get install haproxy)")
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        with serving(settings.data_dir):
            open_state(settings.data_dir, settings.database_url).db.dispose()  # the key file, the schema, the key matching the database
            typer.echo(f"elbd: node {node} serves the load balancers placed on it (data directory {settings.data_dir})", err=True)
            serve_node(node, settings.database_url, settings.data_dir, binary, vip_interface, stop)


@contextmanager
def _cluster_database(data_dir: Path | None) -> "Iterator[Connection]":
    """One transaction on the cluster's PostgreSQL database; refused on SQLite, which has no nodes."""
    from sqlalchemy import create_engine

    settings = load_settings(data_dir)
    if settings.database_url.startswith("sqlite"):
        raise StoreRefused("nodes are data-plane agents sharing a PostgreSQL database (ELBD_DATABASE_URL=postgresql://...); on SQLite, elbd serve is the one node.")
    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


@app.command()
def nodes(data_dir: DataDir = None) -> None:
    """The data-plane nodes (`elbd agent`): heartbeat age in seconds, live or not, load balancers held."""
    from elbd.cluster.timing import LEASE_S
    from elbd.store import leases

    with _refusals_as_messages(), _cluster_database(data_dir) as connection:
        seen = leases.nodes(connection)
    for node in seen:
        typer.echo(json.dumps({
            "name": node.name, "heartbeat_age_s": round(node.heartbeat_age_s, 1), "live": node.heartbeat_age_s < LEASE_S, "load_balancers": node.load,
        }))


MOVE_TIMEOUT_S = 60.0


@loadbalancer_app.command("move")
def loadbalancer_move(
    loadbalancer_id: str,
    to: Annotated[str, typer.Option("--to", help="The node to serve it from now on.")],
    data_dir: DataDir = None,
) -> None:
    """Move a load balancer to another node: it is served there first, then its old node lets it go
    (finishing the connections it has)."""
    import time

    from elbd.cluster.timing import LEASE_S
    from elbd.store import leases

    with _refusals_as_messages():
        with _cluster_database(data_dir) as connection:
            target = next((node for node in leases.nodes(connection) if node.name == to), None)
            if target is None or target.heartbeat_age_s >= LEASE_S:
                raise StoreRefused(f"node {to!r} is not a live node (elbd nodes lists them)")
            if leases.placed_on(connection, loadbalancer_id) == to:
                typer.echo(json.dumps({"loadbalancer_id": loadbalancer_id, "node": to}))
                return
            if not leases.ask_move(connection, loadbalancer_id, to):
                raise StoreRefused(f"load balancer {loadbalancer_id!r} is not placed on a node (is its id right, and is a node running?)")
        deadline = time.monotonic() + MOVE_TIMEOUT_S
        while time.monotonic() < deadline:
            with _cluster_database(data_dir) as connection:
                if leases.placed_on(connection, loadbalancer_id) == to:
                    typer.echo(json.dumps({"loadbalancer_id": loadbalancer_id, "node": to}))
                    return
            time.sleep(0.2)
        raise StoreRefused(f"node {to!r} did not take load balancer {loadbalancer_id} within {MOVE_TIMEOUT_S:.0f} s; its log says why")


def _command() -> str:
    return command_name(sys.argv[0], sys.executable)


def _url_host(host: str) -> str:
    """The host part of the API's URL: a wildcard address is reached on loopback; IPv6 in brackets."""
    reachable = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    return f"[{reachable}]" if ":" in reachable and not reachable.startswith("[") else reachable


@project_app.command("create")
def project_create(
    name: str,
    data_dir: DataDir = None,
    api_url: Annotated[str, typer.Option(help="Where elbd serve answers, for the next steps printed.")] = "http://127.0.0.1:9876",
) -> None:
    """Create a project with a user and an AK/SK pair, a default VPC and subnet; print the credentials as one
    JSON object on stdout, and the next steps on stderr."""
    from elbd.service import identity
    from elbd.service.default_network import create_default_network

    with _refusals_as_messages(), _writable_state(data_dir) as state:
        settings = load_settings(data_dir)
        zone = settings.availability_zones[0]
        with state.db.write() as session:
            credentials = identity.create_project(session, name=name, secret_box=state.secret_box)
            _, subnet = create_default_network(session, project_id=credentials.project_id, availability_zone=zone)
            subnet_id, neutron_subnet_id = subnet.id, subnet.neutron_subnet_id
    typer.echo(json.dumps(credentials.__dict__))
    typer.echo(
        project_next_steps(
            project_id=credentials.project_id, user_name=credentials.user_name, subnet_id=subnet_id,
            neutron_subnet_id=neutron_subnet_id, zone=zone, url=api_url.rstrip("/"),
        ),
        err=True,
    )


@quota_app.command("set", context_settings={"ignore_unknown_options": True})
def quota_set(project_id: str, resource: str, limit: int, data_dir: DataDir = None) -> None:
    """Override one quota of a project (-1 means unlimited)."""
    from elbd.service import quotas

    with _refusals_as_messages(), _writable_state(data_dir) as state:
        with state.db.write() as session:
            quotas.set_override(session, project_id=project_id, resource=resource, limit=limit)
    typer.echo(json.dumps({"project_id": project_id, resource: limit}))


@dataplane_app.command("stop")
def dataplane_stop(data_dir: DataDir = None) -> None:
    """Stop every HAProxy and nginx (UDP listeners) of this data directory (they outlive `elbd serve` on purpose)."""
    from elbd.dataplane import nginx_engine
    from elbd.dataplane.haproxy_engine import stop_all
    from elbd.store.serving_lock import stopping

    with _refusals_as_messages():
        settings = load_settings(data_dir)
        with stopping(settings.data_dir):
            stopped = stop_all(settings.data_dir)
            stopped_udp = nginx_engine.stop_all(settings.data_dir)
    typer.echo(json.dumps({"stopped": stopped, "stopped_udp": stopped_udp}))


@db_app.command("backup")
def db_backup(file: Path, data_dir: DataDir = None) -> None:
    """Write a consistent copy of the database to FILE, also while `elbd serve` runs.

    The database only: keep a copy of the data directory's secret.key (it seals the AK/SK secret keys) apart from it.
    """
    from elbd.store import backup

    with _refusals_as_messages():
        copied = backup.backup(load_settings(data_dir).database_url, file)
    typer.echo(json.dumps({"backup": str(copied.path), "schema_revision": copied.schema_revision, "bytes": copied.size}))


@db_app.command("restore")
def db_restore(file: Path, data_dir: DataDir = None) -> None:
    """Replace the database with the backup in FILE; refused while `elbd serve` uses the data directory."""
    from elbd.store import backup

    with _refusals_as_messages():
        settings = load_settings(data_dir)
        copied = backup.restore(settings.database_url, file, settings.data_dir)
    typer.echo(json.dumps({"restored": str(copied.path), "schema_revision": copied.schema_revision, "bytes": copied.size}))
