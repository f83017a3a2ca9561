"""Health monitors: one per pool, its type fitting the pool's protocol, and what it expects back."""

import re

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.schemas import unserved
from elbd.schemas.healthmonitors import HealthMonitorCreate, HealthMonitorUpdate
from elbd.service import lookups, master_slave_rules, quotas
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.service.protocols import MONITOR_TYPES_FOR_POOL
from elbd.store.db import mark_changed
from elbd.store.models import HealthMonitor, Member, Pool

MAX_EXPECTED_ITEMS = 5
_CODE = re.compile(r"[0-9]{1,3}")  # ASCII digits only: \d also matches ２００
FILTER_COLUMNS = {
    "id": HealthMonitor.id,
    "name": HealthMonitor.name,
    "type": HealthMonitor.type,
    "delay": HealthMonitor.delay,
    "timeout": HealthMonitor.timeout,
    "max_retries": HealthMonitor.max_retries,
    "max_retries_down": HealthMonitor.max_retries_down,
    "monitor_port": HealthMonitor.monitor_port,
    "domain_name": HealthMonitor.domain_name,
    "expected_codes": HealthMonitor.expected_codes,
    "url_path": HealthMonitor.url_path,
    "http_method": HealthMonitor.http_method,
    "admin_state_up": HealthMonitor.admin_state_up,
}


def normalize_expected_codes(value: str, monitor_type: str) -> str:
    """A code, a list of up to five codes, or up to five ranges (`200-204,300-399`); 200-599, GRPC 0-99."""
    low, high = (0, 99) if monitor_type == "GRPC" else (200, 599)
    items = [item.strip(" ") for item in value.split(",")]
    if len(items) > MAX_EXPECTED_ITEMS:
        raise invalid(f"Invalid input for 'expected_codes': at most {MAX_EXPECTED_ITEMS} codes or ranges.")
    for item in items:
        bounds = [part.strip(" ") for part in item.split("-")] if "-" in item else [item]
        if len(bounds) > 2 or not all(_CODE.fullmatch(bound) for bound in bounds):
            raise invalid(f"Invalid input for 'expected_codes': {item!r} is neither a code nor a range of codes.")
        numbers = [int(bound) for bound in bounds]
        if not all(low <= number <= high for number in numbers):
            raise invalid(f"Invalid input for 'expected_codes': a {monitor_type} check expects codes from {low} to {high}.")
        if numbers[0] > numbers[-1]:
            raise invalid(f"Invalid input for 'expected_codes': the range {item!r} runs backwards.")
    return ",".join("-".join(part.strip(" ") for part in item.split("-")) for item in items)


def _check_type(pool: Pool, monitor_type: str) -> None:
    allowed = MONITOR_TYPES_FOR_POOL[pool.protocol]
    if monitor_type not in allowed:
        raise invalid(f"Invalid input for 'type': a {pool.protocol} backend server group is checked by {', '.join(allowed)}.")


def _forget_health(session: Session, pool_id: str) -> None:
    """Results of an earlier check no longer hold: members go back to INITIAL (or NO_MONITOR)."""
    session.execute(
        update(Member)
        .where(Member.pool_id == pool_id)
        .values(health_status=None, reason_code=None, expected_response=None, healthcheck_response=None, health_changed_at=None)
    )


def create_health_monitor(session: Session, *, project_id: str, option: HealthMonitorCreate) -> HealthMonitor:
    pool = lookups.pool(session, project_id, option.pool_id)
    _check_type(pool, option.type)
    if session.scalars(select(HealthMonitor.id).where(HealthMonitor.pool_id == pool.id)).first():
        raise conflict(f"Backend server group {pool.id} already has a health check.")
    if pool.any_port_enable and option.monitor_port is None:
        raise invalid("Invalid input for 'monitor_port': a backend server group forwarding all ports needs it.")
    if option.domain_name == "":
        raise invalid("Invalid input for 'domain_name': it must not be empty.")
    expected_codes = normalize_expected_codes(option.expected_codes or ("0" if option.type == "GRPC" else "200"), option.type)
    unserved.refuse(unserved.HEALTH_MONITORS, option.model_dump(exclude_unset=True))
    quotas.require_room(session, project_id, "healthmonitor")
    now = utcnow()
    monitor = HealthMonitor(
        id=new_id(),
        project_id=project_id,
        pool_id=pool.id,
        name=option.name or "",
        type=option.type,
        delay=option.delay,
        timeout=option.timeout,
        max_retries=option.max_retries,
        max_retries_down=option.max_retries_down or 3,
        monitor_port=option.monitor_port,
        url_path=option.url_path or "/",
        http_method=option.http_method or "GET",
        domain_name=option.domain_name,
        expected_codes=expected_codes,
        admin_state_up=option.admin_state_up is not False,
        created_at=now,
        updated_at=now,
    )
    session.add(monitor)
    _forget_health(session, pool.id)
    session.flush()
    mark_changed(session, pool.loadbalancer_id)
    return monitor


def list_health_monitors(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[HealthMonitor]:
    query: Select = select(HealthMonitor).where(HealthMonitor.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), HealthMonitor, page)


def update_health_monitor(session: Session, *, project_id: str, monitor_id: str, option: HealthMonitorUpdate) -> HealthMonitor:
    monitor = lookups.health_monitor(session, project_id, monitor_id)
    pool = lookups.pool(session, project_id, monitor.pool_id)
    master_slave_rules.refuse_change(pool.id, pool.master_slave, "health check")
    changes = {name: value for name, value in option.model_dump(exclude_unset=True).items() if value is not None}
    if option.domain_name == "":
        raise invalid("Invalid input for 'domain_name': it must not be empty (send null to clear it).")
    if "domain_name" in option.model_fields_set and option.domain_name is None:
        monitor.domain_name = None
    if "monitor_port" in option.model_fields_set and option.monitor_port is None:
        if pool.any_port_enable:
            raise invalid("Invalid input for 'monitor_port': a backend server group forwarding all ports needs it.")
        monitor.monitor_port = None
    monitor_type = changes.get("type", monitor.type)
    _check_type(pool, monitor_type)
    if "expected_codes" in changes or "type" in changes:
        changes["expected_codes"] = normalize_expected_codes(changes.get("expected_codes", monitor.expected_codes), monitor_type)
    unserved.refuse(unserved.HEALTH_MONITORS, changes, stored=monitor)
    if changes.get("admin_state_up", monitor.admin_state_up) != monitor.admin_state_up or changes.get("type", monitor.type) != monitor.type:
        _forget_health(session, pool.id)
    for name, value in changes.items():
        setattr(monitor, name, value)
    monitor.updated_at = utcnow()
    mark_changed(session, pool.loadbalancer_id)
    return monitor


def delete_health_monitor(session: Session, *, project_id: str, monitor_id: str) -> None:
    monitor = lookups.health_monitor(session, project_id, monitor_id)
    pool = lookups.pool(session, project_id, monitor.pool_id)
    master_slave_rules.refuse_change(pool.id, pool.master_slave, "health check")
    _forget_health(session, pool.id)
    session.delete(monitor)
    mark_changed(session, pool.loadbalancer_id)
