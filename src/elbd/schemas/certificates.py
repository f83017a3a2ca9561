"""Request bodies of /v3/{project_id}/elb/certificates (CreateCertificateOption, UpdateCertificateOption,
the batch delete and the private-key echo switch of the official SDK)."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.loadbalancers import ProtectionReason, ProtectionStatus
from elbd.schemas.unserved import CERTIFICATES, note

CertificateType = Literal["server", "client", "server_sm"]
# The current API reference says 65536 characters; the SDK 3.1.219 docstring still says 20000.
CertificatePem = Annotated[str, StringConstraints(max_length=65536)]
PrivateKeyPem = Annotated[str, StringConstraints(max_length=8192)]
DomainList = Annotated[str, StringConstraints(max_length=10000)]
ScmCertificateId = Annotated[str, StringConstraints(max_length=64)]
Source = Literal["scm", ""]
MAX_BATCH_DELETE = 2000

_ENC = "Only for server_sm certificates, which elbd does not serve: any value but null or \"\" is refused with 400."


class _CertificateSettings(Strict):
    """What create and update share."""

    name: Name | None = None
    description: Description | None = None
    private_key: PrivateKeyPem | None = Field(None, description="PEM, unencrypted; server certificates only. Stored sealed.")
    domain: DomainList | None = Field(
        None, description="Server certificates only: the names it answers for in SNI, comma-separated (at most 100; '*' only as a leading '*.')."
    )
    enc_certificate: CertificatePem | None = Field(None, description=_ENC)
    enc_private_key: PrivateKeyPem | None = Field(None, description=_ENC)
    scm_certificate_id: ScmCertificateId | None = None
    source: Source | None = None
    protection_status: ProtectionStatus | None = None
    protection_reason: ProtectionReason | None = None


class CertificateCreate(_CertificateSettings):
    certificate: CertificatePem = Field(description="PEM: a server's chain (its own certificate first, then each issuer), or a client's CA bundle.")
    type: CertificateType = Field("server", description=note(CERTIFICATES, "type"))
    admin_state_up: bool | None = None
    project_id: ProjectIdField | None = None
    enterprise_project_id: Annotated[str, StringConstraints(min_length=1, max_length=36)] | None = None


class CertificateCreateRequest(Strict):
    certificate: CertificateCreate


class CertificateUpdate(_CertificateSettings):
    certificate: CertificatePem | None = None
    type: CertificateType | None = Field(None, description="Fixed at creation: only the stored type is accepted.")


class CertificateUpdateRequest(Strict):
    certificate: CertificateUpdate


class CertificatesBatchDeleteRequest(Strict):
    certificates: list[ResourceId] = Field(min_length=1, max_length=MAX_BATCH_DELETE)


class PrivateKeyEchoRequest(Strict):
    private_key_echo: bool
