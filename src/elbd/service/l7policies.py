"""Forwarding policies: what each action needs and refuses, the pools and listeners they forward to,
priorities, and who may no longer be deleted while a policy names them.

- Policies sit on HTTP and HTTPS listeners. REDIRECT_TO_POOL and REDIRECT_TO_LISTENER are served on
  every one; REDIRECT_TO_URL, FIXED_RESPONSE, redirect_pools_config, priorities and every rule type
  beyond HOST_NAME and PATH need the listener's enhance_l7policy_enable.
- With enhance_l7policy_enable a policy has a priority, unique on its listener: 1-10000, or 0-10000
  for REDIRECT_TO_LISTENER; by default the listener's highest plus one (0 for REDIRECT_TO_LISTENER).
  Without it the priority is 1 (0 for REDIRECT_TO_LISTENER), as the SDK says, and the order is
  automatic (l7_precedence.py).
- A pool a policy forwards to belongs to the listener's load balancer, fits the listener's protocol
  (service/protocols.py), is no listener's default pool and no other listener's policy's pool (the
  SDK's UpdateL7PolicyOption).
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.l7_precedence import ordered
from elbd.l7_values import (
    BadValue,
    answer_header_key,
    answer_header_value,
    content_type,
    message_body,
    redirect_host,
    redirect_path,
    redirect_port,
    redirect_protocol,
    redirect_query,
    redirect_status_code,
    response_status_code,
)
from elbd.schemas import unserved
from elbd.schemas.l7policies import (
    FixedResponseOption,
    HeaderInsertOption,
    L7PolicyCreate,
    L7PolicyUpdate,
    PriorityChange,
    RedirectPoolOption,
    RedirectUrlOption,
    StickySessionOption,
    _L7PolicySettings,
)
from elbd.service import l7_duplicates, l7rules, lookups, quotas
from elbd.service.bindings import attach_pool_to_load_balancer, check_pool_fits_listener
from elbd.service.l7rules import CheckedRule
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.service.protocols import HTTP_LISTENERS
from elbd.store.dataplane import l7_policy_records
from elbd.store.db import mark_changed
from elbd.store.models import L7Policy, Listener, LoadBalancer

ENHANCED_ACTIONS = ("REDIRECT_TO_URL", "FIXED_RESPONSE")
MAX_PRIORITY = 10000
DEFAULT_WEIGHT = 1
DEFAULT_STICKY_TIMEOUT = 1440
# Each action's own attributes; any other action refuses them.
ACTION_FIELDS = {
    "REDIRECT_TO_POOL": ("redirect_pool_id", "redirect_pools_config", "redirect_pools_sticky_session_config"),
    "REDIRECT_TO_LISTENER": ("redirect_listener_id",),
    "REDIRECT_TO_URL": ("redirect_url_config",),
    "FIXED_RESPONSE": ("fixed_response_config",),
}
FILTER_COLUMNS = {
    "id": L7Policy.id,
    "name": L7Policy.name,
    "description": L7Policy.description,
    "admin_state_up": L7Policy.admin_state_up,
    "listener_id": L7Policy.listener_id,
    "position": L7Policy.priority,  # the deprecated position is shown as the priority
    "action": L7Policy.action,
    "redirect_pool_id": L7Policy.redirect_pool_id,
    "redirect_listener_id": L7Policy.redirect_listener_id,
    "provisioning_status": L7Policy.provisioning_status,
    "priority": L7Policy.priority,
}


def _bad(field: str, refusal: BadValue) -> Exception:
    return invalid(f"Invalid input for '{field}': {refusal}")


def _check_action_fields(action: str, settings: _L7PolicySettings) -> None:
    for other, fields in ACTION_FIELDS.items():
        if other == action:
            continue
        for name in fields:
            if getattr(settings, name):
                raise invalid(f"Invalid input for '{name}': a {action} policy does not take it (only {other} policies do).")


def _require_http_listener(listener: Listener) -> None:
    if listener.protocol not in HTTP_LISTENERS:
        raise invalid(f"Invalid input for 'listener_id': forwarding policies are for HTTP and HTTPS listeners; {listener.id} is {listener.protocol}.")


def _redirect_url(config: RedirectUrlOption, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The stored config with the request's attributes over it; at creation the defaults keep the request's parts."""
    # "" asks for nothing, as null: Terraform's huaweicloud_elb_l7policy sends every part, "" when unset.
    asked = config.model_dump(exclude_none=True, exclude={"insert_headers_config", "remove_headers_config"})
    given = {name: value for name, value in asked.items() if value != ""}
    base = stored or {"protocol": "${protocol}", "host": "${host}", "port": "${port}", "path": "${path}", "query": "${query}"}
    merged = {**base, **given}
    if "status_code" not in merged:
        raise invalid("Invalid input for 'redirect_url_config.status_code': it is required (301, 302, 303, 307 or 308).")
    checks = {
        "protocol": redirect_protocol,
        "host": redirect_host,
        "port": redirect_port,
        "path": redirect_path,
        "query": redirect_query,
        "status_code": redirect_status_code,
    }
    for name, check in checks.items():
        try:
            check(merged[name])
        except BadValue as refusal:
            raise _bad(f"redirect_url_config.{name}", refusal) from None
    return {**{name: merged[name] for name in checks}, **_header_changes("redirect_url_config", config, stored)}


def _fixed_response(config: FixedResponseOption, stored: dict[str, Any] | None) -> dict[str, Any]:
    given = config.model_dump(exclude_none=True, exclude={"insert_headers_config", "remove_headers_config", "traffic_limit_config"})
    given = {name: value for name, value in given.items() if value != "" or name == "message_body"}  # Terraform's "" when unset
    merged = {**(stored or {"content_type": "text/plain", "message_body": ""}), **given}
    if "status_code" not in merged:
        raise invalid("Invalid input for 'fixed_response_config.status_code': it is required (200-299, 400-499 or 500-599, as a string).")
    checks = {"status_code": response_status_code, "content_type": content_type, "message_body": message_body}
    for name, check in checks.items():
        try:
            check(merged[name])
        except BadValue as refusal:
            raise _bad(f"fixed_response_config.{name}", refusal) from None
    return {**{name: merged[name] for name in checks}, **_header_changes("fixed_response_config", config, stored)}


def _header_changes(field: str, config: RedirectUrlOption | FixedResponseOption, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The answer's header changes as stored: those given (an empty list clears them), else the stored ones."""
    inserted = (stored or {}).get("insert_headers_config")
    if config.insert_headers_config is not None:
        inserted = {"configs": [_inserted(f"{field}.insert_headers_config", one) for one in config.insert_headers_config.configs]}
    removed = (stored or {}).get("remove_headers_config")
    if config.remove_headers_config is not None:
        removed = {"configs": [{"key": _checked(f"{field}.remove_headers_config.key", answer_header_key, one.key)}
                               for one in config.remove_headers_config.configs]}
    return {"insert_headers_config": inserted, "remove_headers_config": removed}


def _inserted(field: str, one: HeaderInsertOption) -> dict[str, str]:
    try:
        answer_header_value(one.value_type, one.value)
    except BadValue as refusal:
        raise _bad(f"{field}.value", refusal) from None
    return {"key": _checked(f"{field}.key", answer_header_key, one.key), "value_type": one.value_type, "value": one.value}


def _checked(field: str, check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except BadValue as refusal:
        raise _bad(field, refusal) from None


def _refuse_unserved_configs(settings: _L7PolicySettings) -> None:
    for name in ("redirect_url_config", "fixed_response_config"):
        config = getattr(settings, name)
        if config is not None:
            unserved.refuse(unserved.L7_RESPONSE_CONFIGS, config.model_dump(exclude_unset=True))


def _weight(entry: RedirectPoolOption) -> int:
    weight = DEFAULT_WEIGHT if entry.weight is None else int(entry.weight)
    if not 0 <= weight <= 100:
        raise invalid("Invalid input for 'redirect_pools_config.weight': a weight is 0 to 100.")
    return weight


def _pools(session: Session, project_id: str, listener: Listener, pool_id: str | None, config: Sequence[RedirectPoolOption] | None) -> list[dict[str, Any]]:
    """[{pool_id, weight}] from redirect_pool_id and redirect_pools_config, each pool checked against the listener."""
    if config:
        if not listener.enhance_l7policy_enable:
            raise invalid("Invalid input for 'redirect_pools_config': it needs a listener with enhance_l7policy_enable true; give redirect_pool_id.")
        chosen: list[dict[str, Any]] = [{"pool_id": entry.pool_id, "weight": _weight(entry)} for entry in config]
        if len({entry["pool_id"] for entry in chosen}) != len(chosen):
            raise invalid("Invalid input for 'redirect_pools_config': a pool appears twice.")
        if pool_id and pool_id not in {entry["pool_id"] for entry in chosen}:
            raise invalid("Invalid input for 'redirect_pool_id': it is not among redirect_pools_config's pools; give one of them or leave it out.")
    elif pool_id:
        chosen = [{"pool_id": pool_id, "weight": DEFAULT_WEIGHT}]
    else:
        raise invalid("Invalid input for 'redirect_pool_id': a REDIRECT_TO_POOL policy needs redirect_pool_id or redirect_pools_config.")
    lb = session.get(LoadBalancer, listener.loadbalancer_id)
    assert lb is not None
    for pool_id_chosen in [str(entry["pool_id"]) for entry in chosen]:
        pool = lookups.pool(session, project_id, pool_id_chosen)
        if pool.loadbalancer_id not in (None, lb.id):
            raise invalid(f"Invalid input for 'redirect_pool_id': backend server group {pool.id} belongs to another load balancer than listener {listener.id}.")
        check_pool_fits_listener(pool, listener)
        if session.scalars(select(Listener.id).where(Listener.default_pool_id == pool.id)).first():
            raise invalid(f"Invalid input for 'redirect_pool_id': backend server group {pool.id} is a listener's default pool; a policy forwards to another one.")
        if _used_by_other_listener(session, project_id, pool.id, listener.id):
            raise invalid(f"Invalid input for 'redirect_pool_id': backend server group {pool.id} is used by a policy of another listener.")
        attach_pool_to_load_balancer(session, pool, lb)
    return chosen


def _used_by_other_listener(session: Session, project_id: str, pool_id: str, listener_id: str) -> bool:
    users = set(policies_using_pool(session, project_id, pool_id))
    return bool(users) and bool(session.scalars(select(L7Policy.id).where(L7Policy.id.in_(users), L7Policy.listener_id != listener_id)).first())


def _sticky(config: StickySessionOption | None, stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if config is None:
        return stored
    base = stored or {"enable": False, "timeout": DEFAULT_STICKY_TIMEOUT}
    given = config.model_dump(exclude_none=True)
    if given.get("timeout") == 0:  # Terraform sends 0 when unset
        del given["timeout"]
    return {**base, **given}


def _redirect_listener(session: Session, project_id: str, listener: Listener, target_id: str | None) -> str:
    if listener.protocol != "HTTP":
        raise invalid("Invalid input for 'listener_id': a REDIRECT_TO_LISTENER policy sits on an HTTP listener.")
    if not target_id:
        raise invalid("Invalid input for 'redirect_listener_id': a REDIRECT_TO_LISTENER policy needs it.")
    target = lookups.listener(session, project_id, target_id)
    if target.protocol != "HTTPS" or target.loadbalancer_id != listener.loadbalancer_id:
        raise invalid("Invalid input for 'redirect_listener_id': the target is an HTTPS listener of the same load balancer.")
    return target.id


def _priorities_taken(session: Session, listener_id: str, besides: set[str]) -> set[int]:
    query = select(L7Policy.priority).where(L7Policy.listener_id == listener_id, L7Policy.id.not_in(besides))
    return set(session.scalars(query))


def _check_priority_range(action: str, priority: int, field: str = "priority") -> None:
    low = 0 if action == "REDIRECT_TO_LISTENER" else 1
    if not low <= priority <= MAX_PRIORITY:
        raise invalid(f"Invalid input for '{field}': a {action} policy's priority is {low} to {MAX_PRIORITY}.")


def _priority(session: Session, listener: Listener, action: str, asked: int | None, policy_id: str | None) -> int:
    """The priority to store: see the module's docstring."""
    if not listener.enhance_l7policy_enable:
        if asked is not None:
            raise invalid("Invalid input for 'priority': priorities need a listener with enhance_l7policy_enable true (policies are ordered automatically).")
        return 0 if action == "REDIRECT_TO_LISTENER" else 1
    taken = _priorities_taken(session, listener.id, {policy_id} if policy_id else set())
    if asked is None:
        asked = 0 if action == "REDIRECT_TO_LISTENER" else (max(taken, default=0) + 1)
    _check_priority_range(action, asked)
    if asked in taken:
        raise invalid(f"Invalid input for 'priority': another policy of listener {listener.id} has priority {asked}.")
    return asked


def _checked_rules(option: _L7PolicySettings, listener: Listener, action: str) -> list[CheckedRule] | None:
    if option.rules is None:
        return None
    if action == "REDIRECT_TO_LISTENER" and option.rules:
        raise invalid("Invalid input for 'rules': a REDIRECT_TO_LISTENER policy takes every request of its listener and has no rules.")
    rules = [
        l7rules.checked_option(rule, enhanced=listener.enhance_l7policy_enable, field=f"rules.{index}") for index, rule in enumerate(option.rules)
    ]
    l7rules.check_rule_set(rules)
    return rules


def create_policy(session: Session, *, project_id: str, option: L7PolicyCreate) -> L7Policy:
    listener = lookups.listener(session, project_id, option.listener_id)
    _require_http_listener(listener)
    action = option.action
    if action in ENHANCED_ACTIONS and not listener.enhance_l7policy_enable:
        raise invalid(f"Invalid input for 'action': {action} needs a listener with enhance_l7policy_enable true.")
    _check_action_fields(action, option)
    rules = _checked_rules(option, listener, action) or []
    priority = _priority(session, listener, action, option.priority, None)
    redirect_url = _redirect_url(option.redirect_url_config, None) if action == "REDIRECT_TO_URL" and option.redirect_url_config else None
    fixed = _fixed_response(option.fixed_response_config, None) if action == "FIXED_RESPONSE" and option.fixed_response_config else None
    if action == "REDIRECT_TO_URL" and redirect_url is None:
        raise invalid("Invalid input for 'redirect_url_config': a REDIRECT_TO_URL policy needs it.")
    if action == "FIXED_RESPONSE" and fixed is None:
        raise invalid("Invalid input for 'fixed_response_config': a FIXED_RESPONSE policy needs it.")
    unserved.refuse(unserved.L7POLICIES, option.model_dump(exclude_unset=True))
    _refuse_unserved_configs(option)
    redirect_listener_id = _redirect_listener(session, project_id, listener, option.redirect_listener_id) if action == "REDIRECT_TO_LISTENER" else None
    pools = _pools(session, project_id, listener, option.redirect_pool_id, option.redirect_pools_config) if action == "REDIRECT_TO_POOL" else []
    quotas.require_room(session, project_id, "l7policy")
    now = utcnow()
    policy = L7Policy(
        id=new_id(),
        project_id=project_id,
        listener_id=listener.id,
        name=option.name or "",
        description=option.description or "",
        action=action,
        priority=priority,
        admin_state_up=True,
        provisioning_status="ACTIVE",
        redirect_pool_id=pools[0]["pool_id"] if pools else None,
        redirect_listener_id=redirect_listener_id,
        redirect_pools_config=pools,
        redirect_pools_sticky_session_config=_sticky(option.redirect_pools_sticky_session_config, None) if action == "REDIRECT_TO_POOL" else None,
        redirect_url_config=redirect_url,
        fixed_response_config=fixed,
        created_at=now,
        updated_at=now,
    )
    session.add(policy)
    session.flush()
    l7rules.insert_rules(session, policy, rules)
    session.flush()
    l7_duplicates.recompute(session, listener.id)
    mark_changed(session, listener.loadbalancer_id)
    return policy


def update_policy(session: Session, *, project_id: str, policy_id: str, option: L7PolicyUpdate) -> L7Policy:
    """Attributes left out keep their values; `rules` given replaces every rule; a config object given
    is merged over the stored one."""
    policy = lookups.l7policy(session, project_id, policy_id)
    listener = session.get(Listener, policy.listener_id)
    assert listener is not None
    action = policy.action
    _check_action_fields(action, option)
    rules = _checked_rules(option, listener, action)
    changes = option.model_dump(exclude_unset=True)
    if "priority" in changes:
        policy.priority = _priority(session, listener, action, option.priority, policy.id) if option.priority is not None else policy.priority
    if option.redirect_url_config is not None:
        policy.redirect_url_config = _redirect_url(option.redirect_url_config, policy.redirect_url_config)
    if option.fixed_response_config is not None:
        policy.fixed_response_config = _fixed_response(option.fixed_response_config, policy.fixed_response_config)
    unserved.refuse(unserved.L7POLICIES, changes)
    _refuse_unserved_configs(option)
    if action == "REDIRECT_TO_LISTENER" and option.redirect_listener_id is not None:
        policy.redirect_listener_id = _redirect_listener(session, project_id, listener, option.redirect_listener_id)
    if action == "REDIRECT_TO_POOL" and (option.redirect_pool_id or option.redirect_pools_config):
        pools = _pools(session, project_id, listener, option.redirect_pool_id, option.redirect_pools_config)
        policy.redirect_pools_config, policy.redirect_pool_id = pools, pools[0]["pool_id"]
    if action == "REDIRECT_TO_POOL":
        policy.redirect_pools_sticky_session_config = _sticky(option.redirect_pools_sticky_session_config, policy.redirect_pools_sticky_session_config)
    for name in ("name", "description"):
        if changes.get(name) is not None:
            setattr(policy, name, changes[name])
    if rules is not None:
        l7rules.delete_rules_of(session, policy.id)
        l7rules.insert_rules(session, policy, rules)
    policy.updated_at = utcnow()
    session.flush()
    l7_duplicates.recompute(session, listener.id)
    mark_changed(session, listener.loadbalancer_id)
    return policy


def delete_policy(session: Session, *, project_id: str, policy_id: str) -> None:
    policy = lookups.l7policy(session, project_id, policy_id)
    listener = session.get(Listener, policy.listener_id)
    assert listener is not None
    l7rules.delete_rules_of(session, policy.id)
    session.delete(policy)
    session.flush()
    l7_duplicates.recompute(session, listener.id)
    mark_changed(session, listener.loadbalancer_id)


def update_priorities(session: Session, *, project_id: str, changes: Sequence[PriorityChange]) -> None:
    """All or nothing: each policy of the project, on a listener with enhance_l7policy_enable, its new
    priority in range; afterwards no two policies of a listener share one."""
    if len({change.id for change in changes}) != len(changes):
        raise invalid("Invalid input for 'l7policies': a policy appears twice.")
    policies = [(lookups.l7policy(session, project_id, change.id), change.priority) for change in changes]
    listeners: set[str] = set()
    for policy, priority in policies:
        listener = session.get(Listener, policy.listener_id)
        assert listener is not None
        if not listener.enhance_l7policy_enable:
            raise invalid(f"Invalid input for 'l7policies': policy {policy.id}'s listener has no enhance_l7policy_enable; its policies are ordered automatically.")
        _check_priority_range(policy.action, priority, "l7policies.priority")
        listeners.add(listener.id)
    moved = {policy.id: priority for policy, priority in policies}
    for listener_id in listeners:
        now_taken = [moved.get(policy_id, priority) for policy_id, priority in session.execute(
            select(L7Policy.id, L7Policy.priority).where(L7Policy.listener_id == listener_id)
        )]
        if len(set(now_taken)) != len(now_taken):
            raise invalid(f"Invalid input for 'l7policies': two policies of listener {listener_id} would share a priority.")
    now = utcnow()
    for policy, priority in policies:
        policy.priority, policy.updated_at = priority, now
    for listener_id in listeners:
        listener = session.get(Listener, listener_id)
        assert listener is not None
        mark_changed(session, listener.loadbalancer_id)


def _derived_filters(filters: dict[str, Any]) -> ColumnElement[bool]:
    """redirect_url (never stored: no policy has one) and enterprise_project_id (always "0")."""
    if filters.get("redirect_url"):
        return false()
    wanted = filters.get("enterprise_project_id")
    if wanted and not {"0", "all_granted_eps"} & set(wanted):
        return false()
    return true()


def list_policies(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[L7Policy]:
    query: Select = select(L7Policy).where(L7Policy.project_id == project_id, _derived_filters(filters))
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), L7Policy, page)


def number_automatically_ordered(session: Session, listener: Listener) -> None:
    """When a listener turns enhance_l7policy_enable on, its policies take priorities 1, 2, ... in the
    automatic order they had (REDIRECT_TO_LISTENER keeps 0), so nothing changes for traffic."""
    rows = {policy.id: policy for policy in session.scalars(select(L7Policy).where(L7Policy.listener_id == listener.id))}
    next_priority = 1
    for record in ordered(l7_policy_records(session, [listener.id]).get(listener.id, []), enhanced=False):
        if record.action == "REDIRECT_TO_LISTENER":
            rows[record.id].priority = 0
            continue
        rows[record.id].priority = next_priority
        next_priority += 1


def policies_using_pool(session: Session, project_id: str, pool_id: str) -> list[str]:
    """Ids of the project's policies forwarding to the pool (a pool is one project's)."""
    query = select(L7Policy).where(L7Policy.project_id == project_id, L7Policy.action == "REDIRECT_TO_POOL").order_by(L7Policy.created_at, L7Policy.id)
    return [policy.id for policy in session.scalars(query) if any(entry["pool_id"] == pool_id for entry in policy.redirect_pools_config)]


def policies_on_listener(session: Session, listener_id: str) -> list[str]:
    """Ids of the policies sitting on the listener or redirecting to it."""
    query = select(L7Policy.id).where(or_(L7Policy.listener_id == listener_id, L7Policy.redirect_listener_id == listener_id))
    return list(session.scalars(query.order_by(L7Policy.created_at, L7Policy.id)))


def refuse_deleting_pool_in_use(session: Session, project_id: str, pool_id: str) -> None:
    """The reference: a pool is deleted only when no forwarding policy forwards to it."""
    users = policies_using_pool(session, project_id, pool_id)
    if users:
        raise conflict(f"Backend server group {pool_id} is used by forwarding policies {', '.join(users)}; delete them or point them elsewhere first.")


def refuse_deleting_listener_in_use(session: Session, listener_id: str) -> None:
    """A listener with policies, or one a policy redirects to, is not deleted (the API's force delete,
    which elbd does not serve, would delete its policies too)."""
    users = policies_on_listener(session, listener_id)
    if users:
        raise conflict(f"Listener {listener_id} has or is the target of forwarding policies {', '.join(users)}; delete them first.")


def refuse_default_pool_in_use(session: Session, project_id: str, pool_id: str) -> None:
    """The other side of the pool rule above: a pool a policy forwards to becomes no listener's default pool."""
    users = policies_using_pool(session, project_id, pool_id)
    if users:
        raise invalid(f"Invalid input for 'default_pool_id': backend server group {pool_id} is used by forwarding policies {', '.join(users)}.")
