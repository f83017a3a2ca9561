"""The ids of rows that name another row (a load balancer's listeners, a pool's members), by the id they name."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session


def child_ids(
    session: Session, owner: InstrumentedAttribute[Any], child: InstrumentedAttribute[str], owner_ids: Iterable[str]
) -> dict[str, list[str]]:
    """`child` ids by `owner` id (two columns of one table), in the child rows' creation order."""
    found: dict[str, list[str]] = {}
    query = select(owner, child).where(owner.in_(list(owner_ids))).order_by(child.class_.created_at, child)
    for owner_id, child_id in session.execute(query):
        found.setdefault(owner_id, []).append(child_id)
    return found
