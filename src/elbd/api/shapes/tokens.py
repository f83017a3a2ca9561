from elbd.api.shapes.base import Shape


class Named(Shape):
    id: str
    name: str


class TokenUser(Shape):
    id: str
    name: str
    domain: Named
    password_expires_at: str


class TokenProject(Shape):
    id: str
    name: str
    domain: Named


class Token(Shape):
    methods: list[str]
    expires_at: str
    issued_at: str
    user: TokenUser
    project: TokenProject
    roles: list[Named]
    catalog: list[dict[str, object]]


class TokenReply(Shape):
    token: Token
    request_id: str


ISSUED = {
    201: {
        "description": "The token is in the X-Subject-Token header; the body describes it.",
        "headers": {"X-Subject-Token": {"description": "The token, for X-Auth-Token.", "schema": {"type": "string"}}},
    }
}
