"""What changed for the data plane: the one value a commit hands over, the agent's pipe carries and the
work queue holds.

A change names load balancers to rebuild as a whole, and, for the others, which of their members were
added, updated, removed or drained (those alone can go through the runtime API). One rule keeps it
simple, and it lives here alone: a load balancer rebuilt whole carries no member list, since the
rebuild covers them."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    load_balancers: frozenset[str] = frozenset()
    members: Mapping[str, frozenset[str]] = field(default_factory=dict)  # load balancer -> member ids

    @classmethod
    def of(cls, load_balancers: Iterable[str] = (), members: Mapping[str, Iterable[str]] | None = None) -> "Changes":
        """The changes, under the rule: no empty member list, none for a load balancer rebuilt whole."""
        whole = frozenset(load_balancers)
        listed = {one: frozenset(ids) for one, ids in (members or {}).items() if one not in whole}
        return cls(whole, {one: ids for one, ids in listed.items() if ids})

    @classmethod
    def rebuild(cls, load_balancer_id: str) -> "Changes":
        return cls(frozenset({load_balancer_id}))

    def merged(self, other: "Changes") -> "Changes":
        members = {one: set(ids) for one, ids in self.members.items()}
        for one, ids in other.members.items():
            members.setdefault(one, set()).update(ids)
        return Changes.of(self.load_balancers | other.load_balancers, members)

    def of_load_balancer(self, load_balancer_id: str) -> "Changes":
        """Only what concerns this load balancer."""
        if load_balancer_id in self.load_balancers:
            return Changes.rebuild(load_balancer_id)
        ids = self.members.get(load_balancer_id)
        return Changes(members={load_balancer_id: ids}) if ids else Changes()

    @property
    def touched(self) -> frozenset[str]:
        """Every load balancer named."""
        return self.load_balancers | frozenset(self.members)

    def __bool__(self) -> bool:
        return bool(self.load_balancers or self.members)
