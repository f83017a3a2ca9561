"""Query strings of list calls: paging plus each resource's filters, declared so OpenAPI shows them."""

from collections.abc import Callable
from dataclasses import dataclass
from inspect import Parameter, Signature
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import Field

from elbd.errors import invalid
from elbd.service.paging import MAX_LIMIT, PageRequest


@dataclass(frozen=True)
class ListQuery:
    page: PageRequest
    filters: dict[str, Any]


PAGING = {"marker", "limit", "page_reverse"}
ColumnInt = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


def list_query(filters: dict[str, Any]) -> Callable[..., ListQuery]:
    """A dependency reading paging and `filters` (name -> `list[T]` for repeatable keys, or a scalar type).

    Any other query key is refused: a filter elbd does not know must not silently list everything.
    """
    allowed = PAGING | set(filters)

    def dependency(request: Request, **values: Any) -> ListQuery:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise invalid(f"Unsupported query parameter(s): {', '.join(unknown)}.")
        limit = values.pop("limit")
        marker = values.pop("marker")
        reverse = values.pop("page_reverse")
        if limit is None:
            # elb-v3-api.md 4.3: marker and page_reverse are ignored unless limit is present
            page = PageRequest()
        else:
            if marker is not None and not marker.strip():
                raise invalid("Invalid input for 'marker': it must not be blank.")
            page = PageRequest(marker=marker, limit=limit or MAX_LIMIT, page_reverse=bool(reverse))
        return ListQuery(page, {name: value for name, value in values.items() if value is not None})

    # Absent keys read as None, but the annotations say no `| None`: a query string has no null, and
    # OpenAPI would otherwise offer one.
    parameters = [
        Parameter("request", Parameter.KEYWORD_ONLY, annotation=Request),
        Parameter("marker", Parameter.KEYWORD_ONLY, annotation=str, default=Query(None, max_length=36)),
        Parameter("limit", Parameter.KEYWORD_ONLY, annotation=int, default=Query(None, ge=0, le=MAX_LIMIT)),
        Parameter("page_reverse", Parameter.KEYWORD_ONLY, annotation=bool, default=Query(None)),
    ]
    parameters += [
        Parameter(name, Parameter.KEYWORD_ONLY, annotation=_within_columns(kind), default=Query(None)) for name, kind in filters.items()
    ]
    dependency.__signature__ = Signature(parameters)  # type: ignore[attr-defined]
    return dependency


def _within_columns(kind: Any) -> Any:
    """Integer filters bounded as the integer columns are (32-bit in PostgreSQL): a value outside could
    match nothing, and the database would fail on it rather than answer."""
    if kind is int:
        return ColumnInt
    if kind == list[int]:
        return list[ColumnInt]
    return kind
