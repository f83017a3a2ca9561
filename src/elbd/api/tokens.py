"""Identity: POST /v3/auth/tokens (Keystone password body) and DELETE /v3/auth/tokens."""

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from elbd.api.deps import database, identify
from elbd.api.replies import error_reply, no_content, reply, request_id_of
from elbd.api.shapes.errors import KeystoneError
from elbd.api.shapes.tokens import ISSUED, Named, Token, TokenReply
from elbd.clock import format_time
from elbd.errors import ElbError, unauthenticated
from elbd.service import identity
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["identity"])


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Domain(_Lenient):
    name: str | None = None
    id: str | None = None


class PasswordUser(_Lenient):
    name: str | None = Field(None, max_length=64)
    id: str | None = Field(None, max_length=64)
    password: str = Field(max_length=128)
    domain: Domain | None = None


class Password(_Lenient):
    user: PasswordUser


class Identity(_Lenient):
    methods: list[str]
    password: Password


class ProjectScope(_Lenient):
    id: str | None = None
    name: str | None = None
    domain: Domain | None = None


class Scope(_Lenient):
    project: ProjectScope


class Auth(_Lenient):
    identity: Identity
    scope: Scope


class TokenRequest(_Lenient):
    auth: Auth


def _domain_id(name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.elbd").hex


def _keystone_error(request: Request, error: ElbError) -> Response:
    titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}
    keystone: KeystoneError = {"code": error.status, "message": error.message, "title": titles.get(error.status, "Error")}
    return error_reply(request, error, keystone)


@router.post("/v3/auth/tokens", status_code=201, response_model=TokenReply, responses=ISSUED)
def create_token(request: Request, body: TokenRequest, db: Database = Depends(database)) -> Response:
    user = body.auth.identity.password.user
    scope = body.auth.scope.project
    if "password" not in body.auth.identity.methods or not (user.id or (user.name and user.domain and user.domain.name)):
        return _keystone_error(request, ElbError(400, "ELB.8902", "The request body is invalid"))
    if not (scope.id or scope.name):
        return _keystone_error(request, ElbError(400, "ELB.8902", "The request body is invalid"))
    try:
        with db.write() as session:
            issued = identity.issue_token(
                session,
                user_name=user.name,
                user_id=user.id,
                domain_name=user.domain.name if user.domain else None,
                password=user.password,
                project_id=scope.id,
                project_name=scope.name,
                lifetime=request.app.state.settings.token_lifetime,
            )
    except ElbError as error:
        return _keystone_error(request, error)
    domain: Named = {"id": _domain_id(issued.user.domain_name), "name": issued.user.domain_name}
    token: Token = {
        "methods": ["password"],
        "expires_at": format_time(issued.expires_at),
        "issued_at": format_time(issued.issued_at),
        "user": {"id": issued.user.id, "name": issued.user.name, "domain": domain, "password_expires_at": ""},
        "project": {"id": issued.project.id, "name": issued.project.name, "domain": domain},
        "roles": [{"id": _domain_id("te_admin"), "name": "te_admin"}],
        "catalog": [],
    }
    answer: TokenReply = {"token": token, "request_id": request_id_of(request)}
    return reply(answer, 201, headers={"X-Subject-Token": issued.token})


@router.delete("/v3/auth/tokens", status_code=204)
async def revoke_token(request: Request, _who: Principal = Depends(identify), db: Database = Depends(database)) -> Response:
    subject = request.headers.get("x-subject-token")
    if not subject:
        raise ElbError(400, "ELB.8902", "X-Subject-Token names the token to revoke; it is missing.")
    request.app.state.tokens.forget(subject)
    revoked = await run_in_threadpool(_revoke, db, subject)
    if not revoked:
        raise unauthenticated("the token to revoke is not valid")
    return no_content()


def _revoke(db: Database, token: str) -> bool:
    with db.write() as session:
        return identity.revoke_token(session, token)
