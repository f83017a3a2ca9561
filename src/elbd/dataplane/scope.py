"""Which load balancers a reconciler serves, and for which it may write status and health.

`elbd serve`'s embedded agent serves every stored load balancer (Everything). An `elbd agent --node`
serves those it holds a lease on, and writes for one only while the database still says it holds it
at the epoch it knows (cluster/node_agent.py's LeasedScope): a write under a stale epoch is refused.
"""

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.orm import Session


class Scope(Protocol):
    def holds(self, load_balancer_id: str) -> bool:
        """Whether this process serves the load balancer now."""
        ...

    def allowed(self, session: Session, load_balancer_ids: Iterable[str]) -> set[str]:
        """Those of these load balancers this process may write for in this (write) transaction."""
        ...


class Everything:
    """The single node: every load balancer, always."""

    def holds(self, load_balancer_id: str) -> bool:
        return True

    def allowed(self, session: Session, load_balancer_ids: Iterable[str]) -> set[str]:
        return set(load_balancer_ids)
