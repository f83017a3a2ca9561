"""Active/standby (master-slave) backend server groups: a pool flagged `master_slave` whose two members
carry a role, made in one transaction by the pool's, the health check's and the members' own rules
(service/pools.py, healthmonitors.py, members.py), plus the few of its own (master_slave_rules.py)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.errors import ElbError, not_found
from elbd.schemas import unserved
from elbd.schemas.healthmonitors import HealthMonitorCreate
from elbd.schemas.master_slave_pools import MasterSlavePoolCreate
from elbd.schemas.members import MemberCreate
from elbd.schemas.pools import PoolCreate
from elbd.service import cascades, healthmonitors, lookups, master_slave_rules, member_status, members, pools
from elbd.service.address_ranges import Host
from elbd.service.member_status import HealthFacts
from elbd.service.paging import Page, PageRequest
from elbd.store.models import HealthMonitor, Member, Pool

DEFAULT_ENTERPRISE_PROJECT = "0"
PUBLIC_BORDER_GROUP = "center"


def create_master_slave_pool(session: Session, *, project_id: str, option: MasterSlavePoolCreate, host: Host) -> Pool:
    master_slave_rules.check_roles([member.role for member in option.members])
    unserved.refuse(unserved.MASTER_SLAVE_POOLS, option.model_dump(exclude_unset=True))
    settings = PoolCreate.model_validate(option.model_dump(exclude_unset=True, exclude={"members", "healthmonitor"}))
    pool = pools.create_pool(session, project_id=project_id, option=settings)
    check = HealthMonitorCreate.model_validate({**option.healthmonitor.model_dump(exclude_unset=True), "pool_id": pool.id})
    healthmonitors.create_health_monitor(session, project_id=project_id, option=check)
    for index, spec in enumerate(option.members):
        member = MemberCreate.model_validate(spec.model_dump(exclude_unset=True, exclude={"role"}))
        try:
            members.create_member(session, project_id=project_id, pool_id=pool.id, option=member, host=host, role=spec.role)
        except ElbError as error:
            raise ElbError(error.status, error.code, f"members[{index}]: {error.message}") from None
    pool.master_slave = True  # from here on, its members and check are fixed
    session.flush()
    session.refresh(pool)  # a member may have set its vpc_id
    return pool


def master_slave_pool(session: Session, project_id: str, pool_id: str) -> Pool:
    """The project's active/standby group of that id; any other pool is not one (404)."""
    pool = lookups.pool(session, project_id, pool_id)
    if not pool.master_slave:
        raise not_found("master-slave pool", pool_id)
    return pool


def list_master_slave_pools(session: Session, *, project_id: str, filters: dict[str, Any], page: PageRequest) -> Page[Pool]:
    """The reference's filters: the pools' own (service/pools.py) and those every group here answers the
    same (enterprise project "0", border group "center"); member_device_id is the member's instance."""
    own = dict(filters)
    if own.get("member_device_id"):
        own["member_instance_id"] = [*own.get("member_instance_id", []), *own.pop("member_device_id")]
    fixed = {"enterprise_project_id": DEFAULT_ENTERPRISE_PROJECT, "public_border_group": PUBLIC_BORDER_GROUP}
    if any(own.get(name) and value not in own[name] for name, value in fixed.items()):
        return Page([])
    draining = own.pop("connection_drain", None)
    keep = None if draining is None else (lambda pool: bool(pool.connection_drain.get("enable")) == draining)
    return pools.list_pools(session, project_id=project_id, filters=own, page=page, master_slave=True, keep=keep)


def delete_master_slave_pool(session: Session, *, project_id: str, pool_id: str) -> None:
    """The group with its members and check, as a pool's delete-cascade."""
    master_slave_pool(session, project_id, pool_id)
    cascades.delete_pool_cascade(session, project_id=project_id, pool_id=pool_id)


@dataclass(frozen=True)
class Parts:
    """What the answers of some groups show beyond their rows, by pool id."""

    related: pools.Related
    members: dict[str, list[Member]]
    monitors: dict[str, HealthMonitor]
    facts: HealthFacts


def parts(session: Session, project_id: str, pool_ids: list[str]) -> Parts:
    found: dict[str, list[Member]] = {pool_id: [] for pool_id in pool_ids}
    for member in session.scalars(select(Member).where(Member.pool_id.in_(pool_ids)).order_by(Member.created_at, Member.id)):
        found[member.pool_id].append(member)
    monitors = {monitor.pool_id: monitor for monitor in session.scalars(select(HealthMonitor).where(HealthMonitor.pool_id.in_(pool_ids)))}
    listed = [member for group in found.values() for member in group]
    return Parts(pools.related(session, pool_ids), found, monitors, member_status.gather(session, project_id, pool_ids, listed))
