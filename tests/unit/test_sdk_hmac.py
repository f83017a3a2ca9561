"""SDK-HMAC-SHA256: elbd.auth.sdk_hmac reproduces the official SDK's signatures bit for bit
(known-answer vectors and a captured request from reference/huaweicloud-sdk.md §4 and §6)."""

import hashlib

import pytest

from elbd.auth import sdk_hmac

SIGNED = ("content-type", "host", "user-agent", "x-project-id", "x-sdk-date")
PROJECT = "0123456789abcdef0123456789abcdef"
VECTOR_PATH = f"/v3/{PROJECT}/elb/pools/pool-1/members"
VECTOR_DATE = "20240101T000000Z"
EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def vector_headers(content_type: str) -> dict[str, str]:
    return {
        "content-type": content_type,
        "host": "127.0.0.1:9876",
        "user-agent": "huaweicloud-usdk-python/3.0; test",
        "x-project-id": PROJECT,
        "x-sdk-date": VECTOR_DATE,
    }


def test_post_vector_signature_matches_the_sdk() -> None:
    body = b'{"member": {"address": "192.168.0.10", "protocol_port": 80, "weight": 1}}'
    canonical = sdk_hmac.canonical_request(
        "POST", VECTOR_PATH, "", vector_headers("application/json;charset=utf-8"), SIGNED, body
    )
    assert sdk_hmac.sign("SK_EXAMPLE", canonical, VECTOR_DATE) == (
        "f0e153f247f9fc2ef3dded2439d16af00a2488466b8dc59268432e688d108ed7"
    )


def test_get_vector_with_multivalued_query_matches_the_sdk() -> None:
    query = "limit=2&marker=m-1&page_reverse=true&weight=9&weight=10"
    canonical = sdk_hmac.canonical_request("GET", VECTOR_PATH, query, vector_headers("application/json"), SIGNED, b"")
    assert canonical.endswith("\n" + EMPTY_HASH)
    assert sdk_hmac.sign("SK_EXAMPLE", canonical, VECTOR_DATE) == (
        "30eedd35b5a6b20d6d45b21dcff3cd42cd1857e8fece6fe1f8f70927d4815190"
    )


CAPTURED_PATH = f"/v3/{PROJECT}/elb/pools/5f0c8a5e-1111-2222-3333-444455556666/members"
CAPTURED_UA = (
    "huaweicloud-usdk-python/3.0; os/Linux##1_SMP_PREEMPT_DYNAMIC_@0#x86_64 python/3.11.7 impl/CPython; "
    "app/4a6efcbd-bddb-462f-8a61-32de9f20e33b"
)
CAPTURED_BODY = b'{"member": {"address": "192.168.0.10", "name": "sdk-member", "protocol_port": 8080, "weight": 3}}'
CAPTURED_HEADERS = {
    "user-agent": CAPTURED_UA,
    "accept-encoding": "gzip, deflate",
    "accept": "*/*",
    "connection": "keep-alive",
    "content-type": "application/json;charset=utf-8",
    "x-project-id": PROJECT,
    "x-sdk-date": "20261127T210122Z",
    "host": "127.0.0.1:9879",
    "content-length": "97",
}
CAPTURED_AUTHORIZATION = (
    "SDK-HMAC-SHA256 Access=MYAK123, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, "
    "Signature=725a5e47a09b31779939066212f2c96b2034db8e3c9dc9749b41ac4cf6264bb9"
)
CAPTURED_CANONICAL = "\n".join(
    [
        "POST",
        CAPTURED_PATH + "/",
        "",
        "content-type:application/json;charset=utf-8",
        "host:127.0.0.1:9879",
        "user-agent:" + CAPTURED_UA,
        f"x-project-id:{PROJECT}",
        "x-sdk-date:20261127T210122Z",
        "",
        "content-type;host;user-agent;x-project-id;x-sdk-date",
        "5f89010b203d16b28747b351cfa181b2733b516ab7bfd09a54fd6a703c81f07e",
    ]
)


def captured_canonical_request() -> str:
    parsed = sdk_hmac.parse_authorization(CAPTURED_AUTHORIZATION)
    assert parsed is not None
    return sdk_hmac.canonical_request("POST", CAPTURED_PATH, "", CAPTURED_HEADERS, parsed.signed_headers, CAPTURED_BODY)


def test_captured_create_member_canonical_request_is_rebuilt_exactly() -> None:
    assert hashlib.sha256(CAPTURED_BODY).hexdigest() == CAPTURED_CANONICAL.rsplit("\n", 1)[1]
    assert captured_canonical_request() == CAPTURED_CANONICAL


def test_captured_create_member_string_to_sign_and_signature_match() -> None:
    canonical = captured_canonical_request()
    assert sdk_hmac.string_to_sign(canonical, "20261127T210122Z") == (
        "SDK-HMAC-SHA256\n20261127T210122Z\nfff8a8814dba5e9ad1b1f61e1708d6d2e4a3cc3aa5e29678d5bf654f9aefdea7"
    )
    parsed = sdk_hmac.parse_authorization(CAPTURED_AUTHORIZATION)
    assert parsed is not None
    assert sdk_hmac.sign("MYSECRET456", canonical, "20261127T210122Z") == parsed.signature


def test_a_different_secret_gives_a_different_signature() -> None:
    assert sdk_hmac.sign("MYSECRET457", captured_canonical_request(), "20261127T210122Z") != (
        "725a5e47a09b31779939066212f2c96b2034db8e3c9dc9749b41ac4cf6264bb9"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v3/p/elb/pools", "/v3/p/elb/pools/"),
        ("/v3/p/elb/pools/", "/v3/p/elb/pools/"),
        ("/", "/"),
        ("/v3/p/elb/a b", "/v3/p/elb/a%20b/"),
        ("/v3/p/elb/a%20b", "/v3/p/elb/a%20b/"),
        ("/v3/p/elb/x~y-z_.w", "/v3/p/elb/x~y-z_.w/"),
        ("/v3/p/elb/a:b@c", "/v3/p/elb/a%3Ab%40c/"),
        ("/v3/%7Bproject_id%7D/elb", "/v3/%7Bproject_id%7D/elb/"),
    ],
)
def test_canonical_uri_ends_in_a_slash_and_quotes_each_segment(path: str, expected: str) -> None:
    assert sdk_hmac.canonical_uri(path) == expected


def test_canonical_headers_strip_values_and_follow_signed_order() -> None:
    canonical = sdk_hmac.canonical_request(
        "get", "/x", "", {"host": "  h:1 ", "x-sdk-date": "d"}, ("host", "x-sdk-date"), b""
    )
    assert canonical == f"GET\n/x/\n\nhost:h:1\nx-sdk-date:d\n\nhost;x-sdk-date\n{EMPTY_HASH}"


def test_parse_authorization_reads_the_sdk_header() -> None:
    parsed = sdk_hmac.parse_authorization(CAPTURED_AUTHORIZATION)
    assert parsed == sdk_hmac.Authorization(
        access_key="MYAK123",
        signed_headers=SIGNED,
        signature="725a5e47a09b31779939066212f2c96b2034db8e3c9dc9749b41ac4cf6264bb9",
    )


def test_parse_authorization_lower_cases_the_signature() -> None:
    parsed = sdk_hmac.parse_authorization("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ABCDEF01")
    assert parsed is not None and parsed.signature == "abcdef01"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "Bearer abc",
        "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=abcd",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
        "SDK-HMAC-SHA256 Access=AK, Signature=abcd",
        "SDK-HMAC-SHA256 SignedHeaders=host, Signature=abcd",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=not-hex",
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=abcd",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcd, extra=1",
    ],
)
def test_parse_authorization_refuses_garbage(value: str) -> None:
    assert sdk_hmac.parse_authorization(value) is None


def test_parse_sdk_date_accepts_the_sdk_format_only() -> None:
    parsed = sdk_hmac.parse_sdk_date("20261127T210122Z")
    assert parsed is not None and parsed.isoformat() == "2026-11-27T21:01:22+00:00"
    assert sdk_hmac.parse_sdk_date("2026-11-27T21:01:22Z") is None
    assert sdk_hmac.parse_sdk_date("") is None
