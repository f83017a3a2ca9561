"""Quotas: Huawei's defaults, overridable per project by the operator; -1 means unlimited."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, bindparam, func, select
from sqlalchemy.orm import Session

from elbd.errors import invalid, not_found, quota_exceeded
from elbd.l7_limits import MAX_POOLS, MAX_RULES
from elbd.store.db import transaction_memo
from elbd.store.models import Certificate, HealthMonitor, IpGroup, L7Policy, Listener, LoadBalancer, Member, Pool, Project, QuotaOverride, SecurityPolicy

DEFAULTS: dict[str, int] = {
    "loadbalancer": 50,
    "listener": 100,
    "pool": 500,
    "healthmonitor": -1,
    "member": 500,
    "members_per_pool": 500,
    "listeners_per_loadbalancer": 50,
    "l7policy": 500,
    "certificate": 120,
    "ipgroup": 50,
    "ipgroup_max_length": 300,  # entries per IP address group
    "ipgroup_bindings": 50,  # listeners per IP address group
    "security_policy": 500,
}

# What the quota answer shows beside the limits above and no operator sets: the limits elbd's rules
# fix, and -1 where elbd sets none.
FIXED: dict[str, int] = {
    "condition_per_policy": MAX_RULES,  # rules of a forwarding policy, each condition counted
    "pools_per_l7policy": MAX_POOLS,  # redirect_pools_config
    "listeners_per_pool": -1,
    "ipgroups_per_listener": -1,
    "l7policies_per_listener": -1,
}

COUNTED: dict[str, Any] = {
    "loadbalancer": LoadBalancer,
    "listener": Listener,
    "pool": Pool,
    "healthmonitor": HealthMonitor,
    "member": Member,
    "security_policy": SecurityPolicy,
    "certificate": Certificate,
    "l7policy": L7Policy,
    "ipgroup": IpGroup,
}


_OVERRIDES = select(QuotaOverride.resource, QuotaOverride.limit).where(QuotaOverride.project_id == bindparam("project_id"))


def limits(session: Session, project_id: str) -> dict[str, int]:
    """The project's limits, looked up once per transaction."""
    memo = transaction_memo(session)
    known = memo.get(("limits", project_id))
    if known is None:
        known = memo[("limits", project_id)] = dict(DEFAULTS)
        known.update((resource, limit) for resource, limit in session.connection().execute(_OVERRIDES, {"project_id": project_id}))
    return dict(known)


def override_column(resource: str, project_id: Any) -> ScalarSelect[int]:
    """The project's override of `resource` (NULL: none) as a column of a statement that reads more
    (`project_id`: the column or value naming the project); limit_given makes it the limit."""
    return (
        select(QuotaOverride.limit).where(QuotaOverride.project_id == project_id, QuotaOverride.resource == resource).scalar_subquery()
    )


def limit_given(resource: str, override: int | None) -> int:
    """The limit of `resource` for a project with this override (None: none, the default holds)."""
    return DEFAULTS[resource] if override is None else override


def limit_of(session: Session, project_id: str, resource: str) -> int:
    override = session.get(QuotaOverride, (project_id, resource))
    return limit_given(resource, override.limit if override else None)


def require_within(limit: int, used_now: int, adding: int, resource: str) -> None:
    if 0 <= limit < used_now + adding:
        raise quota_exceeded(resource)


def used(session: Session, project_id: str, resource: str) -> int:
    model = COUNTED[resource]
    return session.scalar(select(func.count()).select_from(model).where(model.project_id == project_id)) or 0


@dataclass(frozen=True)
class Usage:
    resource: str
    limit: int
    used: int


def usage(session: Session, project_id: str, resources: list[str]) -> list[Usage]:
    """The project's limit and use of each counted resource of `resources` (of every one when empty)."""
    return [
        Usage(resource, limit, used(session, project_id, resource))
        for resource, limit in limits(session, project_id).items()
        if resource in COUNTED and (not resources or resource in resources)
    ]


def require_room(session: Session, project_id: str, resource: str, adding: int = 1, used_now: int | None = None) -> None:
    """Refuse with ELB.8905 when `adding` more of `resource` would pass the limit."""
    limit = limit_of(session, project_id, resource)
    if limit < 0:
        return
    require_within(limit, used(session, project_id, resource) if used_now is None else used_now, adding, resource)


def set_override(session: Session, *, project_id: str, resource: str, limit: int) -> None:
    if resource in FIXED:
        raise invalid(f"Quota {resource!r} is not set per project: elbd's rules fix it at {FIXED[resource]}.")
    if resource not in DEFAULTS:
        raise invalid(f"Unknown quota {resource!r}; known: {', '.join(sorted(DEFAULTS))}.")
    if limit < -1:
        raise invalid("A quota is -1 (unlimited) or a count of 0 or more.")
    if session.get(Project, project_id) is None:
        raise not_found("project", project_id)
    session.merge(QuotaOverride(project_id=project_id, resource=resource, limit=limit))
