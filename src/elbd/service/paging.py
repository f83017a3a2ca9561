"""Marker paging in a stable order (creation time, then id), as every ELB list call pages."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from elbd.errors import invalid

T = TypeVar("T")
MAX_LIMIT = 2000


@dataclass(frozen=True)
class PageRequest:
    marker: str | None = None
    limit: int = MAX_LIMIT
    page_reverse: bool = False


@dataclass
class Page(Generic[T]):
    items: list[T]
    previous_marker: str | None = None  # the first item's id; None on an empty page
    next_marker: str | None = None  # the last item's id, when a page may follow it (always when paging back)


def apply_filters(query: Select, columns: dict[str, Any], filters: dict[str, Any]) -> Select:
    """A list value matches any of its values; a scalar matches itself."""
    for name, wanted in filters.items():
        if name not in columns or wanted is None:
            continue
        column = columns[name]
        query = query.where(column.in_(wanted)) if isinstance(wanted, list) else query.where(column == wanted)
    return query


def paginate(
    session: Session,
    query: Select,
    model: Any,
    page: PageRequest,
    keep: Callable[[T], bool] | None = None,
) -> Page[T]:
    """One page of `query`; `keep` filters on derived values, and the page still fills up to `limit`."""
    created, ident = model.created_at, model.id
    if page.marker is not None:
        anchor = session.execute(query.with_only_columns(created, ident).where(ident == page.marker)).first()
        if anchor is None:
            raise invalid(f"Invalid input for 'marker': {page.marker} is not the id of a listed record.")
        if page.page_reverse:
            query = query.where(or_(created < anchor[0], and_(created == anchor[0], ident < anchor[1])))
        else:
            query = query.where(or_(created > anchor[0], and_(created == anchor[0], ident > anchor[1])))
    order = (created.desc(), ident.desc()) if page.page_reverse else (created.asc(), ident.asc())
    query = query.order_by(*order)
    items, more = _collect(session, query, page.limit, keep)
    if page.page_reverse:
        items.reverse()
    if not items:
        return Page(items)
    return Page(items, items[0].id, items[-1].id if more or page.page_reverse else None)


def _collect(session: Session, query: Select, limit: int, keep: Callable[[Any], bool] | None) -> tuple[list[Any], bool]:
    if keep is None:
        rows = list(session.scalars(query.limit(limit + 1)))
        return rows[:limit], len(rows) > limit
    chunk = max(limit + 1, 200)
    kept: list[Any] = []
    offset = 0
    while len(kept) <= limit:
        rows = list(session.scalars(query.offset(offset).limit(chunk)))
        kept.extend(row for row in rows if keep(row))
        if len(rows) < chunk:
            break
        offset += chunk
    return kept[:limit], len(kept) > limit
