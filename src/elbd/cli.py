"""The elbd command: `serve`, `project create`, `quota set`, `dataplane stop`."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
import uvicorn

from elbd.config import load_settings
from elbd.errors import ElbError
from elbd.service import identity, quotas
from elbd.store.db import Database
from elbd.store.migrate import upgrade

app = typer.Typer(no_args_is_help=True, help="elbd: the ELB v3 API with a real data plane.")
project_app = typer.Typer(no_args_is_help=True, help="Projects and their credentials.")
quota_app = typer.Typer(no_args_is_help=True, help="Per-project quota overrides.")
dataplane_app = typer.Typer(no_args_is_help=True, help="The HAProxy processes serving the load balancers.")
app.add_typer(project_app, name="project")
app.add_typer(quota_app, name="quota")
app.add_typer(dataplane_app, name="dataplane")

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="State directory (default ./elbd-data).")]


def _open_database(data_dir: Path | None) -> Database:
    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade(settings.database_url)
    return Database(settings.database_url)


@contextmanager
def _refusals_as_messages() -> Iterator[None]:
    """A refused command prints its reason on stderr and exits 1: no traceback for a user's mistake."""
    try:
        yield
    except ElbError as error:
        typer.echo(f"elbd: {error.message}", err=True)
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the API listens on.")] = 9876,
    data_dir: DataDir = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log a line per request (costs throughput).")] = False,
) -> None:
    """Start the API with its embedded data-plane agent."""
    from elbd.api.app import create_app

    uvicorn.run(create_app(load_settings(data_dir)), host=host, port=port, log_level="info", access_log=access_log)


@project_app.command("create")
def project_create(name: str, data_dir: DataDir = None) -> None:
    """Create a project with a user and an AK/SK pair; print them as one JSON object."""
    db = _open_database(data_dir)
    with _refusals_as_messages(), db.write() as session:
        credentials = identity.create_project(session, name=name)
    typer.echo(json.dumps(credentials.__dict__))


@quota_app.command("set", context_settings={"ignore_unknown_options": True})
def quota_set(project_id: str, resource: str, limit: int, data_dir: DataDir = None) -> None:
    """Override one quota of a project (-1 means unlimited)."""
    db = _open_database(data_dir)
    with _refusals_as_messages(), db.write() as session:
        quotas.set_override(session, project_id=project_id, resource=resource, limit=limit)
    typer.echo(json.dumps({"project_id": project_id, resource: limit}))


@dataplane_app.command("stop")
def dataplane_stop(data_dir: DataDir = None) -> None:
    """Stop every HAProxy of this data directory (they outlive `elbd serve` on purpose)."""
    from elbd.dataplane.agent import stop_all

    stopped = stop_all(load_settings(data_dir).data_dir)
    typer.echo(json.dumps({"stopped": stopped}))
