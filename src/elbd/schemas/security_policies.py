from typing import Annotated

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, Strict
from elbd.schemas.unserved import SECURITY_POLICIES, note
from elbd.tls_policies import CipherName, ProtocolName

# The API reference allows 1 to 5 protocols and 1 to 30 ciphers; a name given twice is refused by the service.
CIPHERS_NOTE = note(SECURITY_POLICIES, "ciphers")


class SecurityPolicyCreate(Strict):
    name: Name | None = None
    description: Description | None = None
    protocols: list[ProtocolName] = Field(min_length=1, max_length=5)
    ciphers: list[CipherName] = Field(min_length=1, max_length=30, description=CIPHERS_NOTE)
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class SecurityPolicyCreateRequest(Strict):
    security_policy: SecurityPolicyCreate


class SecurityPolicyUpdate(Strict):
    name: Name | None = None
    description: Description | None = None
    protocols: list[ProtocolName] | None = Field(None, min_length=1, max_length=5)
    ciphers: list[CipherName] | None = Field(None, min_length=1, max_length=30, description=CIPHERS_NOTE)


class SecurityPolicyUpdateRequest(Strict):
    security_policy: SecurityPolicyUpdate
