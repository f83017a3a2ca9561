"""Batch deletes of listeners, load balancers and backend server groups: one transaction each, so
one item refused (409, or another project's or an unknown listener or load balancer: 404) deletes
none. Each item goes through its resource's own delete, so its rules hold. Listeners and load
balancers are deleted as a job (the reference's answer names one); pools answer each id's fate."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from elbd.errors import invalid
from elbd.service import cascades, jobs, listeners, lookups, pools
from elbd.store.models import Job, Pool


def _distinct(ids: Sequence[str], field: str) -> None:
    repeated = sorted({one for one in ids if ids.count(one) > 1})
    if repeated:
        raise invalid(f"Invalid input for '{field}': {repeated[0]} is named more than once.")


def delete_listeners(session: Session, *, project_id: str, listener_ids: Sequence[str]) -> Job:
    _distinct(listener_ids, "listener_ids")
    for listener_id in listener_ids:
        lookups.listener(session, project_id, listener_id)
    for listener_id in listener_ids:
        listeners.delete_listener(session, project_id=project_id, listener_id=listener_id)
    return jobs.record(session, project_id=project_id, job_type="batchDeleteListener", resource_type="listener", resource_ids=listener_ids)


def delete_load_balancers(session: Session, *, project_id: str, load_balancer_ids: Sequence[str], delete_pools: bool) -> Job:
    """Each as its cascade delete."""
    _distinct(load_balancer_ids, "loadbalancer_ids")
    for load_balancer_id in load_balancer_ids:
        lookups.load_balancer(session, project_id, load_balancer_id)
    for load_balancer_id in load_balancer_ids:
        cascades.delete_load_balancer_cascade(session, project_id=project_id, load_balancer_id=load_balancer_id, delete_pools=delete_pools)
    return jobs.record(
        session, project_id=project_id, job_type="batchDeleteLoadbalancer", resource_type="loadbalancer", resource_ids=load_balancer_ids
    )


def delete_pools(session: Session, *, project_id: str, pool_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(id, "successful" | "not found") per id; another project's is "not found", as a missing one."""
    _distinct(pool_ids, "pools")
    outcomes = []
    for pool_id in pool_ids:
        found = session.get(Pool, pool_id)
        if found is None or found.project_id != project_id:
            outcomes.append((pool_id, "not found"))
            continue
        pools.delete_pool(session, project_id=project_id, pool_id=pool_id)
        outcomes.append((pool_id, "successful"))
    return outcomes
