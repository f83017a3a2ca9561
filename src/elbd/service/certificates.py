"""Certificates: server chains with their private keys, client CA bundles, the project's private-key echo
switch, and what a change of one means for the listeners presenting it.

A private key is sealed bound to its certificate's id before it is stored, and is shown in an answer
only while the project's private-key echo is on (off by default: "*****" is shown instead)."""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.domain_names import parse_domain_list
from elbd.errors import conflict, invalid
from elbd.ids import new_hex_id
from elbd.schemas import unserved
from elbd.schemas.certificates import CertificateCreate, CertificateUpdate
from elbd.service import listener_certificates, lookups, quotas
from elbd.service.certificate_content import CertificateFacts, client_certificate, server_certificate
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.certificates import listeners_using, load_balancers_using
from elbd.store.db import mark_changed
from elbd.store.models import Certificate, CertificateSettings
from elbd.store.secret_box import SecretBox, certificate_binding

MASKED_PRIVATE_KEY = "*****"  # what the SDK's models say an answer shows while echo is off
FILTER_COLUMNS = {
    "id": Certificate.id,
    "name": Certificate.name,
    "description": Certificate.description,
    "admin_state_up": Certificate.admin_state_up,
    "domain": Certificate.domain,
    "type": Certificate.type,
    "common_name": Certificate.common_name,
    "fingerprint": Certificate.fingerprint,
    "scm_certificate_id": Certificate.scm_certificate_id,
    "source": Certificate.source,
    "protection_status": Certificate.protection_status,
    "protection_reason": Certificate.protection_reason,
    "enterprise_project_id": Certificate.enterprise_project_id,
}


def _check_settings(certificate_type: str, changes: Mapping[str, Any], protection_status: str | None) -> None:
    """The API's rules on what a certificate of this type takes; `changes` holds the request's attributes."""
    for field in ("enc_certificate", "enc_private_key"):
        if changes.get(field) and certificate_type != "server_sm":
            raise invalid(f"Invalid input for '{field}': only server_sm certificates have it.")
    if certificate_type == "client":
        if changes.get("private_key"):
            raise invalid(
                "Invalid input for 'private_key': a client certificate is CA certificates that verify clients, "
                "and takes no private key; leave it out."
            )
        if changes.get("domain"):
            raise invalid("Invalid input for 'domain': only server certificates answer for domain names; leave it out.")
    else:
        parse_domain_list(changes.get("domain"))
    if changes.get("protection_reason") and protection_status != "consoleProtection":
        raise invalid("Invalid input for 'protection_reason': it is only valid with protection_status consoleProtection.")


def _facts(certificate_type: str, certificate: str, private_key: str | None) -> CertificateFacts:
    if certificate_type == "client":
        return client_certificate(certificate)
    return server_certificate(certificate, private_key or "")


def create_certificate(session: Session, *, project_id: str, option: CertificateCreate, secret_box: SecretBox) -> Certificate:
    asked = option.model_dump(exclude_unset=True)
    _check_settings(option.type, asked, option.protection_status)
    if option.type != "client" and not option.private_key:
        raise invalid(f"Invalid input for 'private_key': a {option.type} certificate needs its private key.")
    unserved.refuse(unserved.CERTIFICATES, asked)
    facts = _facts(option.type, option.certificate, option.private_key)
    quotas.require_room(session, project_id, "certificate")
    certificate_id = new_hex_id()
    now = utcnow()
    certificate = Certificate(
        id=certificate_id,
        project_id=project_id,
        name=option.name or "",
        description=option.description or "",
        type=option.type,
        certificate=option.certificate,
        private_key_sealed=secret_box.seal(option.private_key, bound_to=certificate_binding(certificate_id)) if option.private_key else None,
        domain=option.domain or None,
        common_name=facts.common_name,
        subject_alternative_names=list(facts.subject_alternative_names),
        fingerprint=facts.fingerprint,
        expire_time=facts.expire_time,
        admin_state_up=option.admin_state_up is not False,
        source=option.source if option.source is not None else ("scm" if option.scm_certificate_id else ""),
        scm_certificate_id=option.scm_certificate_id or "",
        protection_status=option.protection_status or "nonProtection",
        protection_reason=option.protection_reason,
        enterprise_project_id=option.enterprise_project_id or "0",
        created_at=now,
        updated_at=now,
    )
    session.add(certificate)
    session.flush()
    return certificate


def list_certificates(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[Certificate]:
    query: Select = select(Certificate).where(Certificate.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), Certificate, page)


def update_certificate(
    session: Session, *, project_id: str, certificate_id: str, option: CertificateUpdate, secret_box: SecretBox
) -> Certificate:
    """A new chain or key is checked together with the stored one it leaves; a change of what the
    certificate presents or the names it answers for reaches every load balancer presenting it."""
    certificate = lookups.certificate(session, project_id, certificate_id)
    changes = option.model_dump(exclude_unset=True)
    if option.type is not None and option.type != certificate.type:
        raise invalid(f"Invalid input for 'type': a certificate's type is fixed at creation ({certificate.type}); create another certificate.")
    _check_settings(certificate.type, changes, changes.get("protection_status") or certificate.protection_status)
    new_key = option.private_key if certificate.type != "client" else None  # a client's "" asks for nothing
    content_changed = option.certificate is not None or new_key is not None
    if content_changed:
        private_key = new_key if new_key is not None else _stored_key(certificate, secret_box)
        facts = _facts(certificate.type, option.certificate if option.certificate is not None else certificate.certificate, private_key)
        if option.certificate is not None:
            certificate.certificate = option.certificate
        if new_key is not None:
            certificate.private_key_sealed = secret_box.seal(new_key, bound_to=certificate_binding(certificate.id))
        certificate.common_name = facts.common_name
        certificate.subject_alternative_names = list(facts.subject_alternative_names)
        certificate.fingerprint = facts.fingerprint
        certificate.expire_time = facts.expire_time
    domain_changed = option.domain is not None
    if domain_changed:
        certificate.domain = option.domain or None
    for name in ("name", "description", "scm_certificate_id", "source", "protection_status"):
        if changes.get(name) is not None:
            setattr(certificate, name, changes[name])
    if "protection_reason" in changes:
        certificate.protection_reason = option.protection_reason
    if content_changed or domain_changed:
        listener_certificates.check_sni_users(session, certificate, "certificate" if content_changed else "domain")
        for load_balancer_id in load_balancers_using(session, certificate.id):
            mark_changed(session, load_balancer_id)
    certificate.updated_at = utcnow()
    return certificate


def _stored_key(certificate: Certificate, secret_box: SecretBox) -> str | None:
    if certificate.private_key_sealed is None:
        return None
    return secret_box.open(certificate.private_key_sealed, bound_to=certificate_binding(certificate.id))


def delete_certificate(session: Session, *, project_id: str, certificate_id: str) -> None:
    certificate = lookups.certificate(session, project_id, certificate_id)
    _delete(session, [certificate])


def delete_certificates(session: Session, *, project_id: str, certificate_ids: Iterable[str]) -> list[tuple[str, str]]:
    """Each id once, answered "successful" or "not found" (another project's too); one in use refuses
    the whole batch with a 409, and nothing is deleted."""
    found: list[Certificate] = []
    results: list[tuple[str, str]] = []
    for certificate_id in dict.fromkeys(certificate_ids):
        certificate = session.get(Certificate, certificate_id)
        if certificate is None or certificate.project_id != project_id:
            results.append((certificate_id, "not found"))
            continue
        found.append(certificate)
        results.append((certificate_id, "successful"))
    _delete(session, found)
    return results


def _delete(session: Session, certificates: list[Certificate]) -> None:
    """All of them, or none when one is in use (409 naming its listeners). The foreign key of
    listener_certificates backs the check: a listener taking one meanwhile (PostgreSQL) is a 409 too."""
    in_use = {certificate.id: listeners_using(session, certificate.id) for certificate in certificates}
    named = [f"certificate {certificate_id} by listener(s) {', '.join(users)}" for certificate_id, users in in_use.items() if users]
    if named:
        raise conflict(f"Certificates in use cannot be deleted: {'; '.join(named)}. Take them off those listeners first.")
    for certificate in certificates:
        session.delete(certificate)
    try:
        session.flush()
    except IntegrityError:
        raise conflict("Certificates in use cannot be deleted: a listener took one meanwhile.") from None


def private_key_echo(session: Session, project_id: str) -> bool:
    settings = session.get(CertificateSettings, project_id)
    return settings.private_key_echo if settings else False


def set_private_key_echo(session: Session, *, project_id: str, on: bool) -> bool:
    session.merge(CertificateSettings(project_id=project_id, private_key_echo=on))
    return on


def private_keys_shown(session: Session, secret_box: SecretBox, project_id: str, certificates: Iterable[Certificate]) -> dict[str, str | None]:
    """What each certificate's answer shows as its private_key: the key itself while the project's echo
    is on, "*****" while it is off, null for a client certificate."""
    echo = private_key_echo(session, project_id)
    return {
        certificate.id: _stored_key(certificate, secret_box) if echo or certificate.private_key_sealed is None else MASKED_PRIVATE_KEY
        for certificate in certificates
    }
