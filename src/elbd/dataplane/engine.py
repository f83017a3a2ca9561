"""The interface of a traffic engine: what serves the load balancers' traffic (HAProxy today; a UDP
engine next). The reconciler decides what to do with the planner (plan.py); an engine renders,
observes what runs, carries the planned actions out, probes health and reads its listeners' state.

Everything an engine does is I/O on its own processes and files; every decision it needs is made
before it is called. An engine keeps no state the reconciler needs to decide: a restarted elbd meets
the running processes and asks the engine to observe them.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from elbd.dataplane.haproxy_answers import CheckReport
from elbd.dataplane.model import LoadBalancerConfig
from elbd.dataplane.plan import ApplyMembers, Live, LoadBalancerAction, ReplaceAccessLists


@dataclass(frozen=True)
class TlsMaterial:
    """A certificate as an engine presents it: the PEM chain, and for a server certificate its private
    key (unsealed: it lives in memory and in the load balancer's private files only)."""

    certificate: str
    private_key: str | None = None

    def pem(self) -> str:
        return "\n".join(part.strip() for part in (self.certificate, self.private_key) if part) + "\n"

    @property
    def digest(self) -> str:
        """What tells one content from another without holding it (the planner sees only this)."""
        return hashlib.sha256(self.pem().encode()).hexdigest()


class EngineError(Exception):
    """An engine could not do what it was asked; the message is for the load balancer's owner (paths
    are cut from it before anyone reads it)."""


class Engine(Protocol):
    def prepare(self, load_balancer_id: str) -> None:
        """Make the load balancer's private directories; EngineError when one is not elbd's own."""
        ...

    def unbindable(self, config: LoadBalancerConfig) -> dict[str, str]:
        """The listeners (by name) whose addresses could not be bound now, and why."""
        ...

    def skeleton(self, load_balancer_id: str, config: LoadBalancerConfig) -> str:
        """The rendering of what a reload must apply (everything but the servers)."""
        ...

    def observe(self, load_balancer_id: str) -> Live:
        ...

    def carry_out(
        self, load_balancer_id: str, action: LoadBalancerAction, passed: Mapping[str, bool], tls: Mapping[str, TlsMaterial]
    ) -> frozenset[str]:
        """Start, reload, converge or retire; `passed` says which members passed their checks, for a
        process that starts; `tls` is the content of every certificate the configuration presents or
        trusts. Answers the backends where a removed server still had connections."""
        ...

    def apply_members(self, load_balancer_id: str, action: ApplyMembers) -> frozenset[str]:
        """Run the commands; EngineError when one was refused. Answers as carry_out."""
        ...

    def replace_access_lists(self, load_balancer_id: str, action: ReplaceAccessLists) -> None:
        """Replace the frontends' access lists in the running process (and their files, for the next
        start or reload); EngineError when one was not replaced."""
        ...

    def write_config(self, load_balancer_id: str, config: LoadBalancerConfig) -> None:
        """Bring the configuration file up to what runs, for the next start or reload."""
        ...

    def running(self, load_balancer_id: str) -> bool:
        ...

    def watched_pid(self, load_balancer_id: str) -> int | None:
        """The process whose exit means the load balancer is no longer served."""
        ...

    def check_reports(self, load_balancer_id: str, backend: str) -> list[tuple[str, str, CheckReport]]:
        """(backend, server, report) of the backend's servers."""
        ...

    def save_health(self, load_balancer_id: str, backends: set[str]) -> None:
        """Keep the checked servers' state for the next start or reload."""
        ...

    def listener_states(self, load_balancer_id: str) -> dict[str, str]:
        """Each listener's state as the running process reports it (OPEN serves); empty when none runs."""
        ...
