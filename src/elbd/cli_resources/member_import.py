"""`elbd member import FILE --pool ID`: members from a CSV file (a header row naming the columns) or a
JSON list of objects, added with batch-add in chunks.

Resumable without duplicates: the pool's members are read first and a row whose address and port a
member already has is skipped, as is a row repeating an earlier one; batch-add is all or nothing per
chunk (and answers `existed` for a member already there), so after a failed chunk the rows before it
are in, none of it is, and running the same import again adds exactly what is missing."""

import csv
import io
import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elbd.cli_resources.client import ApiClient, ApiFailure

COLUMNS: dict[str, type] = {"address": str, "protocol_port": int, "weight": int, "name": str, "subnet_cidr_id": str, "availability_zone": str}
REQUIRED = ("address", "protocol_port")
DEFAULT_CHUNK = 50
MAX_CHUNK = 200  # batch-add's limit
MAX_PAGES = 10_000


class BadFile(ValueError):
    pass


@dataclass(frozen=True)
class Row:
    number: int  # the row's place in the file: its line in a CSV file (the header is line 1), its position (from 1) in a JSON list
    member: dict[str, Any]

    @property
    def key(self) -> tuple[str, int | str]:
        return member_key(self.member["address"], self.member["protocol_port"])


def member_key(address: Any, port: Any) -> tuple[str, int | str]:
    """Address and port as a member has them: an IP address in its canonical form."""
    try:
        address = str(ipaddress.ip_address(str(address)))
    except ValueError:
        address = str(address)
    return address, port


def read_rows(path: Path) -> list[Row]:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise BadFile(f"cannot read {path}: {error}") from None
    is_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and text.lstrip().startswith("["))
    return json_rows(text) if is_json else csv_rows(text)


def csv_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
    if unknown or not set(REQUIRED) <= set(reader.fieldnames or ()):
        raise BadFile(f"the header must name address and protocol_port, and may name {', '.join(COLUMNS)}" + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return [Row(reader.line_num, _member(values, reader.line_num)) for values in reader]


def json_rows(text: str) -> list[Row]:
    try:
        loaded = json.loads(text)
    except ValueError as error:
        raise BadFile(f"not JSON: {error}") from None
    if not isinstance(loaded, list) or not all(isinstance(item, dict) for item in loaded):
        raise BadFile("a JSON file holds a list of objects, one a member")
    return [Row(number, _member(item, number)) for number, item in enumerate(loaded, start=1)]


def _member(values: dict[str, Any], number: int) -> dict[str, Any]:
    unknown = sorted(set(values) - set(COLUMNS))
    if unknown:
        raise BadFile(f"row {number}: unknown field(s) {', '.join(map(str, unknown))}")
    missing = [name for name in REQUIRED if values.get(name) in (None, "")]
    if missing:
        raise BadFile(f"row {number}: no {', '.join(missing)}")
    return {name: _typed(COLUMNS[name], value) for name, value in values.items() if value not in (None, "")}


def _typed(kind: type, value: Any) -> Any:
    """A CSV cell as the API's type; a cell that is no number stays text, for the API to refuse with its message."""
    if kind is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def to_add(rows: Iterable[Row], existing: Iterable[tuple[str, int | str]]) -> tuple[list[Row], int]:
    """The rows still to add, and how many were skipped (already a member, or repeating an earlier row)."""
    seen = set(existing)
    wanted, skipped = [], 0
    for row in rows:
        if row.key in seen:
            skipped += 1
            continue
        seen.add(row.key)
        wanted.append(row)
    return wanted, skipped


def chunks(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int
    failed: str | None = None  # why the import stopped: the rows of the failed chunk and the API's message
    status: int = 0  # the failed chunk's HTTP status


def existing_members(client: ApiClient, pool_id: str) -> list[tuple[str, int | str]]:
    keys, marker = [], None
    for _ in range(MAX_PAGES):
        query = [("limit", str(MAX_CHUNK))] + ([("marker", marker)] if marker else [])
        page = client.elb("GET", f"pools/{pool_id}/members", query=query)
        members = page.get("members", [])
        keys += [member_key(member["address"], member["protocol_port"]) for member in members]
        marker = (page.get("page_info") or {}).get("next_marker")
        if not members or not marker:
            return keys
    raise ApiFailure(0, "", f"pool {pool_id} lists more than {MAX_PAGES} pages of members")


def run_import(client: ApiClient, pool_id: str, rows: list[Row], chunk_size: int, shown: Callable[[int, int], None]) -> ImportResult:
    """`shown(done, total)` after each chunk."""
    wanted, skipped = to_add(rows, existing_members(client, pool_id))
    added = 0
    shown(0, len(wanted))
    for chunk in chunks(wanted, chunk_size):
        try:
            client.elb("POST", f"pools/{pool_id}/members/batch-add", {"members": [row.member for row in chunk]})
        except ApiFailure as failure:
            where = f"rows {chunk[0].number}-{chunk[-1].number}" if len(chunk) > 1 else f"row {chunk[0].number}"
            return ImportResult(added, skipped, f"{where} not added ({_row_of(failure.message, chunk)}): {failure}", failure.status)
        added += len(chunk)
        shown(added, len(wanted))
    return ImportResult(added, skipped)


def _row_of(message: str, chunk: list[Row]) -> str:
    """The file row an error of batch-add names (`members[3]: ...`), when it names one."""
    if message.startswith("members["):
        index = message[len("members[") :].split("]", 1)[0]
        if index.isdigit() and int(index) < len(chunk):
            return f"the error is in row {chunk[int(index)].number}"
    return "the error names no row"
