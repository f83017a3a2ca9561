"""The resource commands: `elbd <kind> list|show|create|update|delete`, for each kind of kinds.py,
`elbd lb status ID` and `elbd member import FILE`. Each reads the connection (connection.py), calls the
API (client.py) and prints a table, or JSON with --json; failures print `elbd: <the API's message>` on
stderr and exit with the code of exit_codes.py."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from elbd.cli_resources import exit_codes, output
from elbd.cli_resources.client import ApiClient, ApiFailure
from elbd.cli_resources.connection import ConnectionUnusable, config_path, connection_from, read_config
from elbd.cli_resources.fields import BadField, body_of, filters_of
from elbd.cli_resources.kinds import KINDS, Kind
from elbd.cli_resources.member_import import DEFAULT_CHUNK, MAX_CHUNK, BadFile, read_rows, run_import
from elbd.cli_resources.progress import Progress
from elbd.cli_resources.status_tree import tree_lines

PAGE = 200
MAX_PAGES = 10_000
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]
ConfigFile = Annotated[
    Optional[Path], typer.Option("--config", help="Credentials file (the JSON `elbd project create` prints, optionally with `url`).")
]
Fields = Annotated[Optional[list[str]], typer.Argument(help="FIELD=VALUE ... (a VALUE that reads as JSON is JSON: 80, true, [\"a\"]).")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"elbd: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def _answered() -> Iterator[None]:
    """Refusals and failures as a message on stderr and an exit code a script can test."""
    try:
        yield
    except ApiFailure as failure:
        raise _fail(str(failure), exit_codes.for_status(failure.status) if failure.status else exit_codes.UNAVAILABLE) from None
    except ConnectionUnusable as error:
        raise _fail(str(error), exit_codes.FAILED) from None
    except (BadField, BadFile) as error:
        raise _fail(str(error), exit_codes.USAGE) from None


def _client(config: Path | None) -> ApiClient:
    return ApiClient(connection_from(read_config(config_path(config, os.environ)), os.environ))


def _parent_id(kind: Kind, parent: str | None) -> str | None:
    if kind.parent and not parent:
        raise _fail(f"{kind.command} needs --{kind.parent} ID", exit_codes.USAGE)
    return parent


def list_all(client: ApiClient, kind: Kind, parent: str | None, filters: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Every page of the list."""
    found: list[dict[str, Any]] = []
    marker = None
    for _ in range(MAX_PAGES):
        query = [*filters, ("limit", str(PAGE)), *([("marker", marker)] if marker else [])]
        page = client.elb("GET", kind.path(parent), query=query)
        items = page.get(kind.many, [])
        found += items
        marker = (page.get("page_info") or {}).get("next_marker")
        if not items or not marker:
            return found
    raise ApiFailure(0, "", f"more than {MAX_PAGES} pages of {kind.title}")


def _resource_app(kind: Kind) -> typer.Typer:
    commands = typer.Typer(no_args_is_help=True, help=f"The {kind.title} of a running elbd, over its API.")
    Parent = Annotated[
        Optional[str], typer.Option(f"--{kind.parent or 'parent'}", help=f"The {kind.parent}'s id.", hidden=kind.parent is None)
    ]

    @commands.command("list")
    def list_(
        filter_: Annotated[Optional[list[str]], typer.Option("--filter", help="FIELD=VALUE, as the API's list filters (repeatable).")] = None,
        parent: Parent = None, as_json: AsJson = False, config: ConfigFile = None,
    ) -> None:
        """List them (every page)."""
        with _answered():
            items = list_all(_client(config), kind, _parent_id(kind, parent), filters_of(filter_ or []))
        typer.echo(output.as_json(items) if as_json else output.table(kind.columns, items))

    @commands.command()
    def show(resource_id: str, parent: Parent = None, as_json: AsJson = False, config: ConfigFile = None) -> None:
        """Show one."""
        with _answered():
            found = _client(config).elb("GET", kind.path(_parent_id(kind, parent), resource_id))[kind.one]
        typer.echo(output.as_json(found) if as_json else output.fields(found))

    @commands.command()
    def create(fields: Fields = None, parent: Parent = None, as_json: AsJson = False, config: ConfigFile = None) -> None:
        """Create one from FIELD=VALUE arguments (the API's create fields)."""
        with _answered():
            made = _client(config).elb("POST", kind.path(_parent_id(kind, parent)), {kind.one: body_of(fields or [])})[kind.one]
        typer.echo(output.as_json(made) if as_json else output.fields(made))

    @commands.command()
    def update(resource_id: str, fields: Fields = None, parent: Parent = None, as_json: AsJson = False, config: ConfigFile = None) -> None:
        """Change one with FIELD=VALUE arguments (the API's update fields)."""
        with _answered():
            changed = _client(config).elb("PUT", kind.path(_parent_id(kind, parent), resource_id), {kind.one: body_of(fields or [])})[kind.one]
        typer.echo(output.as_json(changed) if as_json else output.fields(changed))

    @commands.command()
    def delete(resource_id: str, parent: Parent = None, as_json: AsJson = False, config: ConfigFile = None) -> None:
        """Delete one."""
        with _answered():
            _client(config).elb("DELETE", kind.path(_parent_id(kind, parent), resource_id))
        typer.echo(output.as_json({"id": resource_id, "deleted": True}) if as_json else f"deleted {resource_id}")

    return commands


def _lb_status(app: typer.Typer) -> None:
    @app.command("status")
    def status(loadbalancer_id: str, as_json: AsJson = False, config: ConfigFile = None) -> None:
        """The load balancer's status tree: listeners, pools, health monitors and members, with each member's reason."""
        with _answered():
            statuses = _client(config).elb("GET", f"loadbalancers/{loadbalancer_id}/statuses")["statuses"]
        typer.echo(output.as_json(statuses) if as_json else "\n".join(tree_lines(statuses)))


def _member_import(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        file: Annotated[Path, typer.Argument(help="A CSV file with a header row (address,protocol_port[,weight,name,subnet_cidr_id,availability_zone]) or a JSON list of objects.")],
        pool: Annotated[str, typer.Option("--pool", help="The pool's id.")],
        chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, max=MAX_CHUNK, help="Members per batch-add.")] = DEFAULT_CHUNK,
        as_json: AsJson = False, config: ConfigFile = None,
    ) -> None:
        """Add the file's members to the pool in chunks, with a progress bar on stderr. Rows whose address and
        port the pool already has are skipped: after a failure, fix the file and run it again."""
        with _answered():
            rows = read_rows(file)
            client = _client(config)
            progress: Progress | None = None

            def shown(done: int, total: int) -> None:
                nonlocal progress
                progress = progress or Progress(sys.stderr, total, "members")
                progress.show(done)

            result = run_import(client, pool, rows, chunk_size, shown)
            if progress is not None:
                progress.close()
        summary = {"added": result.added, "skipped": result.skipped, "failed": result.failed}
        typer.echo(output.as_json(summary) if as_json else f"added {result.added}, skipped {result.skipped} (already in the pool)")
        if result.failed:
            raise _fail(f"{result.failed}; the rows before it are in: run the same import again to resume", exit_codes.PARTIAL)


def install(app: typer.Typer) -> None:
    """Adds the resource commands to the `elbd` command."""
    for kind in KINDS:
        commands = _resource_app(kind)
        if kind.command == "lb":
            _lb_status(commands)
        if kind.command == "member":
            _member_import(commands)
        app.add_typer(commands, name=kind.command, help=f"The {kind.title} of a running elbd, over its API.")
