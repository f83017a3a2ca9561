"""Dependencies shared by every route: the database and the caller's identity."""

from datetime import datetime, timedelta, timezone

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from elbd.api.credential_cache import CredentialCache
from elbd.auth import sdk_hmac
from elbd.errors import forbidden, unauthenticated
from elbd.service import identity
from elbd.service.identity import Principal, SigningKey
from elbd.store.db import Database
from elbd.store.secret_box import SecretBox

MAX_CLOCK_SKEW = timedelta(minutes=15)


async def database(request: Request) -> Database:
    """Async, so FastAPI calls it in place instead of handing it to a worker thread."""
    return request.app.state.db


async def authenticate(request: Request, project_id: str) -> Principal:
    """Who is calling, by token or AK/SK signature; 401 if nobody, 403 if not for this project."""
    principal = await identify(request)
    if principal.project_id != project_id:
        raise forbidden()
    request.scope.setdefault("state", {})["project_id"] = principal.project_id  # for the access log
    return principal


async def identify(request: Request) -> Principal:
    db: Database = request.app.state.db
    token = request.headers.get("x-auth-token")
    if token:
        tokens: CredentialCache[Principal] = request.app.state.tokens
        known = tokens.get(token)
        if known is not None:
            return known
        grant = await run_in_threadpool(_grant_of_token, db, token)
        tokens.put(token, grant.principal, grant.expires_at)
        return grant.principal
    authorization = request.headers.get("authorization")
    if authorization:
        return await _principal_for_signature(request, db, authorization)
    raise unauthenticated("no token or signature in the request")


def _grant_of_token(db: Database, token: str) -> identity.TokenGrant:
    with db.read() as session:
        return identity.grant_of_token(session, token)


async def _principal_for_signature(request: Request, db: Database, authorization: str) -> Principal:
    parsed = sdk_hmac.parse_authorization(authorization)
    if parsed is None:
        raise unauthenticated("verify aksk signature fail")
    sdk_date = request.headers.get("x-sdk-date", "")
    signed_at = sdk_hmac.parse_sdk_date(sdk_date)
    if signed_at is None or abs(datetime.now(timezone.utc) - signed_at) > MAX_CLOCK_SKEW:
        raise unauthenticated("verify aksk signature fail, the request date is missing or off by more than 15 minutes")
    signing_keys: CredentialCache[SigningKey] = request.app.state.signing_keys
    key = signing_keys.get(parsed.access_key)
    if key is None:
        key = await run_in_threadpool(_signing_key, db, parsed.access_key, request.app.state.secret_box)
        if key is None:
            raise unauthenticated("Get secretKey failed,ak:******,err:ak not exist")
        signing_keys.put(parsed.access_key, key)
    headers = {name.lower(): value for name, value in request.headers.items()}
    canonical = sdk_hmac.canonical_request(
        request.method,
        request.url.path,
        request.scope.get("query_string", b"").decode("latin-1"),
        headers,
        parsed.signed_headers,
        await request.body(),
    )
    expected = sdk_hmac.sign(key.secret_key, canonical, sdk_date)
    if not identity.secrets_equal(expected, parsed.signature):
        raise unauthenticated("verify aksk signature fail")
    return Principal(key.project_id, key.user_id)


def _signing_key(db: Database, access_key: str, secret_box: SecretBox) -> SigningKey | None:
    with db.read() as session:
        return identity.signing_key(session, access_key, secret_box)
