"""The answers of /v3/{project_id}/elb/certificates (CertificateInfo and the replies around it)."""

from typing_extensions import NotRequired, TypedDict

from elbd.api.shapes.base import PageInfo, shape


@shape
class Certificate(TypedDict):
    id: str
    name: str
    description: str
    type: str
    certificate: str
    private_key: str | None
    domain: str | None
    admin_state_up: bool
    common_name: str
    subject_alternative_names: list[str]
    fingerprint: str
    expire_time: str
    enc_certificate: None
    enc_private_key: None
    scm_certificate_id: str
    source: str
    protection_status: str
    protection_reason: str | None
    project_id: str
    enterprise_project_id: str
    created_at: str
    updated_at: str


@shape
class CertificateReply(TypedDict):
    certificate: Certificate
    request_id: str


@shape
class CertificatePage(TypedDict):
    certificates: list[Certificate]
    page_info: PageInfo
    request_id: str


@shape
class CertificateDeleted(TypedDict):
    id: str
    ret_status: str
    ret_code: NotRequired[str]


@shape
class CertificatesDeletedReply(TypedDict):
    certificates: list[CertificateDeleted]
    request_id: str


@shape
class PrivateKeyEchoReply(TypedDict):
    private_key_echo: bool
    request_id: str
