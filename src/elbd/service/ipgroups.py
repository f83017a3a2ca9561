"""IP address groups: their entries (ip_entries.py reads them), quotas, and the listeners that use them.

A change of a group's entries reaches every load balancer with a listener that uses it; the data plane
changes the listeners' access lists through HAProxy's runtime API, without a reload."""

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.ip_entries import NotAnEntry, canonical_entry
from elbd.schemas.ipgroups import IpEntryOption, IpGroupCreate, IpGroupUpdate
from elbd.service import lookups, quotas
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.db import mark_access_changed
from elbd.store.models import IpGroup, Listener, ListenerIpGroup

FILTER_COLUMNS = {"id": IpGroup.id, "name": IpGroup.name, "description": IpGroup.description}
DEFAULT_ENTERPRISE_PROJECT = "0"
ACCESS_PROTOCOLS = ("TCP", "UDP", "HTTP", "HTTPS", "TLS")  # the listeners whose access control elbd enforces (UDP: nginx allow/deny)


def _entries(options: Sequence[IpEntryOption]) -> list[dict[str, str]]:
    """The request's entries in canonical form, in the order given; an ip given twice is refused."""
    entries: dict[str, dict[str, str]] = {}
    for option in options:
        try:
            text = canonical_entry(option.ip)
        except NotAnEntry as error:
            raise invalid(f"Invalid input for 'ip_list': {error}.") from None
        if text in entries:
            raise invalid(f"Invalid input for 'ip_list': {text} is given more than once.")
        entries[text] = {"ip": text, "description": option.description or ""}
    return list(entries.values())


def _require_length(session: Session, project_id: str, ip_list: list[dict[str, str]]) -> None:
    limit = quotas.limit_of(session, project_id, "ipgroup_max_length")
    if 0 <= limit < len(ip_list):
        raise invalid(f"Invalid input for 'ip_list': a group holds at most {limit} entries; this one would hold {len(ip_list)}.")


def create_ip_group(session: Session, *, project_id: str, option: IpGroupCreate) -> IpGroup:
    if option.enterprise_project_id is not None and option.enterprise_project_id != DEFAULT_ENTERPRISE_PROJECT:
        raise invalid(f"Invalid input for 'enterprise_project_id': {option.enterprise_project_id!r} does not exist; elbd has one enterprise project, \"0\".")
    ip_list = _entries(option.ip_list)
    _require_length(session, project_id, ip_list)
    quotas.require_room(session, project_id, "ipgroup")
    now = utcnow()
    group = IpGroup(
        id=new_id(), project_id=project_id, name=option.name or "", description=option.description or "", ip_list=ip_list, created_at=now, updated_at=now
    )
    session.add(group)
    session.flush()
    return group


def list_ip_groups(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[IpGroup]:
    """The `ip_list` filter matches a group holding any of the entries given, each as a whole entry."""
    query: Select = select(IpGroup).where(IpGroup.project_id == project_id)
    wanted = set()
    for text in filters.get("ip_list") or ():
        try:
            wanted.add(canonical_entry(text))
        except NotAnEntry as error:
            raise invalid(f"Invalid input for 'ip_list': {error}.") from None
    keep = (lambda group: any(entry["ip"] in wanted for entry in group.ip_list)) if wanted else None
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), IpGroup, page, keep)


def _set_names(group: IpGroup, option: IpGroupUpdate) -> None:
    for name in ("name", "description"):
        value = getattr(option, name)
        if value is not None:
            setattr(group, name, value)


def _entries_changed(session: Session, group: IpGroup, ip_list: list[dict[str, str]]) -> None:
    """Store the group's new entries; when the addresses (not merely descriptions) changed, the access
    lists of the listeners that use it are replaced (the data plane rebuilds a load balancer whole where
    it cannot replace them alone). Called after the group's other columns are set: the
    query of its users flushes the row in one statement."""
    before = [entry["ip"] for entry in group.ip_list]
    group.ip_list = ip_list
    if [entry["ip"] for entry in ip_list] != before:
        users = select(Listener.loadbalancer_id, Listener.id).join(ListenerIpGroup, ListenerIpGroup.listener_id == Listener.id)
        by_load_balancer: dict[str, list[str]] = {}
        for load_balancer_id, listener_id in session.execute(users.where(ListenerIpGroup.ipgroup_id == group.id)):
            by_load_balancer.setdefault(load_balancer_id, []).append(listener_id)
        for load_balancer_id, listener_ids in by_load_balancer.items():
            mark_access_changed(session, load_balancer_id, listener_ids)


def update_ip_group(session: Session, *, project_id: str, group_id: str, option: IpGroupUpdate) -> IpGroup:
    group = lookups.ip_group(session, project_id, group_id)
    ip_list = None
    if option.ip_list is not None:
        ip_list = _entries(option.ip_list)
        _require_length(session, project_id, ip_list)
    _set_names(group, option)  # before the entries: the row is then written in one statement
    group.updated_at = utcnow()
    if ip_list is not None:
        _entries_changed(session, group, ip_list)
    return group


def add_or_update_entries(session: Session, *, project_id: str, group_id: str, option: IpGroupUpdate) -> IpGroup:
    """New entries are appended; an entry already held (by its canonical spelling) takes the new description."""
    group = lookups.ip_group(session, project_id, group_id)
    merged = {entry["ip"]: dict(entry) for entry in group.ip_list}
    for entry in _entries(option.ip_list or []):
        merged[entry["ip"]] = entry
    ip_list = list(merged.values())
    _require_length(session, project_id, ip_list)
    _set_names(group, option)
    group.updated_at = utcnow()
    _entries_changed(session, group, ip_list)
    return group


def delete_entries(session: Session, *, project_id: str, group_id: str, ips: Iterable[str]) -> IpGroup:
    """Entries named are removed; one the group does not hold is refused (nothing is removed then)."""
    group = lookups.ip_group(session, project_id, group_id)
    held = {entry["ip"] for entry in group.ip_list}
    gone = set()
    for text in ips:
        try:
            canonical = canonical_entry(text)
        except NotAnEntry as error:
            raise invalid(f"Invalid input for 'ip_list': {error}.") from None
        if canonical not in held:
            raise invalid(f"Invalid input for 'ip_list': IP address group {group.id} holds no entry {canonical}.")
        gone.add(canonical)
    group.updated_at = utcnow()
    _entries_changed(session, group, [entry for entry in group.ip_list if entry["ip"] not in gone])
    return group


def delete_ip_group(session: Session, *, project_id: str, group_id: str) -> None:
    group = lookups.ip_group(session, project_id, group_id)
    users = listeners_using(session, [group.id]).get(group.id)
    if users:
        raise conflict(f"IP address group {group.id} is in use by listener(s) {', '.join(users)}; unbind it from them first.")
    session.delete(group)


def listeners_using(session: Session, group_ids: Iterable[str]) -> dict[str, list[str]]:
    """The ids of the listeners whose access control names each group, by group id, oldest first."""
    query = (
        select(ListenerIpGroup.ipgroup_id, Listener.id)
        .join(Listener, Listener.id == ListenerIpGroup.listener_id)
        .where(ListenerIpGroup.ipgroup_id.in_(list(group_ids)))
        .order_by(Listener.created_at, Listener.id)
    )
    found: dict[str, list[str]] = {}
    for group_id, listener_id in session.execute(query):
        found.setdefault(group_id, []).append(listener_id)
    return found


def groups_of(session: Session, listener_ids: Iterable[str]) -> dict[str, list[str]]:
    """The group ids each listener's access control names, in the order given, by listener id."""
    query = select(ListenerIpGroup.listener_id, ListenerIpGroup.ipgroup_id, ListenerIpGroup.position).where(
        ListenerIpGroup.listener_id.in_(list(listener_ids))
    )
    found: dict[str, list[tuple[int, str]]] = {}
    for listener_id, group_id, position in session.execute(query):
        found.setdefault(listener_id, []).append((position, group_id))
    return {listener_id: [group_id for _, group_id in sorted(pairs)] for listener_id, pairs in found.items()}


def named_groups(ipgroup_id: str) -> list[str]:
    """The ids of `ipgroup_id` (comma-separated; spaces around an id are allowed), each once."""
    ids = [part.strip() for part in ipgroup_id.split(",")]
    if not all(ids):
        raise invalid(f"Invalid input for 'ipgroup_id': {ipgroup_id!r} names an empty id; give ids separated by commas.")
    repeated = sorted({one for one in ids if ids.count(one) > 1})
    if repeated:
        raise invalid(f"Invalid input for 'ipgroup_id': {', '.join(repeated)} is named more than once.")
    return ids


def require_binding_room(session: Session, project_id: str, group_id: str, adding: int = 1) -> None:
    """Room in the group for `adding` more listeners (the ipgroup_bindings quota), or 409."""
    users = len(listeners_using(session, [group_id]).get(group_id, []))
    limit = quotas.limit_of(session, project_id, "ipgroup_bindings")
    if 0 <= limit < users + adding:
        raise conflict(f"IP address group {group_id} is already used by {users} listeners, the most it may serve.")


def bind(session: Session, listener: Listener, group_ids: list[str] | None, enable: bool | None, kind: str | None) -> None:
    """Set the listener's access control: `group_ids` None keeps the groups it names (an update that
    changes only enable_ipgroup or type), [] removes its access control. Checks the groups (of the
    listener's project) and each group's room for another listener."""
    if group_ids is not None:
        current = {row.ipgroup_id for row in session.scalars(select(ListenerIpGroup).where(ListenerIpGroup.listener_id == listener.id))}
        for group_id in group_ids:
            lookups.ip_group(session, listener.project_id, group_id)
            if group_id not in current:
                require_binding_room(session, listener.project_id, group_id)
        session.execute(delete(ListenerIpGroup).where(ListenerIpGroup.listener_id == listener.id))
        session.add_all(ListenerIpGroup(listener_id=listener.id, ipgroup_id=group_id, position=position) for position, group_id in enumerate(group_ids))
        if not group_ids:
            listener.ipgroup_enable, listener.ipgroup_type = None, None
            return
    listener.ipgroup_enable = enable if enable is not None else (listener.ipgroup_enable if listener.ipgroup_enable is not None else True)
    listener.ipgroup_type = kind or listener.ipgroup_type or "white"
