"""Identity: Keystone tokens, AK/SK signatures, and who may see which project.

One app and two projects serve the whole module; a test that revokes or expires a token works on
a token it issued itself."""

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from elbd.api import credential_cache, deps
from elbd.api.app import create_app
from elbd.auth import sdk_hmac
from elbd.clock import utcnow
from elbd.config import load_settings
from elbd.errors import ElbError
from elbd.service import identity
from elbd.service.identity import ProjectCredentials
from elbd.store.models import AccessKey, Token, User
from tests.api.world import World, assert_elb_error
from tests.conftest import Api, new_project, token_for

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture
def client(world: World) -> TestClient:
    return world.client


def password_body(credentials: ProjectCredentials, password: str | None = None, **scope: str) -> dict[str, Any]:
    user = {"name": credentials.user_name, "password": password or credentials.password, "domain": {"name": credentials.domain_name}}
    return {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user}},
            "scope": {"project": scope or {"id": credentials.project_id}},
        }
    }


def sdk_date(offset: timedelta = timedelta()) -> str:
    return (datetime.now(timezone.utc) + offset).strftime(sdk_hmac.DATE_FORMAT)


def signed_request(
    client: TestClient,
    access_key: str,
    secret_key: str,
    method: str,
    path: str,
    body: bytes = b"",
    query: str = "",
    date: str | None = None,
    project_id: str | None = None,
) -> httpx.Response:
    """Sign as the SDK does (content-type;host;user-agent;x-project-id;x-sdk-date) and send."""
    headers = {
        "content-type": "application/json;charset=utf-8" if body else "application/json",
        "host": "testserver",
        "user-agent": "huaweicloud-usdk-python/3.0; elbd-tests",
        "x-project-id": project_id or path.split("/")[2],
        "x-sdk-date": date or sdk_date(),
    }
    names = tuple(sorted(headers))
    canonical = sdk_hmac.canonical_request(method, path, query, headers, names, body)
    signature = sdk_hmac.sign(secret_key, canonical, headers["x-sdk-date"])
    headers["authorization"] = f"SDK-HMAC-SHA256 Access={access_key}, SignedHeaders={';'.join(names)}, Signature={signature}"
    return client.request(method, path + (f"?{query}" if query else ""), content=body or None, headers=headers)


def signed_by(api: Api, method: str, path: str, **kwargs: Any) -> httpx.Response:
    creds = api.credentials
    return signed_request(api.client, creds.access_key, creds.secret_key, method, api.url(path), **kwargs)


# tokens


@pytest.mark.parametrize("scope", ["id", "name"])
def test_password_token_is_issued_with_subject_token_and_24h_expiry(api: Api, scope: str) -> None:
    creds = api.credentials
    by = {"id": creds.project_id} if scope == "id" else {"name": creds.domain_name}
    response = api.client.post("/v3/auth/tokens", json=password_body(creds, **by))
    assert response.status_code == 201, response.text
    assert response.headers["X-Subject-Token"]
    token = response.json()["token"]
    assert token["project"]["id"] == creds.project_id
    assert token["methods"] == ["password"]
    issued = datetime.strptime(token["issued_at"], TIME_FORMAT)
    expires = datetime.strptime(token["expires_at"], TIME_FORMAT)
    assert abs((expires - issued) - timedelta(hours=24)) <= timedelta(seconds=1)
    assert abs(datetime.now(timezone.utc).replace(tzinfo=None) - issued) < timedelta(minutes=1)


def test_issued_token_works_as_x_auth_token(api: Api) -> None:
    listed = api.client.get(api.url("availability-zones"), headers={"X-Auth-Token": fresh_token(api)})
    assert listed.status_code == 200, listed.text


def test_wrong_password_is_401_keystone_and_apigw(api: Api) -> None:
    response = api.client.post("/v3/auth/tokens", json=password_body(api.credentials, password="not-the-password"))
    body = assert_elb_error(response, 401, "APIGW.0301")
    assert body["error"]["code"] == 401
    assert body["error"]["title"] == "Unauthorized"
    assert body["error"]["message"]
    assert "X-Subject-Token" not in response.headers


def test_unknown_user_is_401(api: Api) -> None:
    body = password_body(api.credentials)
    body["auth"]["identity"]["password"]["user"]["name"] = "nobody"
    assert_elb_error(api.client.post("/v3/auth/tokens", json=body), 401, "APIGW.0301")


def test_scope_to_another_project_is_401(api: Api, other_api: Api) -> None:
    response = api.client.post("/v3/auth/tokens", json=password_body(api.credentials, id=other_api.project_id))
    assert_elb_error(response, 401, "APIGW.0301")


@pytest.mark.parametrize("body", [{}, {"auth": {}}, [], "x"])
def test_malformed_token_request_is_400_not_500(client: TestClient, body: Any) -> None:
    response = client.post("/v3/auth/tokens", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["request_id"] == response.headers["X-Request-Id"]


def fresh_token(api: Api) -> str:
    response = api.client.post("/v3/auth/tokens", json=password_body(api.credentials))
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def test_revoked_token_is_refused(api: Api) -> None:
    token = fresh_token(api)
    revoked = api.client.delete("/v3/auth/tokens", headers={"X-Auth-Token": api.token, "X-Subject-Token": token})
    assert revoked.status_code == 204, revoked.text
    assert_elb_error(api.client.get(api.url("pools"), headers={"X-Auth-Token": token}), 401, "APIGW.0301")
    assert api.client.get(api.url("pools"), headers={"X-Auth-Token": api.token}).status_code == 200


def test_revoking_needs_credentials(api: Api) -> None:
    response = api.client.delete("/v3/auth/tokens", headers={"X-Subject-Token": api.token})
    assert_elb_error(response, 401, "APIGW.0301")
    assert api.call("GET", "pools").status_code == 200


def test_expired_token_is_401(api: Api) -> None:
    token = fresh_token(api)
    assert api.client.get(api.url("pools"), headers={"X-Auth-Token": token}).status_code == 200
    with api.client.app.state.db.write() as session:
        past = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=1)
        session.execute(update(Token).where(Token.token_hash == hashlib.sha256(token.encode()).hexdigest()).values(expires_at=past))
    api.client.app.state.tokens.forget(token)  # as once the cache's entry has lived its few seconds
    assert_elb_error(api.client.get(api.url("pools"), headers={"X-Auth-Token": token}), 401, "APIGW.0301")
    assert api.call("GET", "pools").status_code == 200


@pytest.fixture
def short_lived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """An application of its own whose tokens live ELBD_TOKEN_LIFETIME=60 seconds."""
    monkeypatch.setenv("ELBD_TOKEN_LIFETIME", "60")
    with TestClient(create_app(load_settings(tmp_path / "elbd-data")), raise_server_exceptions=False) as client:
        credentials = new_project(client, "short")
        yield Api(client, credentials, token_for(client, credentials))


def test_token_lifetime_is_elbd_token_lifetime_and_expiry_is_enforced(short_lived: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    response = short_lived.client.post("/v3/auth/tokens", json=password_body(short_lived.credentials))
    assert response.status_code == 201, response.text
    issued = datetime.strptime(response.json()["token"]["issued_at"], TIME_FORMAT)
    expires = datetime.strptime(response.json()["token"]["expires_at"], TIME_FORMAT)
    assert abs((expires - issued) - timedelta(seconds=60)) <= timedelta(seconds=1)
    token = response.headers["X-Subject-Token"]
    started = utcnow()
    for clock_user in (identity, credential_cache):  # the token's check, and the cache of checked tokens
        monkeypatch.setattr(clock_user, "utcnow", lambda: started + timedelta(seconds=58))
    assert short_lived.client.get(short_lived.url("pools"), headers={"X-Auth-Token": token}).status_code == 200
    for clock_user in (identity, credential_cache):
        monkeypatch.setattr(clock_user, "utcnow", lambda: started + timedelta(seconds=61))
    assert_elb_error(short_lived.client.get(short_lived.url("pools"), headers={"X-Auth-Token": token}), 401, "APIGW.0301")


def test_issuing_a_token_removes_the_expired_ones(short_lived: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def stored_tokens() -> int:
        with short_lived.client.app.state.db.read() as session:
            return len(session.scalars(select(Token.token_hash)).all())

    short_lived.client.post("/v3/auth/tokens", json=password_body(short_lived.credentials))
    assert stored_tokens() == 2  # the fixture's and this one
    started = utcnow()
    monkeypatch.setattr(identity, "utcnow", lambda: started + timedelta(seconds=61))
    response = short_lived.client.post("/v3/auth/tokens", json=password_body(short_lived.credentials))
    assert response.status_code == 201, response.text
    assert stored_tokens() == 1


def test_a_token_can_revoke_itself(api: Api) -> None:
    token = fresh_token(api)
    revoked = api.client.delete("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert revoked.status_code == 204, revoked.text
    assert_elb_error(api.client.get(api.url("pools"), headers={"X-Auth-Token": token}), 401, "APIGW.0301")


def test_a_revoked_token_cannot_revoke(api: Api) -> None:
    revoked, victim = fresh_token(api), fresh_token(api)
    headers = {"X-Auth-Token": api.token, "X-Subject-Token": revoked}
    assert api.client.delete("/v3/auth/tokens", headers=headers).status_code == 204
    attempt = api.client.delete("/v3/auth/tokens", headers={"X-Auth-Token": revoked, "X-Subject-Token": victim})
    assert_elb_error(attempt, 401, "APIGW.0301")
    assert api.client.get(api.url("pools"), headers={"X-Auth-Token": victim}).status_code == 200


def test_garbage_token_is_401(api: Api) -> None:
    response = api.client.get(api.url("pools"), headers={"X-Auth-Token": "garbage"})
    assert_elb_error(response, 401, "APIGW.0301")


def test_no_credentials_is_401(api: Api) -> None:
    assert_elb_error(api.client.get(api.url("pools")), 401, "APIGW.0301")
    assert_elb_error(api.client.post(api.url("pools"), json={"pool": {}}), 401, "APIGW.0301")


def test_no_credentials_with_a_broken_body_is_still_401(api: Api) -> None:
    response = api.client.post(api.url("pools"), content=b"{not json", headers={"Content-Type": "application/json"})
    assert_elb_error(response, 401, "APIGW.0301")


def test_another_projects_token_with_a_broken_body_is_403(api: Api, other_api: Api) -> None:
    headers = {"Content-Type": "application/json", "X-Auth-Token": other_api.token}
    assert_elb_error(api.client.post(api.url("pools"), content=b"{not json", headers=headers), 403, "APIGW.0302")


def test_valid_signature_with_a_broken_body_is_400(api: Api) -> None:
    assert_elb_error(signed_by(api, "POST", "pools", body=b"{not json"), 400, "ELB.8902")


# AK/SK


def test_signed_request_is_accepted(api: Api) -> None:
    response = signed_by(api, "GET", "pools", query="limit=2")
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["pools"], list)


def test_signed_request_with_a_body_is_accepted(api: Api) -> None:
    body = json.dumps({"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "type": "ip", "name": "signed"}}).encode()
    response = signed_by(api, "POST", "pools", body=body)
    assert response.status_code == 201, response.text
    assert response.json()["pool"]["name"] == "signed"


def test_request_signed_by_the_sdk_signer_is_accepted(api: Api) -> None:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    creds = api.credentials
    request = SdkRequest(
        method="GET",
        schema="http",
        host="testserver",
        resource_path=api.url("pools"),
        query_params=[("limit", 5), ("name", "a b")],
        header_params={"Content-Type": "application/json", "X-Project-Id": creds.project_id, "User-Agent": "sdk-test"},
        body="",
    )
    Signer(BasicCredentials(creds.access_key, creds.secret_key, creds.project_id)).sign(request)
    response = api.client.get(request.uri, headers=request.header_params)
    assert response.status_code == 200, response.text


def test_wrong_signature_is_401(api: Api) -> None:
    creds = api.credentials
    response = signed_request(api.client, creds.access_key, creds.secret_key + "x", "GET", api.url("pools"))
    assert_elb_error(response, 401, "APIGW.0301")


def test_tampered_body_is_401(api: Api) -> None:
    creds = api.credentials
    path = api.url("pools")
    before = len(api.ok("GET", "pools")["pools"])
    headers = {"content-type": "application/json", "host": "testserver", "x-sdk-date": sdk_date()}
    names = tuple(sorted(headers))
    signed_body = json.dumps({"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}).encode()
    canonical = sdk_hmac.canonical_request("POST", path, "", headers, names, signed_body)
    signature = sdk_hmac.sign(creds.secret_key, canonical, headers["x-sdk-date"])
    headers["authorization"] = f"SDK-HMAC-SHA256 Access={creds.access_key}, SignedHeaders={';'.join(names)}, Signature={signature}"
    sent = json.dumps({"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}}).encode()
    assert_elb_error(api.client.post(path, content=sent, headers=headers), 401, "APIGW.0301")
    assert len(api.ok("GET", "pools")["pools"]) == before


def test_unknown_access_key_is_401(api: Api) -> None:
    response = signed_request(api.client, "NOSUCHKEY0000000", api.credentials.secret_key, "GET", api.url("pools"))
    assert_elb_error(response, 401, "APIGW.0301")


def test_garbage_authorization_header_is_401(api: Api) -> None:
    response = api.client.get(api.url("pools"), headers={"Authorization": "Basic Zm9vOmJhcg==", "X-Sdk-Date": sdk_date()})
    assert_elb_error(response, 401, "APIGW.0301")


def test_signatures_are_compared_in_constant_time(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(identity.hmac, "compare_digest", recording)
    creds = api.credentials
    response = signed_request(api.client, creds.access_key, creds.secret_key + "x", "GET", api.url("pools"))
    assert_elb_error(response, 401, "APIGW.0301")
    sent = response.request.headers["authorization"].rsplit("Signature=", 1)[1]
    assert [b for _a, b in compared] == [sent.encode()]


def test_an_unknown_user_costs_a_password_hash_too(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """No timing test: the check is that argon2 verifies for an unknown user as for a known one."""
    verified: list[str] = []

    class RecordingHasher(PasswordHasher):
        def verify(self, hashed: str | bytes, password: str | bytes) -> bool:
            verified.append(str(password))
            return super().verify(hashed, password)

    monkeypatch.setattr(identity, "PASSWORD_HASHER", RecordingHasher(time_cost=1, memory_cost=8, parallelism=1))
    body = password_body(api.credentials, password="guess-1")
    body["auth"]["identity"]["password"]["user"]["name"] = "nobody"
    assert_elb_error(api.client.post("/v3/auth/tokens", json=body), 401, "APIGW.0301")
    assert_elb_error(api.client.post("/v3/auth/tokens", json=password_body(api.credentials, password="guess-2")), 401, "APIGW.0301")
    assert verified == ["guess-1", "guess-2"]


@pytest.mark.parametrize("minutes", [-16, 16])
def test_sdk_date_more_than_15_minutes_off_is_401(api: Api, minutes: int) -> None:
    assert_elb_error(signed_by(api, "GET", "pools", date=sdk_date(timedelta(minutes=minutes))), 401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-14, 14])
def test_sdk_date_within_15_minutes_is_accepted(api: Api, minutes: int) -> None:
    assert signed_by(api, "GET", "pools", date=sdk_date(timedelta(minutes=minutes))).status_code == 200


STOPPED_AT = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


class _StoppedClock(datetime):
    """datetime whose now() is STOPPED_AT."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return STOPPED_AT.astimezone(tz) if tz else STOPPED_AT.replace(tzinfo=None)


@pytest.fixture
def stopped_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The signature check's clock stopped on a whole second: a date exactly at the limit stays exactly
    at it (a running clock moves on between signing and checking, and x-sdk-date has whole seconds)."""
    monkeypatch.setattr(deps, "datetime", _StoppedClock)
    return STOPPED_AT


@pytest.mark.parametrize("direction", [-1, 1], ids=["behind", "ahead"])
def test_sdk_date_exactly_15_minutes_off_is_accepted(api: Api, stopped_clock: datetime, direction: int) -> None:
    date = (stopped_clock + direction * timedelta(minutes=15)).strftime(sdk_hmac.DATE_FORMAT)
    assert signed_by(api, "GET", "pools", date=date).status_code == 200


@pytest.mark.parametrize("direction", [-1, 1], ids=["behind", "ahead"])
def test_sdk_date_15_minutes_and_1_second_off_is_401(api: Api, stopped_clock: datetime, direction: int) -> None:
    date = (stopped_clock + direction * timedelta(minutes=15, seconds=1)).strftime(sdk_hmac.DATE_FORMAT)
    body = assert_elb_error(signed_by(api, "GET", "pools", date=date), 401, "APIGW.0301")
    assert "off by more than 15 minutes" in body["error_msg"]


@pytest.mark.parametrize("date", ["", "2024-01-01T00:00:00Z", "yesterday"])
def test_missing_or_malformed_sdk_date_is_401(api: Api, date: str) -> None:
    creds = api.credentials
    path = api.url("pools")
    headers = {"host": "testserver", "x-sdk-date": date}
    names = ("host", "x-sdk-date")
    signature = sdk_hmac.sign(creds.secret_key, sdk_hmac.canonical_request("GET", path, "", headers, names, b""), date)
    headers["authorization"] = f"SDK-HMAC-SHA256 Access={creds.access_key}, SignedHeaders=host;x-sdk-date, Signature={signature}"
    assert_elb_error(api.client.get(path, headers=headers), 401, "APIGW.0301")


# projects


def test_another_projects_token_on_this_path_is_403(api: Api, other_api: Api) -> None:
    response = api.client.get(api.url("pools"), headers={"X-Auth-Token": other_api.token})
    assert_elb_error(response, 403, "APIGW.0302")


def test_another_projects_signature_on_this_path_is_403(api: Api, other_api: Api) -> None:
    creds = other_api.credentials
    response = signed_request(api.client, creds.access_key, creds.secret_key, "GET", api.url("pools"), project_id=creds.project_id)
    assert_elb_error(response, 403, "APIGW.0302")


def test_another_projects_resource_is_404(api: Api, other_api: Api) -> None:
    theirs = other_api.pool(type="ip")
    assert_elb_error(api.call("GET", f"pools/{theirs['id']}"), 404, "ELB.8904")
    assert_elb_error(api.call("GET", f"pools/{theirs['id']}/members"), 404, "ELB.8904")
    create = api.call("POST", f"pools/{theirs['id']}/members", {"member": {"address": "127.0.0.5", "protocol_port": 80}})
    assert_elb_error(create, 404, "ELB.8904")
    assert other_api.ok("GET", f"pools/{theirs['id']}/members")["members"] == []


# storage


def test_tokens_are_stored_hashed(api: Api, world: World) -> None:
    with api.client.app.state.db.read() as session:
        rows = session.scalars(select(Token)).all()
    assert rows
    assert all(api.token not in str(value) for row in rows for value in vars(row).values())
    assert hashlib.sha256(api.token.encode()).hexdigest() in {row.token_hash for row in rows}
    for stored in world.data_dir.glob("elbd.db*"):
        assert api.token.encode() not in stored.read_bytes()


def test_secret_keys_are_stored_sealed(api: Api, world: World) -> None:
    secret = api.credentials.secret_key
    with api.client.app.state.db.read() as session:
        key = session.get(AccessKey, api.credentials.access_key)
    assert key is not None
    assert secret not in key.secret_key_sealed
    assert api.client.app.state.secret_box.open(key.secret_key_sealed, bound_to=key.access_key) == secret
    for stored in world.data_dir.glob("elbd.db*"):
        assert secret.encode() not in stored.read_bytes()


def test_passwords_are_stored_as_argon2_hashes(api: Api) -> None:
    with api.client.app.state.db.read() as session:
        user = session.scalars(select(User).where(User.project_id == api.project_id)).one()
    assert user.password_hash.startswith("$argon2")
    assert api.credentials.password not in user.password_hash


@pytest.mark.parametrize(("name", "status"), [("alpha", 409), ("", 400), ("   ", 400), ("x" * 65, 400), ("tab\there", 400)])
def test_project_names_are_checked_before_the_database_is(world: World, name: str, status: int) -> None:
    with pytest.raises(ElbError) as raised:
        with world.client.app.state.db.write() as session:
            identity.create_project(session, name=name, secret_box=world.client.app.state.secret_box)
    assert raised.value.status == status
