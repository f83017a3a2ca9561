"""The one rule of a policy's provisioning_status: ERROR when another policy of the same listener has
exactly the same rules, ACTIVE otherwise (the SDK's L7Policy: "ERROR: the policy has the same rules as
another policy of the listener").

Two policies have the same rules when their sets of (type, compare_type, key, values) are equal, the
order of rules and of a rule's condition values aside. Of policies with the same rules the oldest
(created_at, then id) stays ACTIVE and serves; each later one is ERROR, and the data plane serves
only ACTIVE policies, so adding a duplicate never takes traffic from the policy that had it. A policy
without rules matches no request, so it duplicates nothing; except REDIRECT_TO_LISTENER, which has no
rules and takes every request: two of those on one listener are duplicates.

Recomputed for the whole listener whenever one of its policies or rules is created, changed or
deleted, so deleting the older policy makes the next one ACTIVE.
"""

from collections.abc import Hashable

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.store.models import L7Policy, L7Rule

RuleSet = frozenset[Hashable]


def _rule_sets(session: Session, policy_ids: list[str]) -> dict[str, RuleSet]:
    found: dict[str, set[Hashable]] = {policy_id: set() for policy_id in policy_ids}
    rows = session.scalars(select(L7Rule).where(L7Rule.l7policy_id.in_(policy_ids)))
    for rule in rows:
        values = frozenset(item["value"] for item in rule.conditions) if rule.conditions else frozenset([rule.value])
        keys = {item["key"] for item in rule.conditions} or {rule.key}
        found[rule.l7policy_id].add((rule.type, rule.compare_type, frozenset(keys), values))
    return {policy_id: frozenset(rules) for policy_id, rules in found.items()}


def recompute(session: Session, listener_id: str) -> None:
    """Every policy of the listener ACTIVE or ERROR by the rule above."""
    policies = list(session.scalars(select(L7Policy).where(L7Policy.listener_id == listener_id).order_by(L7Policy.created_at, L7Policy.id)))
    rule_sets = _rule_sets(session, [policy.id for policy in policies])
    seen: set[tuple[bool, RuleSet]] = set()
    for policy in policies:
        rules = rule_sets[policy.id]
        redirects_all = policy.action == "REDIRECT_TO_LISTENER"
        if not rules and not redirects_all:
            policy.provisioning_status = "ACTIVE"
            continue
        identity = (redirects_all, rules)
        policy.provisioning_status = "ERROR" if identity in seen else "ACTIVE"
        seen.add(identity)
