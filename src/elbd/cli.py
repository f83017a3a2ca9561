"""The elbd command: `serve`, `project create`, `quota set`, `dataplane stop`, `db backup`, `db restore`."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer
import uvicorn

from elbd.config import load_settings
from elbd.errors import ElbError
from elbd.heap import freeze_startup_heap
from elbd.private_paths import GROUP_AND_OTHERS
from elbd.service import identity, quotas
from elbd.store import backup
from elbd.store.refusal import StoreRefused
from elbd.store.serving_lock import serving, writing
from elbd.store.state import State, StateUnusable, open_state

app = typer.Typer(no_args_is_help=True, help="elbd: the ELB v3 API with a real data plane.")
project_app = typer.Typer(no_args_is_help=True, help="Projects and their credentials.")
quota_app = typer.Typer(no_args_is_help=True, help="Per-project quota overrides.")
dataplane_app = typer.Typer(no_args_is_help=True, help="The HAProxy processes serving the load balancers.")
app.add_typer(project_app, name="project")
app.add_typer(quota_app, name="quota")
app.add_typer(dataplane_app, name="dataplane")
db_app = typer.Typer(no_args_is_help=True, help="Backup and restore of the SQLite database.")
app.add_typer(db_app, name="db")

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="State directory (default ./elbd-data).")]


@app.callback()
def _private_files() -> None:
    # Whatever elbd and its HAProxy processes create (configs, pid and state files) is the owner's only.
    os.umask(GROUP_AND_OTHERS)


@contextmanager
def _writable_state(data_dir: Path | None) -> Iterator[State]:
    """The data directory's state, held against a restore until the command is done with it."""
    settings = load_settings(data_dir)
    with writing(settings.data_dir):
        yield open_state(settings.data_dir, settings.database_url, settings.sqlite_synchronous)


@contextmanager
def _refusals_as_messages() -> Iterator[None]:
    """A refused command prints its reason on stderr and exits 1: no traceback for a user's mistake."""
    try:
        yield
    except ElbError as error:
        typer.echo(f"elbd: {error.message}", err=True)
        raise typer.Exit(1) from None
    except (StateUnusable, StoreRefused) as error:
        typer.echo(f"elbd: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the API listens on.")] = 9876,
    data_dir: DataDir = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log a line per request (costs throughput).")] = False,
    ssl_certfile: Annotated[Optional[Path], typer.Option(help="Serve the API over TLS with this certificate (PEM).")] = None,
    ssl_keyfile: Annotated[Optional[Path], typer.Option(help="The certificate's private key (PEM).")] = None,
) -> None:
    """Start the API with its embedded data-plane agent."""
    from elbd.api.app import create_app
    from elbd.api.malformed_http import ElbHttpToolsProtocol

    with _refusals_as_messages():
        settings = replace(load_settings(data_dir), api_host=host, api_port=port)
        with serving(settings.data_dir):
            api = create_app(settings)
            freeze_startup_heap()
            uvicorn.run(
                api,
                host=host,
                port=port,
                http=ElbHttpToolsProtocol,
                log_level="info",
                access_log=access_log,
                ssl_certfile=ssl_certfile,
                ssl_keyfile=ssl_keyfile,
            )


@project_app.command("create")
def project_create(name: str, data_dir: DataDir = None) -> None:
    """Create a project with a user and an AK/SK pair; print them as one JSON object."""
    with _refusals_as_messages(), _writable_state(data_dir) as state:
        with state.db.write() as session:
            credentials = identity.create_project(session, name=name, secret_box=state.secret_box)
    typer.echo(json.dumps(credentials.__dict__))


@quota_app.command("set", context_settings={"ignore_unknown_options": True})
def quota_set(project_id: str, resource: str, limit: int, data_dir: DataDir = None) -> None:
    """Override one quota of a project (-1 means unlimited)."""
    with _refusals_as_messages(), _writable_state(data_dir) as state:
        with state.db.write() as session:
            quotas.set_override(session, project_id=project_id, resource=resource, limit=limit)
    typer.echo(json.dumps({"project_id": project_id, resource: limit}))


@dataplane_app.command("stop")
def dataplane_stop(data_dir: DataDir = None) -> None:
    """Stop every HAProxy and nginx (UDP listeners) of this data directory (they outlive `elbd serve` on purpose)."""
    from elbd.dataplane import nginx_engine
    from elbd.dataplane.haproxy_engine import stop_all

    with _refusals_as_messages():
        stopped = stop_all(load_settings(data_dir).data_dir)
        stopped_udp = nginx_engine.stop_all(load_settings(data_dir).data_dir)
    typer.echo(json.dumps({"stopped": stopped, "stopped_udp": stopped_udp}))


@db_app.command("backup")
def db_backup(file: Path, data_dir: DataDir = None) -> None:
    """Write a consistent copy of the database to FILE, also while `elbd serve` runs.

    The database only: keep a copy of the data directory's secret.key (it seals the AK/SK secret keys) apart from it.
    """
    with _refusals_as_messages():
        copied = backup.backup(load_settings(data_dir).database_url, file)
    typer.echo(json.dumps({"backup": str(copied.path), "schema_revision": copied.schema_revision, "bytes": copied.size}))


@db_app.command("restore")
def db_restore(file: Path, data_dir: DataDir = None) -> None:
    """Replace the database with the backup in FILE; refused while `elbd serve` uses the data directory."""
    with _refusals_as_messages():
        settings = load_settings(data_dir)
        copied = backup.restore(settings.database_url, file, settings.data_dir)
    typer.echo(json.dumps({"restored": str(copied.path), "schema_revision": copied.schema_revision, "bytes": copied.size}))
