"""Custom TLS security policies: a project's own choice of protocols and ciphers for its HTTPS and TLS
listeners. The names, and what a cipher serves, come from tls_policies.py."""

from collections.abc import Callable, Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.schemas import unserved
from elbd.schemas.security_policies import SecurityPolicyCreate, SecurityPolicyUpdate
from elbd.service import lookups, quotas
from elbd.service.child_ids import child_ids
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.db import mark_changed
from elbd.store.models import Listener, SecurityPolicy
from elbd.tls_policies import PROTOCOLS, missing_between, protocols_of

FILTER_COLUMNS = {"id": SecurityPolicy.id, "name": SecurityPolicy.name, "description": SecurityPolicy.description}
# A `protocols` filter value is one policy's protocols separated by spaces, as the API reference writes
# them; a `ciphers` value its ciphers separated by colons. A policy matches a value naming exactly its
# protocols (ciphers), in any order; several values (the SDK sends a list as several) match any of them.
LIST_FILTERS = {"protocols": " ", "ciphers": ":"}
DEFAULT_ENTERPRISE_PROJECT = "0"


def _check_names(protocols: list[str], ciphers: list[str]) -> None:
    """The API's rules on a policy's protocols and ciphers (each from its list, which the schema holds)."""
    for field, names in (("protocols", protocols), ("ciphers", ciphers)):
        repeated = [name for name in dict.fromkeys(names) if names.count(name) > 1]
        if repeated:
            raise invalid(f"Invalid input for '{field}': {', '.join(repeated)} is named more than once.")
    if gap := missing_between(protocols):
        ordered = sorted(protocols, key=PROTOCOLS.index)
        raise invalid(
            f"Invalid input for 'protocols': {', '.join(gap)} is missing between {ordered[0]} and {ordered[-1]}. "
            "A listener negotiates one range of TLS versions (OpenSSL takes no gap): add the missing ones or narrow the range."
        )
    if not any(set(protocols_of(cipher)) & set(protocols) for cipher in ciphers):
        raise invalid(
            f"Invalid input for 'ciphers': none of them serves {', '.join(protocols)}. TLS 1.3 suites (TLS_...) need "
            "TLSv1.3; the others need TLSv1.2 or older, and those with GCM, CHACHA20-POLY1305 or a SHA256/SHA384 MAC need TLSv1.2."
        )


def create_security_policy(session: Session, *, project_id: str, option: SecurityPolicyCreate) -> SecurityPolicy:
    if option.enterprise_project_id is not None and option.enterprise_project_id != DEFAULT_ENTERPRISE_PROJECT:
        raise invalid(f"Invalid input for 'enterprise_project_id': {option.enterprise_project_id!r} does not exist; elbd has one enterprise project, \"0\".")
    _check_names(list(option.protocols), list(option.ciphers))
    unserved.refuse(unserved.SECURITY_POLICIES, option.model_dump(exclude_unset=True))
    quotas.require_room(session, project_id, "security_policy")
    now = utcnow()
    policy = SecurityPolicy(
        id=new_id(),
        project_id=project_id,
        name=option.name or "",
        description=option.description or "",
        protocols=list(option.protocols),
        ciphers=list(option.ciphers),
        created_at=now,
        updated_at=now,
    )
    session.add(policy)
    session.flush()
    return policy


def list_security_policies(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[SecurityPolicy]:
    query: Select = select(SecurityPolicy).where(SecurityPolicy.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), SecurityPolicy, page, _by_names(filters))


def _by_names(filters: dict) -> Callable[[SecurityPolicy], bool] | None:
    """The protocols and ciphers filters, on the lists a policy stores."""
    wanted = {
        field: {frozenset(name for name in value.split(separator) if name) for value in filters[field]}
        for field, separator in LIST_FILTERS.items()
        if filters.get(field)
    }
    if not wanted:
        return None
    return lambda policy: all(frozenset(getattr(policy, field)) in sets for field, sets in wanted.items())


def update_security_policy(session: Session, *, project_id: str, policy_id: str, option: SecurityPolicyUpdate) -> SecurityPolicy:
    policy = lookups.security_policy(session, project_id, policy_id)
    protocols = list(option.protocols) if option.protocols is not None else policy.protocols
    ciphers = list(option.ciphers) if option.ciphers is not None else policy.ciphers
    _check_names(protocols, ciphers)
    unserved.refuse(unserved.SECURITY_POLICIES, option.model_dump(exclude_unset=True), stored=policy)
    if (protocols, ciphers) != (policy.protocols, policy.ciphers):
        policy.protocols, policy.ciphers = protocols, ciphers
        users = select(Listener.loadbalancer_id).where(Listener.security_policy_id == policy.id).distinct()
        for load_balancer_id in session.scalars(users):
            mark_changed(session, load_balancer_id)
    for name in ("name", "description"):
        value = getattr(option, name)
        if value is not None:
            setattr(policy, name, value)
    policy.updated_at = utcnow()
    return policy


def delete_security_policy(session: Session, *, project_id: str, policy_id: str) -> None:
    policy = lookups.security_policy(session, project_id, policy_id)
    users = listeners_using(session, [policy.id]).get(policy.id)
    if users:
        raise conflict(f"Security policy {policy.id} is in use by listener(s) {', '.join(users)}; give them another policy first.")
    session.delete(policy)


def listeners_using(session: Session, policy_ids: Iterable[str]) -> dict[str, list[str]]:
    """The ids of the listeners that use each policy, by policy id, oldest first."""
    return child_ids(session, Listener.security_policy_id, Listener.id, policy_ids)
