"""Projects, users, passwords, tokens and access keys."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import ElbError, unauthenticated
from elbd.ids import new_access_key, new_hex_id, new_secret
from elbd.store.models import AccessKey, Project, Token, User
from elbd.store.secret_box import SecretBox

PROJECT_NAME_MAX = 64
PASSWORD_HASHER = PasswordHasher()


@dataclass(frozen=True)
class ProjectCredentials:
    project_id: str
    domain_name: str
    user_name: str
    password: str = field(repr=False)
    access_key: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class Principal:
    project_id: str
    user_id: str


@dataclass(frozen=True)
class SigningKey:
    """An access key with its secret in clear, for checking one request's signature."""

    project_id: str
    user_id: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class IssuedToken:
    token: str = field(repr=False)
    expires_at: datetime
    issued_at: datetime
    project: Project
    user: User


def _check_project_name(name: str) -> None:
    if not name.strip() or len(name) > PROJECT_NAME_MAX or any(not ch.isprintable() for ch in name):
        raise ElbError(400, "ELB.8902", f"Invalid project name {name!r}: 1 to {PROJECT_NAME_MAX} printable characters.")


def create_project(
    session: Session, *, name: str, secret_box: SecretBox, hasher: PasswordHasher = PASSWORD_HASHER
) -> ProjectCredentials:
    """`hasher` sets the password's argon2 cost; verification reads the cost back from the hash.
    `secret_box` seals the new secret key: the database never holds it in clear."""
    _check_project_name(name)
    if session.scalar(select(Project.id).where(Project.name == name)) is not None:
        raise ElbError(409, "ELB.8907", f"project {name} already exists.")
    project = Project(id=new_hex_id(), name=name, domain_name=name, created_at=utcnow())
    password = new_secret(24)
    user = User(
        id=new_hex_id(),
        project_id=project.id,
        domain_name=name,
        name=name,
        password_hash=hasher.hash(password),
    )
    secret_key = new_secret()
    access_key = new_access_key()
    key = AccessKey(
        access_key=access_key,
        project_id=project.id,
        user_id=user.id,
        secret_key_sealed=secret_box.seal(secret_key, bound_to=access_key),
    )
    try:
        session.add(project)
        session.flush()
        session.add(user)
        session.flush()
        session.add(key)
        session.flush()
    except IntegrityError:
        # a concurrent create of the same name won the race
        raise ElbError(409, "ELB.8907", f"project {name} already exists.") from None
    return ProjectCredentials(project.id, name, user.name, password, access_key, secret_key)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _unmatchable_hash() -> str:
    return PASSWORD_HASHER.hash(new_secret())


def _password_matches(user: User | None, password: str) -> bool:
    """Argon2 runs for an unknown user too, so the answer's timing does not tell which users exist."""
    try:
        PASSWORD_HASHER.verify(user.password_hash if user else _unmatchable_hash(), password)
    except (VerifyMismatchError, InvalidHashError):
        return False
    return user is not None


def issue_token(
    session: Session,
    *,
    user_name: str | None,
    user_id: str | None,
    domain_name: str | None,
    password: str,
    project_id: str | None,
    project_name: str | None,
    lifetime: timedelta,
) -> IssuedToken:
    query = select(User)
    if user_id:
        query = query.where(User.id == user_id)
    else:
        query = query.where(User.name == user_name, User.domain_name == domain_name)
    user = session.scalars(query).first()
    if not _password_matches(user, password) or user is None:
        raise ElbError(401, "APIGW.0301", "The username or password is wrong.")
    project = session.get(Project, user.project_id)
    if project is None or (project_id and project.id != project_id) or (project_name and project.name != project_name):
        raise ElbError(401, "APIGW.0301", "The user has no access to the requested project.")
    token = secrets.token_urlsafe(48)
    issued = utcnow()
    session.execute(delete(Token).where(Token.expires_at <= issued))  # expired tokens are kept nowhere
    session.add(
        Token(
            token_hash=_token_hash(token),
            project_id=project.id,
            user_id=user.id,
            issued_at=issued,
            expires_at=issued + lifetime,
        )
    )
    return IssuedToken(token, issued + lifetime, issued, project, user)


@dataclass(frozen=True)
class TokenGrant:
    principal: Principal
    expires_at: datetime


def grant_of_token(session: Session, token: str) -> TokenGrant:
    row = session.get(Token, _token_hash(token))
    if row is None or row.expires_at <= utcnow():
        raise unauthenticated("decrypt token fail")
    return TokenGrant(Principal(row.project_id, row.user_id), row.expires_at)


def revoke_token(session: Session, token: str) -> bool:
    result = cast(CursorResult[Any], session.execute(delete(Token).where(Token.token_hash == _token_hash(token))))  # a DELETE's result
    return bool(result.rowcount)


def signing_key(session: Session, access_key: str, secret_box: SecretBox) -> SigningKey | None:
    key = session.get(AccessKey, access_key)
    if key is None:
        return None
    return SigningKey(key.project_id, key.user_id, secret_box.open(key.secret_key_sealed, bound_to=key.access_key))


def secrets_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
