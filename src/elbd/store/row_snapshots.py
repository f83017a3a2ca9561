"""Rows as JSON and back: what the recycle bin keeps of a deleted load balancer, and what a clone
copies under new ids. Every column of each row is kept, so a row put back is the row taken."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, inspect

from elbd.store.models import Base

Snapshot = list[dict[str, Any]]  # [{"table": name, "values": {column: JSON value}}], parents before children


def _models() -> dict[str, type[Base]]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def dump(rows: Iterable[Base]) -> Snapshot:
    return [{"table": row.__tablename__, "values": {column.name: _to_json(getattr(row, _attribute(row, column.name)), column.type) for column in row.__table__.columns}} for row in rows]


def load(snapshot: Snapshot) -> list[Base]:
    """New (transient) rows, in the snapshot's order."""
    models = _models()
    rows = []
    for entry in snapshot:
        model = models[entry["table"]]
        values = {
            _attribute_of(model, name): (datetime.fromisoformat(value) if value is not None and isinstance(model.__table__.c[name].type, DateTime) else value)
            for name, value in entry["values"].items()
        }
        rows.append(model(**values))
    return rows


def renamed(snapshot: Snapshot, new_ids: Mapping[str, str]) -> Snapshot:
    """The snapshot with each primary or foreign key in `new_ids` replaced: a copy under new ids that
    refers to the copies of what it names, and to the originals of what it does not (certificates)."""
    models = _models()
    changed = []
    for entry in snapshot:
        table = models[entry["table"]].__table__
        keys = {column.name for column in table.columns if column.primary_key or column.foreign_keys}
        values = {name: new_ids.get(value, value) if name in keys and isinstance(value, str) else value for name, value in entry["values"].items()}
        changed.append({"table": entry["table"], "values": values})
    return changed


def primary_ids(snapshot: Snapshot) -> list[str]:
    """The single-column string primary keys of the snapshot's rows (what a copy gives new ids)."""
    models = _models()
    found = []
    for entry in snapshot:
        key = inspect(models[entry["table"]]).primary_key
        if len(key) == 1 and isinstance(entry["values"][key[0].name], str):
            found.append(entry["values"][key[0].name])
    return found


def outside_references(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(table, id) of each row the snapshot's foreign keys name that is not in the snapshot itself."""
    models = _models()
    inside = {(entry["table"], value) for entry in snapshot for value in _primary_values(models[entry["table"]], entry["values"])}
    named: list[tuple[str, str]] = []
    for entry in snapshot:
        for column in models[entry["table"]].__table__.columns:
            value = entry["values"].get(column.name)
            for key in column.foreign_keys:
                target = (key.column.table.name, value)
                if value is not None and target not in inside and target not in named:
                    named.append(target)
    return named


def model_named(table: str) -> type[Base]:
    return _models()[table]


def _primary_values(model: type[Base], values: dict[str, Any]) -> list[Any]:
    key = inspect(model).primary_key
    return [values[key[0].name]] if len(key) == 1 else []


def _attribute(row: Base, column_name: str) -> str:
    return _attribute_of(type(row), column_name)


def _attribute_of(model: type[Base], column_name: str) -> str:
    """The mapped attribute of a column (they differ where a table kept an older column name)."""
    for attribute in model.__mapper__.column_attrs:
        if any(column.name == column_name for column in attribute.columns):
            return attribute.key
    raise KeyError(column_name)


def _to_json(value: Any, kind: Any) -> Any:
    if isinstance(kind, DateTime) and value is not None:
        return value.isoformat()
    return value
