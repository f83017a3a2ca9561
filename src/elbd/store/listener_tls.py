"""The TLS terms a listener's handshakes run under, read from the store for the data plane.

A listener names its policy in two ways: `security_policy_id`, one of its project's custom policies,
which wins when set (as the API reference says); otherwise `tls_ciphers_policy`, a system policy, or
the default one (tls-1-2) when it names none. The answer is plain values (tls_policies.OpenSslTerms,
field for field dataplane.model.TlsPolicy), never a table.
"""

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.store.models import SecurityPolicy
from elbd.tls_policies import DEFAULT_SYSTEM_POLICY, SYSTEM_POLICIES, OpenSslTerms, haproxy_terms


class PolicyChoice(Protocol):
    """What names a listener's policy: a listener row, or any record with these two fields."""

    @property
    def security_policy_id(self) -> str | None: ...

    @property
    def tls_ciphers_policy(self) -> str | None: ...


def effective_tls_terms(session: Session, listener: PolicyChoice) -> OpenSslTerms:
    """A custom policy's terms come from its row (a foreign key keeps it while a listener names it); a
    system policy's from tls_policies.SYSTEM_POLICIES."""
    if listener.security_policy_id:
        query = select(SecurityPolicy.protocols, SecurityPolicy.ciphers).where(SecurityPolicy.id == listener.security_policy_id)
        protocols, ciphers = session.execute(query).one()
        return haproxy_terms(protocols, ciphers)
    system = SYSTEM_POLICIES[listener.tls_ciphers_policy or DEFAULT_SYSTEM_POLICY]
    return haproxy_terms(system.protocols, system.ciphers)
