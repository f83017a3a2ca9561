from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape


@shape
class SecurityPolicy(TypedDict):
    id: str
    project_id: str
    name: str
    description: str
    listeners: list[IdRef]
    protocols: list[str]
    ciphers: list[str]
    enterprise_project_id: str
    created_at: str
    updated_at: str


@shape
class SecurityPolicyReply(TypedDict):
    security_policy: SecurityPolicy
    request_id: str


@shape
class SecurityPolicyPage(TypedDict):
    security_policies: list[SecurityPolicy]
    page_info: PageInfo
    request_id: str


@shape
class SystemSecurityPolicy(TypedDict):
    """Protocols separated by spaces and ciphers by colons, as the API answers them (strings, not lists)."""

    name: str
    protocols: str
    ciphers: str
    project_id: str


@shape
class SystemSecurityPolicyList(TypedDict):
    system_security_policies: list[SystemSecurityPolicy]
    request_id: str
