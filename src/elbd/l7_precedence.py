"""The order in which a listener's forwarding policies are evaluated: the first whose rules all match
a request takes it. Pure: the data plane renders its policies in this order, the API does not care.

- REDIRECT_TO_LISTENER comes first, always (the reference: "it has the highest precedence").
- On a listener with enhance_l7policy_enable: by priority, lowest first.
- Otherwise, the reference's automatic order: a policy with a HOST_NAME rule before one without (each
  host's policies are ordered on their own, so host-specific ones win over host-less ones); then by the
  PATH rule's compare_type, EQUAL_TO before STARTS_WITH before REGEX; then the longer path first. A
  policy with no PATH rule counts as STARTS_WITH "/".
- Ties, in either mode, go to the older policy (created_at), then to the lower id, so the order is total.
"""

from collections.abc import Sequence
from typing import Protocol, TypeVar

PATH_RANK = {"EQUAL_TO": 0, "STARTS_WITH": 1, "REGEX": 2}
ROOT_PATH = "/"


class Rule(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def compare_type(self) -> str: ...
    @property
    def values(self) -> tuple[str, ...]: ...


class Policy(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def created_at(self) -> str: ...
    @property
    def rules(self) -> Sequence[Rule]: ...


P = TypeVar("P", bound=Policy)


def ordered(policies: Sequence[P], enhanced: bool) -> list[P]:
    """`policies` (one listener's) in evaluation order."""
    return sorted(policies, key=_priority_key if enhanced else _automatic_key)


def _first(policy: Policy) -> int:
    return 0 if policy.action == "REDIRECT_TO_LISTENER" else 1


def _priority_key(policy: Policy) -> tuple[int, int, str, str]:
    return (_first(policy), policy.priority, policy.created_at, policy.id)


def _automatic_key(policy: Policy) -> tuple[int, int, int, int, str, str]:
    has_host = any(rule.type == "HOST_NAME" for rule in policy.rules)
    paths = [rule for rule in policy.rules if rule.type == "PATH"]
    compare_type, longest = ("STARTS_WITH", len(ROOT_PATH))
    if paths:
        compare_type, longest = paths[0].compare_type, max(len(value) for value in paths[0].values)
    return (_first(policy), 0 if has_host else 1, PATH_RANK.get(compare_type, len(PATH_RANK)), -longest, policy.created_at, policy.id)
