"""Forwarding rules: what a rule may match and how, the limits of a policy's rules, and the rules routes.

Without enhance_l7policy_enable on the listener a rule is a HOST_NAME (EQUAL_TO, no wildcard) or PATH
match given as `value`; with it, every type, `conditions` (one key, distinct values, OR-ed) and
wildcard host names. Each value passes l7_values.py before anything is stored.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, false, select, true
from sqlalchemy.orm import Session

from elbd import l7_values
from elbd.clock import utcnow
from elbd.errors import invalid
from elbd.ids import new_id
from elbd.l7_limits import MAX_RULES
from elbd.schemas import unserved
from elbd.schemas.l7policies import L7RuleCreate, L7RuleUpdate
from elbd.service import l7_duplicates, lookups
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.db import mark_changed
from elbd.store.models import L7Policy, L7Rule, Listener

BASIC_TYPES = ("HOST_NAME", "PATH")  # all a listener without enhance_l7policy_enable takes
ONE_PER_POLICY = ("HOST_NAME", "PATH", "METHOD", "SOURCE_IP")
COMPARE_TYPES = {"PATH": ("EQUAL_TO", "STARTS_WITH", "REGEX")}  # every other type: EQUAL_TO only
KEYED = ("HEADER", "QUERY_STRING", "COOKIE")
FILTER_COLUMNS = {
    "id": L7Rule.id,
    "compare_type": L7Rule.compare_type,
    "value": L7Rule.value,
    "key": L7Rule.key,
    "type": L7Rule.type,
    "l7policy_id": L7Rule.l7policy_id,
}
# Filters on what every rule shows alike (ACTIVE, up, not inverted, enterprise project "0").
CONSTANT_FILTERS: dict[str, Callable[[Any], bool]] = {
    "provisioning_status": lambda wanted: "ACTIVE" in wanted,
    "admin_state_up": lambda wanted: wanted is True,
    "invert": lambda wanted: wanted is False,
    "enterprise_project_id": lambda wanted: bool({"0", "all_granted_eps"} & set(wanted)),
}


@dataclass(frozen=True)
class CheckedRule:
    """A rule as it will be stored: `value` "" and `key` None when it matches by conditions."""

    type: str
    compare_type: str
    key: str | None
    value: str
    conditions: tuple[tuple[str, str], ...]

    @property
    def weight(self) -> int:
        """What it counts toward a policy's 10 rules: each condition is one."""
        return max(1, len(self.conditions))


def _value_check(rule_type: str, compare_type: str, enhanced: bool) -> Callable[[str], str]:
    if rule_type == "HOST_NAME":
        return lambda value: l7_values.host_name(value, wildcard=enhanced)
    if rule_type == "PATH":
        return l7_values.regex if compare_type == "REGEX" else l7_values.path
    return {
        "METHOD": l7_values.method,
        "SOURCE_IP": l7_values.source_ip,
        "HEADER": l7_values.header_value,
        "QUERY_STRING": l7_values.query_value,
        "COOKIE": l7_values.cookie_value,
    }[rule_type]


_KEY_CHECKS: dict[str, Callable[[str], str]] = {
    "HEADER": l7_values.header_key,
    "QUERY_STRING": l7_values.query_key,
    "COOKIE": l7_values.cookie_key,
}


def _checked(field: str, check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except l7_values.BadValue as refusal:
        raise invalid(f"Invalid input for '{field}': {refusal}") from None


def check_rule(
    *, rule_type: str, compare_type: str, value: str | None, conditions: Sequence[Any] | None, asked: dict[str, Any], enhanced: bool, field: str
) -> CheckedRule:
    """One rule by the API's rules (`field` names it in refusals, "rule" or "rules.N"); `asked` holds the
    request's attributes of it, for the unserved ones."""
    if not enhanced and rule_type not in BASIC_TYPES:
        raise invalid(f"Invalid input for '{field}.type': {rule_type} rules need a listener with enhance_l7policy_enable true.")
    if compare_type not in COMPARE_TYPES.get(rule_type, ("EQUAL_TO",)):
        raise invalid(f"Invalid input for '{field}.compare_type': a {rule_type} rule takes {', '.join(COMPARE_TYPES.get(rule_type, ('EQUAL_TO',)))}.")
    unserved.refuse(unserved.L7RULES, asked)
    check_value = _value_check(rule_type, compare_type, enhanced)
    if not conditions:
        if rule_type not in BASIC_TYPES:
            raise invalid(f"Invalid input for '{field}.conditions': a {rule_type} rule matches by conditions [{{key, value}}]; give at least one.")
        if not value:
            raise invalid(f"Invalid input for '{field}.value': a {rule_type} rule without conditions needs its value.")
        return CheckedRule(rule_type, compare_type, None, _checked(f"{field}.value", check_value, value), ())
    if not enhanced:
        raise invalid(f"Invalid input for '{field}.conditions': conditions need a listener with enhance_l7policy_enable true.")
    if value:
        raise invalid(f"Invalid input for '{field}.value': a rule with conditions matches their values; leave value out.")
    keys = {condition.key for condition in conditions}
    if len(keys) > 1:
        raise invalid(f"Invalid input for '{field}.conditions': every condition of a rule has the same key.")
    [key] = keys
    if rule_type in KEYED:
        _checked(f"{field}.conditions.key", _KEY_CHECKS[rule_type], key)
    elif key:
        raise invalid(f"Invalid input for '{field}.conditions.key': a {rule_type} condition's key is \"\".")
    values = [_checked(f"{field}.conditions.value", check_value, condition.value) for condition in conditions]
    if len(set(values)) != len(values):
        raise invalid(f"Invalid input for '{field}.conditions': a value appears twice.")
    return CheckedRule(rule_type, compare_type, None, "", tuple((key, item) for item in values))


def check_rule_set(rules: Sequence[CheckedRule], field: str = "rules") -> None:
    """At most one HOST_NAME, PATH, METHOD and SOURCE_IP rule, and at most 10 rules, each condition counted."""
    for rule_type in ONE_PER_POLICY:
        if sum(rule.type == rule_type for rule in rules) > 1:
            raise invalid(f"Invalid input for '{field}': a policy has at most one {rule_type} rule.")
    if sum(rule.weight for rule in rules) > MAX_RULES:
        raise invalid(f"Invalid input for '{field}': a policy has at most {MAX_RULES} rules, each condition counted as one.")


def checked_option(option: L7RuleCreate, *, enhanced: bool, field: str) -> CheckedRule:
    return check_rule(
        rule_type=option.type,
        compare_type=option.compare_type,
        value=option.value,
        conditions=option.conditions,
        asked=option.model_dump(exclude_unset=True),
        enhanced=enhanced,
        field=field,
    )


def stored_rule(rule: L7Rule) -> CheckedRule:
    return CheckedRule(
        rule.type, rule.compare_type, rule.key, rule.value, tuple((item["key"], item["value"]) for item in rule.conditions)
    )


def insert_rules(session: Session, policy: L7Policy, rules: Iterable[CheckedRule]) -> list[L7Rule]:
    """Rules given together are a microsecond apart, so they list (oldest first) in the order given."""
    now = utcnow()
    rows = [
        L7Rule(
            id=new_id(),
            project_id=policy.project_id,
            l7policy_id=policy.id,
            type=rule.type,
            compare_type=rule.compare_type,
            key=rule.key,
            value=rule.value,
            conditions=[{"key": key, "value": value} for key, value in rule.conditions],
            created_at=now + timedelta(microseconds=index),
            updated_at=now + timedelta(microseconds=index),
        )
        for index, rule in enumerate(rules)
    ]
    session.add_all(rows)
    return rows


def rules_of(session: Session, policy_id: str) -> list[L7Rule]:
    return list(session.scalars(select(L7Rule).where(L7Rule.l7policy_id == policy_id).order_by(L7Rule.created_at, L7Rule.id)))


def delete_rules_of(session: Session, policy_id: str) -> None:
    session.execute(delete(L7Rule).where(L7Rule.l7policy_id == policy_id).execution_options(synchronize_session="fetch"))


def rules_by_policy(session: Session, policy_ids: Sequence[str]) -> dict[str, list[L7Rule]]:
    """Each policy's rules, oldest first."""
    found: dict[str, list[L7Rule]] = {policy_id: [] for policy_id in policy_ids}
    if found:
        query = select(L7Rule).where(L7Rule.l7policy_id.in_(list(found))).order_by(L7Rule.created_at, L7Rule.id)
        for rule in session.scalars(query):
            found[rule.l7policy_id].append(rule)
    return found


def _policy_and_listener(session: Session, project_id: str, policy_id: str) -> tuple[L7Policy, Listener]:
    policy = lookups.l7policy(session, project_id, policy_id)
    listener = session.get(Listener, policy.listener_id)
    assert listener is not None
    return policy, listener


def _changed(session: Session, policy: L7Policy, listener: Listener) -> None:
    policy.updated_at = utcnow()
    session.flush()
    l7_duplicates.recompute(session, listener.id)
    mark_changed(session, listener.loadbalancer_id)


def create_rule(session: Session, *, project_id: str, policy_id: str, option: L7RuleCreate) -> L7Rule:
    policy, listener = _policy_and_listener(session, project_id, policy_id)
    if policy.action == "REDIRECT_TO_LISTENER":
        raise invalid("Invalid input for 'rule': a REDIRECT_TO_LISTENER policy takes every request of its listener and has no rules.")
    rule = checked_option(option, enhanced=listener.enhance_l7policy_enable, field="rule")
    check_rule_set([*map(stored_rule, rules_of(session, policy.id)), rule], field="rule")
    [row] = insert_rules(session, policy, [rule])
    _changed(session, policy, listener)
    return row


def update_rule(session: Session, *, project_id: str, policy_id: str, rule_id: str, option: L7RuleUpdate) -> L7Rule:
    """compare_type, value and conditions change; the type is fixed. Conditions given replace the
    stored ones ([] or null leaves them); a rule that matched by conditions and is given a value matches by it."""
    policy, listener = _policy_and_listener(session, project_id, policy_id)
    row = lookups.l7rule(session, project_id, policy.id, rule_id)
    asked = option.model_dump(exclude_unset=True)
    conditions: Sequence[Any] | None = option.conditions
    if not conditions and not option.value and row.conditions:
        conditions = [_Condition(item["key"], item["value"]) for item in row.conditions]
    value = option.value if option.value or conditions else row.value
    rule = check_rule(
        rule_type=row.type,
        compare_type=option.compare_type or row.compare_type,
        value=value,
        conditions=conditions,
        asked=asked,
        enhanced=listener.enhance_l7policy_enable,
        field="rule",
    )
    others = [stored_rule(other) for other in rules_of(session, policy.id) if other.id != row.id]
    check_rule_set([*others, rule], field="rule")
    row.compare_type, row.key, row.value = rule.compare_type, rule.key, rule.value
    row.conditions = [{"key": key, "value": item} for key, item in rule.conditions]
    row.updated_at = utcnow()
    _changed(session, policy, listener)
    return row


@dataclass(frozen=True)
class _Condition:
    key: str
    value: str


def delete_rule(session: Session, *, project_id: str, policy_id: str, rule_id: str) -> None:
    policy, listener = _policy_and_listener(session, project_id, policy_id)
    session.delete(lookups.l7rule(session, project_id, policy.id, rule_id))
    _changed(session, policy, listener)


def _constant_filters(filters: dict[str, Any]) -> ColumnElement[bool]:
    matches = all(accepts(filters[name]) for name, accepts in CONSTANT_FILTERS.items() if name in filters)
    return true() if matches else false()


def list_rules(session: Session, *, project_id: str, filters: dict, page: PageRequest, policy_id: str | None = None) -> Page[L7Rule]:
    """A policy's rules, or (policy_id None) every rule of the project."""
    query: Select = select(L7Rule).where(L7Rule.project_id == project_id, _constant_filters(filters))
    if policy_id is not None:
        query = query.where(L7Rule.l7policy_id == lookups.l7policy(session, project_id, policy_id).id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), L7Rule, page)
