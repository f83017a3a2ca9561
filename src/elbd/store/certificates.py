"""What the store answers about certificates, for the data plane and the rules alike: their content (the
private key unsealed) and who uses them. Plain values: no table or ORM object leaves this module."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.store.models import Certificate, Listener, ListenerCertificate
from elbd.store.secret_box import SecretBox, certificate_binding

IDS_PER_QUERY = 500


def certificate_material(session: Session, secret_box: SecretBox, certificate_ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """Each stored certificate of `certificate_ids` -> (its PEM certificate or chain, its private key
    unsealed, or None for a client certificate). An id not stored is left out. Raises
    SealedSecretError when a key does not open (another key file, or a row altered)."""
    wanted = list(dict.fromkeys(certificate_ids))
    material: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        rows = select(Certificate.id, Certificate.certificate, Certificate.private_key_sealed).where(
            Certificate.id.in_(wanted[start : start + IDS_PER_QUERY])
        )
        for certificate_id, certificate, sealed in session.execute(rows):
            key = secret_box.open(sealed, bound_to=certificate_binding(certificate_id)) if sealed is not None else None
            material[certificate_id] = (certificate, key)
    return material


def listeners_using(session: Session, certificate_id: str) -> list[str]:
    """The ids of the listeners that use the certificate, in any role (default, SNI, client CA), sorted."""
    query = select(ListenerCertificate.listener_id).where(ListenerCertificate.certificate_id == certificate_id).distinct()
    return sorted(session.scalars(query))


def load_balancers_using(session: Session, certificate_id: str) -> list[str]:
    """The ids of the load balancers with a listener that uses the certificate, sorted."""
    query = (
        select(Listener.loadbalancer_id)
        .join(ListenerCertificate, ListenerCertificate.listener_id == Listener.id)
        .where(ListenerCertificate.certificate_id == certificate_id)
        .distinct()
    )
    return sorted(session.scalars(query))
