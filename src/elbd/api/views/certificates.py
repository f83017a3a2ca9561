from elbd.api.shapes.certificates import Certificate, CertificateDeleted
from elbd.clock import format_time
from elbd.store.models import Certificate as CertificateRow


def certificate_view(certificate: CertificateRow, private_key: str | None) -> Certificate:
    """`private_key` is what the answer shows of the key (services/certificates.py: private_keys_shown)."""
    return {
        "id": certificate.id,
        "name": certificate.name,
        "description": certificate.description,
        "type": certificate.type,
        "certificate": certificate.certificate,
        "private_key": private_key,
        "domain": certificate.domain,
        "admin_state_up": certificate.admin_state_up,
        "common_name": certificate.common_name,
        "subject_alternative_names": list(certificate.subject_alternative_names),
        "fingerprint": certificate.fingerprint,
        "expire_time": format_time(certificate.expire_time),
        "enc_certificate": None,
        "enc_private_key": None,
        "scm_certificate_id": certificate.scm_certificate_id,
        "source": certificate.source,
        "protection_status": certificate.protection_status,
        "protection_reason": certificate.protection_reason,
        "project_id": certificate.project_id,
        "enterprise_project_id": certificate.enterprise_project_id,
        "created_at": format_time(certificate.created_at),
        "updated_at": format_time(certificate.updated_at),
    }


def deleted_view(certificate_id: str, ret_status: str) -> CertificateDeleted:
    """One id's fate in a batch delete; one not found carries the code a single DELETE of it answers."""
    if ret_status == "not found":
        return {"id": certificate_id, "ret_status": ret_status, "ret_code": "ELB.8904"}
    return {"id": certificate_id, "ret_status": ret_status}
