"""What changed for the data plane: the one value a commit hands over, the agent's pipe carries and the
work queue holds.

A change names load balancers to rebuild as a whole, and, for the others, which of their members were
added, updated, removed or drained, and which of their listeners' access lists hold other entries
(those alone can go through the runtime API). One rule keeps it simple, and it lives here alone: a load
balancer rebuilt whole carries no member or listener list, since the rebuild covers them."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    load_balancers: frozenset[str] = frozenset()
    members: Mapping[str, frozenset[str]] = field(default_factory=dict)  # load balancer -> member ids
    access: Mapping[str, frozenset[str]] = field(default_factory=dict)  # load balancer -> listener ids whose access list's entries changed

    @classmethod
    def of(
        cls, load_balancers: Iterable[str] = (), members: Mapping[str, Iterable[str]] | None = None,
        access: Mapping[str, Iterable[str]] | None = None,
    ) -> "Changes":
        """The changes, under the rule: no empty list, none for a load balancer rebuilt whole."""
        whole = frozenset(load_balancers)
        return cls(whole, _lists(members, whole), _lists(access, whole))

    @classmethod
    def rebuild(cls, load_balancer_id: str) -> "Changes":
        return cls(frozenset({load_balancer_id}))

    def merged(self, other: "Changes") -> "Changes":
        return Changes.of(self.load_balancers | other.load_balancers, _union(self.members, other.members), _union(self.access, other.access))

    def of_load_balancer(self, load_balancer_id: str) -> "Changes":
        """Only what concerns this load balancer."""
        if load_balancer_id in self.load_balancers:
            return Changes.rebuild(load_balancer_id)
        return Changes.of(members={load_balancer_id: self.members.get(load_balancer_id, ())},
                          access={load_balancer_id: self.access.get(load_balancer_id, ())})

    @property
    def touched(self) -> frozenset[str]:
        """Every load balancer named."""
        return self.load_balancers | frozenset(self.members) | frozenset(self.access)

    def __bool__(self) -> bool:
        return bool(self.load_balancers or self.members or self.access)


def _lists(lists: Mapping[str, Iterable[str]] | None, whole: frozenset[str]) -> dict[str, frozenset[str]]:
    listed = {one: frozenset(ids) for one, ids in (lists or {}).items() if one not in whole}
    return {one: ids for one, ids in listed.items() if ids}


def _union(first: Mapping[str, frozenset[str]], second: Mapping[str, frozenset[str]]) -> dict[str, set[str]]:
    union = {one: set(ids) for one, ids in first.items()}
    for one, ids in second.items():
        union.setdefault(one, set()).update(ids)
    return union
