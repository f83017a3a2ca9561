from typing import Any

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class Named(TypedDict):
    id: str
    name: str


@shape
class TokenUser(TypedDict):
    id: str
    name: str
    domain: Named
    password_expires_at: str


@shape
class TokenProject(TypedDict):
    id: str
    name: str
    domain: Named


@shape
class Token(TypedDict):
    methods: list[str]
    expires_at: str
    issued_at: str
    user: TokenUser
    project: TokenProject
    roles: list[Named]
    catalog: list[dict[str, Any]]


@shape
class TokenReply(TypedDict):
    token: Token
    request_id: str


ISSUED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "The token is in the X-Subject-Token header; the body describes it.",
        "headers": {"X-Subject-Token": {"description": "The token, for X-Auth-Token.", "schema": {"type": "string"}}},
    }
}
