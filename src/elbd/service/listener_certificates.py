"""The certificates a listener presents: its references checked against the project's certificates, and
the listener_certificates rows kept in step with them (who uses a certificate is read from those rows).

A listener's default certificate and its SNI certificates are server certificates, its client CA a
client certificate, all of its own project (another project's certificate is as missing as an unknown
one: 404). Its SNI certificates answer for distinct names, at most 200 in all.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elbd.domain_names import names_answered
from elbd.errors import invalid
from elbd.service import lookups
from elbd.store.models import Certificate, Listener, ListenerCertificate

MAX_SNI_NAMES = 200


@dataclass(frozen=True)
class TlsReferences:
    """A listener's certificate references, by id."""

    default: str | None
    sni: tuple[str, ...]
    client_ca: str | None

    @classmethod
    def of(cls, listener: Listener) -> "TlsReferences":
        return cls(listener.default_tls_container_ref, tuple(listener.sni_container_refs or ()), listener.client_ca_tls_container_ref)

    def rows(self, listener_id: str) -> list[ListenerCertificate]:
        roles = [("default", self.default), *(("sni", one) for one in self.sni), ("client_ca", self.client_ca)]
        return [ListenerCertificate(listener_id=listener_id, certificate_id=certificate_id, role=role) for role, certificate_id in roles if certificate_id]


def check_references(session: Session, project_id: str, references: TlsReferences) -> None:
    """Each reference names a certificate of the project of the right type; the SNI names are distinct."""
    if references.default:
        default = lookups.certificate(session, project_id, references.default)
        if default.type != "server":
            raise invalid(
                f"Invalid input for 'default_tls_container_ref': certificate {default.id} is a {default.type} certificate; "
                "a listener presents a server certificate."
            )
    if references.client_ca:
        client_ca = lookups.certificate(session, project_id, references.client_ca)
        if client_ca.type != "client":
            raise invalid(
                f"Invalid input for 'client_ca_tls_container_ref': certificate {client_ca.id} is a {client_ca.type} certificate; "
                "verifying clients takes a client (CA) certificate."
            )
    sni = [lookups.certificate(session, project_id, certificate_id) for certificate_id in references.sni]
    for certificate in sni:
        if certificate.type != "server":
            raise invalid(
                f"Invalid input for 'sni_container_refs': certificate {certificate.id} is a {certificate.type} certificate; "
                "SNI takes server certificates."
            )
    problem = sni_problem(sni)
    if problem:
        raise invalid(f"Invalid input for 'sni_container_refs': {problem}")


def sni_problem(certificates: Iterable[Certificate]) -> str | None:
    """Why these certificates cannot be one listener's SNI certificates, or None: each must answer for a
    name, no name may be answered by two, and together they answer for at most 200 names."""
    answered_by: dict[str, str] = {}
    for certificate in certificates:
        names = names_answered(certificate.domain, certificate.subject_alternative_names, certificate.common_name)
        if not names:
            return f"certificate {certificate.id} answers for no domain name; give it a domain."
        for name in dict.fromkeys(name.lower() for name in names):
            if name in answered_by:
                return f"{name} is answered by both certificate {answered_by[name]} and certificate {certificate.id}; each name is one certificate's."
            answered_by[name] = certificate.id
    if len(answered_by) > MAX_SNI_NAMES:
        return f"the certificates answer for {len(answered_by)} domain names; at most {MAX_SNI_NAMES}."
    return None


def keep_rows_in_step(session: Session, listener: Listener) -> None:
    """The listener's listener_certificates rows as its references are now (its own row is stored)."""
    session.execute(delete(ListenerCertificate).where(ListenerCertificate.listener_id == listener.id))
    session.add_all(TlsReferences.of(listener).rows(listener.id))


def check_sni_users(session: Session, certificate: Certificate, changed: str) -> None:
    """After `changed` (an attribute) changed the names a certificate answers for: every listener that
    presents it by SNI still has distinct names, within the limit."""
    users = select(Listener).join(ListenerCertificate, ListenerCertificate.listener_id == Listener.id).where(
        ListenerCertificate.certificate_id == certificate.id, ListenerCertificate.role == "sni"
    )
    for listener in session.scalars(users):
        sni = [session.get(Certificate, certificate_id) for certificate_id in listener.sni_container_refs]
        problem = sni_problem(one for one in sni if one is not None)
        if problem:
            raise invalid(f"Invalid input for '{changed}': listener {listener.id} presents this certificate by SNI, and then {problem}")
